#!/usr/bin/env python3
"""Records benchmark (not a test): a member's record, the talent search and the union's
dashboard under wrk, side by side with the perf-baseline yardstick's ``/fortunes``, plus the
time to rebuild the dashboard's summaries. PostgreSQL database ``bench_records``.

Data, loaded straight through SQLAlchemy Core: ``--members`` verified members (each with a
member profile, a grassroots union and an employer), ``--enrollments-per-member`` enrollments
each (about 70 % completed, spread over the last 12 months) in 2,000 classes of 200 courses,
5 % of the members in the talent pool. The issue's full scale is 100,000 members and
1,000,000 enrollments (``--members 100000``); exam results and certificates live in the exams
and certificates domains, which are not part of this branch: their facts are absent here, so
they add nothing to the rebuild and the record (see the report).

    .venv/bin/python bench/records.py --members 20000 --duration 5
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.catalog import (  # noqa: E402 - after the path is set
    BASELINE,
    CORES,
    WRK_LUA,
    check_loopback,
    prepare_pg,
    seed_baseline,
    start_gunicorn,
    stop,
    wait_ready,
)

PG_APP_DB = "bench_records"
APP_PORT, BASE_PORT = 8311, 8312
SECRET = "bench-records-secret"   # noqa: S105 - a throwaway key for the benchmark's tokens
CITIES = ["海口", "三亚", "儋州", "琼海", "文昌", "万宁", "五指山", "东方"]
TRADES = ["低压电工", "高压电工", "焊工", "电梯安装维修工", "中式烹调师", "客房服务员", "育婴员", "养老护理员"]
UNIONS = [f"{c}市{t}基层工会" for c in CITIES for t in ("电网", "旅游", "农垦", "建工")]
EMPLOYERS = [f"海南{c}{k}有限公司" for c in CITIES for k in ("电力", "酒店", "农业", "建设", "物流")]


def load(url: str, members: int, per_member: int) -> dict:
    from sqlalchemy import insert, text

    from app import create_app
    from app.auth.models import Organization, RoleGrant, User
    from app.db import Base
    from app.membership.models import MemberProfile
    from app.models import import_all_models
    from courses.models import Course, Enrollment, Industry, TrainingClass, course_industries
    from courses.services.shelf import INDUSTRIES
    from records.models import TalentProfile

    import_all_models()
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET})
    engine = app.extensions["db_engine"]
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    rng = random.Random(20261129)
    now = datetime.now(UTC)
    started = time.monotonic()
    orgs = [{"id": i, "kind": "provider", "name": f"海南职业技能培训学校{i:02d}", "city": rng.choice(CITIES),
             "status": "approved", "contact_phone": "", "description": "", "decision_note": "", "created_at": now}
            for i in range(1, 21)]
    orgs += [{"id": 21, "kind": "enterprise", "name": "海南电网有限责任公司", "city": "海口", "status": "approved",
              "contact_phone": "", "description": "", "decision_note": "", "created_at": now},
             {"id": 22, "kind": "union", "name": "海南省总工会", "city": "海口", "status": "approved",
              "contact_phone": "", "description": "", "decision_note": "", "created_at": now}]
    industries = [{"id": i + 1, "code": c, "name_zh": zh, "name_en": en, "is_future": f, "position": i}
                  for i, (c, zh, en, f) in enumerate(INDUSTRIES)]
    courses, links, classes = [], [], []
    for cid in range(1, 201):
        courses.append({"id": cid, "provider_id": rng.randint(1, 20), "title": f"{rng.choice(TRADES)}培训（第{cid}期）",
                        "summary": "", "description_html": "", "skills": [], "hours": rng.choice([16, 24, 40, 64]),
                        "certificate_type": "", "status": "approved", "is_published": True, "review_note": "",
                        "created_at": now, "updated_at": now, "modes": " offline ", "cities": ""})
        links.append({"course_id": cid, "industry_id": rng.randint(1, len(industries))})
        for k in range(10):
            starts = (now - timedelta(days=rng.randint(0, 360))).date()
            classes.append({"id": (cid - 1) * 10 + k + 1, "course_id": cid, "title": f"第{k + 1}期", "mode": "offline",
                            "city": rng.choice(CITIES), "venue": "实训基地", "starts_on": starts,
                            "ends_on": starts + timedelta(days=3), "enroll_opens_at": now - timedelta(days=400),
                            "enroll_closes_at": now, "capacity": 100000, "seats_taken": 0,
                            "price": rng.choice([0, 68000, 128000]), "currency": "CNY", "free_for_members": False,
                            "requires_membership": False, "refund_rule": "full_before_start",
                            "refund_deadline_days": 0, "attendance_required_pct": 80, "status": "scheduled",
                            "cancel_reason": "", "created_at": now})
    n = members + 2
    users = [{"id": i, "name": f"职工{i}", "phone": f"139{i:08d}", "password_hash": "x", "is_active": True,
              "created_at": now, "credentials_version": 1} for i in range(1, n + 1)]
    grants = [{"user_id": i, "role": "worker", "organization_id": None, "created_at": now} for i in range(1, n + 1)]
    grants += [{"user_id": n - 1, "role": "enterprise_admin", "organization_id": 21, "created_at": now},
               {"user_id": n, "role": "union_admin", "organization_id": 22, "created_at": now}]
    profiles = [{"user_id": i, "member_no": f"HN{i:08d}", "union_name": rng.choice(UNIONS),
                 "employer_name": rng.choice(EMPLOYERS), "real_name": f"职工{i}", "id_number_cipher": b"x",
                 "id_number_hash": f"{i:064d}", "id_last4": "0000", "status": "verified", "submitted_at": now,
                 "decision_note": ""} for i in range(1, members + 1)]
    enrollments = []
    eid = 0
    for uid in range(1, members + 1):
        for class_id in rng.sample(range(1, len(classes) + 1), per_member):
            eid += 1
            done = rng.random() < 0.7
            at = now - timedelta(days=rng.randint(0, 364), hours=rng.randint(0, 23))
            enrollments.append({"id": eid, "class_id": class_id, "user_id": uid,
                                "status": "completed" if done else "confirmed", "amount_due": 0, "currency": "CNY",
                                "price_kind": rng.choice(["list", "member", "member_free"]), "created_at": at,
                                "confirmed_at": at, "completed_at": at + timedelta(days=4) if done else None,
                                "cancel_reason": "", "source": "self"})
    talent = []
    for uid in range(1, members + 1, 20):
        trade, city = rng.choice(TRADES), rng.choice(CITIES)
        talent.append({"user_id": uid, "is_listed": True, "show_trades": True, "show_certificates": True,
                       "show_city": True, "show_experience": False, "trades": [trade], "city": city,
                       "card": {"trades": [trade], "certificates": [], "city": city},
                       "search_text": f"|{trade}|", "certificate_text": "", "level_text": "", "shown_city": city,
                       "consented_at": now, "updated_at": now})
    with engine.begin() as conn:
        for table, rows in ((Organization.__table__, orgs), (Industry.__table__, industries),
                            (Course.__table__, courses), (course_industries, links),
                            (TrainingClass.__table__, classes), (User.__table__, users),
                            (RoleGrant.__table__, grants), (MemberProfile.__table__, profiles),
                            (Enrollment.__table__, enrollments), (TalentProfile.__table__, talent)):
            for start in range(0, len(rows), 10000):
                conn.execute(insert(table), rows[start:start + 10000])
        conn.execute(text("SELECT setval(pg_get_serial_sequence('users', 'id'), (SELECT max(id) FROM users))"))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    print(f"  loaded {members} members, {len(enrollments)} enrollments, {len(talent)} in the talent pool "
          f"in {time.monotonic() - started:.1f}s", flush=True)

    # the summaries: rebuilt as the beat job does
    from app.db import get_session
    from records.services.stats import rebuild_stats

    timings = []
    with app.app_context():
        for _ in range(2):
            t0 = time.perf_counter()
            rebuild = rebuild_stats(get_session(), now=now)
            get_session().commit()
            timings.append(time.perf_counter() - t0)
        cells = rebuild.cells
    from types import SimpleNamespace

    from app.auth.tokens import API_SALT, make_token

    def token(uid: int) -> str:
        return make_token(SECRET, API_SALT, SimpleNamespace(id=uid, credentials_version=1))

    engine.dispose()
    return {"rebuild_s": min(timings), "cells": cells, "member": token(members // 2),
            "enterprise": token(n - 1), "union": token(n)}


def fetch(url: str, bearer: str | None = None) -> int:
    check_loopback(url)
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {bearer}"} if bearer else {})  # noqa: S310
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - loopback only
        response.read()
        return response.status


def run_wrk(url: str, duration: int, conns: int, lua: Path, bearer: str | None = None) -> dict:
    check_loopback(url)
    cmd = ["wrk", "-t2", f"-c{conns}", f"-d{duration}s", "--latency", "-s", str(lua)]
    if bearer:
        cmd += ["-H", f"Authorization: Bearer {bearer}"]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, timeout=duration + 60).stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    stats = re.search(r"BENCH p50=(\d+) p95=(\d+) p99=(\d+) requests=(\d+) errors=(\d+)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if not rps or not stats:
        raise RuntimeError("wrk output not understood:\n" + out)
    return {"rps": float(rps.group(1)), "p50": int(stats.group(1)) / 1000, "p99": int(stats.group(3)) / 1000,
            "errors": int(stats.group(5)) + (int(non2xx.group(1)) if non2xx else 0)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=20_000)
    parser.add_argument("--enrollments-per-member", type=int, default=10)
    parser.add_argument("--duration", type=int, default=5, help="seconds per URL")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workdir", default="/tmp/bench_records")  # noqa: S108 - scratch data
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (apt-get install -y wrk)")
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    lua = workdir / "percentiles.lua"
    lua.write_text(WRK_LUA)
    url = prepare_pg(PG_APP_DB)
    facts = load(url, args.members, args.enrollments_per_member)
    print(f"  rebuild of the summaries: {facts['rebuild_s']:.2f}s ({facts['cells']} cells)", flush=True)
    base_env = seed_baseline(workdir, "postgres")
    base_env["PERFBASE_DB"] = "postgres"
    app_env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": SECRET, "UPLOAD_FOLDER": str(workdir / "uploads")}
    app = base = None
    rows = []
    try:
        app = start_gunicorn("wsgi:app", APP_PORT, ROOT, app_env, workdir / "app.log")
        base = start_gunicorn("app:app", BASE_PORT, BASELINE, base_env, workdir / "base.log")
        app_base, yard = f"http://127.0.0.1:{APP_PORT}", f"http://127.0.0.1:{BASE_PORT}/fortunes"
        wait_ready(app_base + "/healthz")
        wait_ready(yard)
        urls = [("member's record (API)", "/api/v1/me/record", facts["member"]),
                ("talent search (API, logged)", "/api/v1/talent?skill=电工&city=海口", facts["enterprise"]),
                ("union dashboard (API, a year by city)", "/api/v1/dashboard?by=city", facts["union"])]
        for _, path, bearer in urls:
            for _ in range(2 * CORES + 1):
                assert fetch(app_base + urllib.parse.quote(path, safe="/?=&"), bearer) == 200, path
        run_wrk(yard, 2, args.connections, lua)
        before = run_wrk(yard, args.duration, args.connections, lua)
        for label, path, bearer in urls:
            result = run_wrk(app_base + urllib.parse.quote(path, safe="/?=&"), args.duration, args.connections, lua,
                             bearer)
            rows.append({"label": label, "path": path, **result})
        after = run_wrk(yard, args.duration, args.connections, lua)
        fortunes = statistics.mean([before["rps"], after["rps"]])
        rows.append({"label": "yardstick /fortunes", "path": "/fortunes", "rps": fortunes,
                     "p50": statistics.mean([before["p50"], after["p50"]]),
                     "p99": statistics.mean([before["p99"], after["p99"]]), "errors": before["errors"] + after["errors"]})
    finally:
        stop(app)
        stop(base)
    print(f"\nrecords bench: {args.members} members, {args.members * args.enrollments_per_member} enrollments, "
          f"PostgreSQL, gunicorn sync x{2 * CORES + 1}, wrk -c{args.connections} -d{args.duration}s")
    print(f"{'what':<40} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'× fortunes':>10} {'errors':>6}")
    for row in rows:
        print(f"{row['label']:<40} {row['rps']:>8.1f} {row['p50']:>8.1f} {row['p99']:>8.1f} "
              f"{row['rps'] / fortunes:>10.2f} {row['errors']:>6}")
    print(f"summary rebuild: {facts['rebuild_s']:.2f}s ({facts['cells']} cells)")
    (workdir / "results.json").write_text(json.dumps({"rows": rows, "rebuild_s": facts["rebuild_s"],
                                                       "members": args.members}, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    import urllib.parse

    main()
