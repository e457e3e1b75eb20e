#!/usr/bin/env python3
"""Records benchmark (not a test): a member's record, the talent search and the union's
dashboard under wrk, side by side with the perf-baseline yardstick's ``/fortunes``, plus the
time to load the data and to rebuild the dashboard's summaries. Databases ``rec_records`` and
``rec_perfbase`` on PostgreSQL, a file in ``--workdir`` on SQLite.

Data (defaults: the issue's full scale), loaded with PostgreSQL ``COPY`` or SQLite Core
executemany, secondary indexes built after the load: ``--members`` verified members (100,000,
each with a grassroots union and an employer), ``--enrollments-per-member`` (10) enrollments
each (about 70 % completed, over the last 12 months) in 2,000 classes of 200 courses,
``--results`` (200,000) released exam results with their bookings over 800 sessions of 16
certificate types, ``--certificates`` (50,000) issued certificates, 5 % of the members in the
talent pool. wrk picks every request at random among distinct ones: ``--distinct-members``
members' own records (each with their own token), every talent search combination, every
dashboard breakdown over many periods. ``--profile`` writes pyinstrument profiles of each page
(in-process) to ``<workdir>/profile-<db>/``; ``--reuse`` skips the load. Wrap runs in
``flock /tmp/bench.lock``. Figures: docs/bench-records.md.

    flock /tmp/bench.lock .venv/bin/python bench/records.py --dbs postgres,sqlite --profile
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
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from itertools import chain
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

PG_APP_DB, PG_BASE_DB = "rec_records", "rec_perfbase"
APP_PORT, BASE_PORT = 8311, 8312
SECRET = "bench-records-secret"   # noqa: S105 - a throwaway key for the benchmark's tokens
CITIES = ["海口", "三亚", "儋州", "琼海", "文昌", "万宁", "五指山", "东方"]
TRADES = ["低压电工", "高压电工", "焊工", "电梯安装维修工", "中式烹调师", "客房服务员", "育婴员", "养老护理员"]
UNIONS = [f"{c}市{t}基层工会" for c in CITIES for t in ("电网", "旅游", "农垦", "建工")]
EMPLOYERS = [f"海南{c}{k}有限公司" for c in CITIES for k in ("电力", "酒店", "农业", "建设", "物流")]


# --- loading ------------------------------------------------------------------------------------

def _complete(table, rows: Iterable[dict], now: datetime) -> Iterator[dict]:
    """Rows with every column the ORM would have filled in (COPY applies no Python-side defaults)."""
    extras: dict | None = None
    for row in rows:
        if extras is None:
            extras = {}
            for column in table.columns:
                default = column.default
                if column.name in row or default is None:
                    continue
                extras[column.name] = default.arg if default.is_scalar else default.arg(None) if default.is_callable \
                    else None
        yield {**extras, **row} if extras else row


def put(conn, table, rows: Iterable[dict], now: datetime, *, batch: int = 50_000) -> int:
    """Load ``rows`` into ``table``: PostgreSQL COPY (text format, psycopg adapts the values), else
    Core executemany in batches of ``batch``. Returns the number of rows."""
    from sqlalchemy import JSON, insert

    rows = _complete(table, rows, now)
    done = 0
    if conn.dialect.name == "postgresql":
        first = next(rows, None)
        if first is None:
            return 0
        columns = list(first)
        json_columns = {c.name for c in table.columns if isinstance(c.type, JSON)}
        names = ", ".join(f'"{c}"' for c in columns)
        cursor = conn.connection.driver_connection.cursor()
        with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
            for row in chain((first,), rows):
                copy.write_row([json.dumps(row[c], ensure_ascii=False) if c in json_columns else row[c]
                                for c in columns])
                done += 1
        return done
    chunk: list[dict] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= batch:
            conn.execute(insert(table), chunk)
            done, chunk = done + len(chunk), []
    if chunk:
        conn.execute(insert(table), chunk)
        done += len(chunk)
    return done


def load(url: str, members: int, per_member: int, results: int, certificates: int) -> dict:
    """Fill an empty schema with a year of data; returns counts, tokens and the chosen members."""
    from sqlalchemy import text
    from sqlalchemy.schema import CreateIndex, DropIndex

    from app import create_app
    from app.auth.models import Organization, RoleGrant, User
    from app.db import Base
    from app.membership.models import MemberProfile
    from app.models import import_all_models
    from certificates.models import Certificate
    from courses.models import Course, Enrollment, Industry, TrainingClass, course_industries
    from courses.services.shelf import INDUSTRIES
    from exams.models import (
        CertificateComponent,
        CertificateType,
        ComponentResult,
        ExamBooking,
        ExamSession,
    )
    from records.models import TalentProfile

    import_all_models()
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET})
    engine = app.extensions["db_engine"]
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    rng = random.Random(20261129)
    now = datetime.now(UTC)
    started = time.monotonic()
    pg = engine.dialect.name == "postgresql"
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
    # certificate types (one per trade, two levels), each with a theory and a practical exam
    types, components, sessions = [], [], []
    for t, trade in enumerate(TRADES):
        for lv, level in enumerate(("初级", "中级")):
            tid = t * 2 + lv + 1
            types.append({"id": tid, "code": f"T{tid:02d}", "name_zh": f"{trade}（{level}）", "name_en": "",
                          "level": level, "description": "", "validity_months": 72, "review_training_hours": 0,
                          "auto_issue": True, "exam_fee": 0, "currency": "CNY", "requires_membership": False,
                          "appeal_days": 7, "is_active": True, "created_at": now, "updated_at": now})
            for k, kind in enumerate(("theory", "practical")):
                components.append({"id": (tid - 1) * 2 + k + 1, "certificate_type_id": tid, "kind": kind,
                                   "position": k, "max_score": 100, "pass_mark": 60, "duration_minutes": 120,
                                   "retake_limit": 1, "pass_valid_months": 12, "double_marking": False,
                                   "marking_tolerance": 5})
    for sid in range(1, 801):
        component = components[(sid - 1) % len(components)]
        starts_at = now - timedelta(days=rng.randint(10, 360), hours=rng.randint(0, 8))
        sessions.append({"id": sid, "certificate_type_id": component["certificate_type_id"],
                         "component_id": component["id"], "title": f"考试场次{sid}", "mode": "offline",
                         "city": rng.choice(CITIES), "venue": "考点", "room": "", "capacity": 100000,
                         "seats_taken": 0, "starts_at": starts_at, "ends_at": starts_at + timedelta(hours=2),
                         "booking_opens_at": starts_at - timedelta(days=30),
                         "booking_closes_at": starts_at - timedelta(days=1),
                         "cancel_deadline_at": starts_at - timedelta(days=2), "staffing": {},
                         "status": "released", "released_at": starts_at + timedelta(days=5), "created_at": now})
    n = members + 2

    def users():
        for i in range(1, n + 1):
            yield {"id": i, "name": f"职工{i}", "phone": f"139{i:08d}", "password_hash": "x", "is_active": True,
                   "created_at": now, "credentials_version": 1}

    def grants():
        for i in range(1, n + 1):
            yield {"id": i, "user_id": i, "role": "worker", "organization_id": None, "created_at": now}
        yield {"id": n + 1, "user_id": n - 1, "role": "enterprise_admin", "organization_id": 21, "created_at": now}
        yield {"id": n + 2, "user_id": n, "role": "union_admin", "organization_id": 22, "created_at": now}

    def profiles():
        for i in range(1, members + 1):
            yield {"id": i, "user_id": i, "member_no": f"HN{i:08d}", "union_name": rng.choice(UNIONS),
                   "employer_name": rng.choice(EMPLOYERS), "real_name": f"职工{i}", "id_number_cipher": b"x",
                   "id_number_hash": f"{i:064d}", "id_last4": "0000", "status": "verified", "submitted_at": now,
                   "decided_at": now, "decision_note": ""}

    counts = {"enrollments": 0}

    def enrollments():
        eid = 0
        for uid in range(1, members + 1):
            for class_id in rng.sample(range(1, len(classes) + 1), per_member):
                eid += 1
                done = rng.random() < 0.7
                at = now - timedelta(days=rng.randint(0, 364), hours=rng.randint(0, 23))
                yield {"id": eid, "class_id": class_id, "user_id": uid,
                       "status": "completed" if done else "confirmed", "amount_due": 0, "currency": "CNY",
                       "price_kind": rng.choice(("list", "member", "member_free")), "created_at": at,
                       "confirmed_at": at, "completed_at": at + timedelta(days=4) if done else None,
                       "cancel_reason": "", "source": "self"}
        counts["enrollments"] = eid

    def bookings_and_results():
        bookings, outcomes, seen = [], [], set()
        for rid in range(1, results + 1):
            s, uid = sessions[rng.randrange(len(sessions))], rng.randint(1, members)
            while (s["id"], uid) in seen:    # one active booking per person and session
                s, uid = sessions[rng.randrange(len(sessions))], rng.randint(1, members)
            seen.add((s["id"], uid))
            score = rng.randint(30, 100)
            bookings.append({"id": rid, "exam_session_id": s["id"], "user_id": uid, "status": "checked_in",
                             "seat_no": None, "starts_at": s["starts_at"], "ends_at": s["ends_at"],
                             "ticket_token": f"t{rid:015d}", "time_allowance_minutes": 0, "amount_due": 0,
                             "created_at": s["starts_at"] - timedelta(days=10)})
            outcomes.append({"id": rid, "booking_id": rid, "user_id": uid,
                             "certificate_type_id": s["certificate_type_id"], "component_id": s["component_id"],
                             "exam_session_id": s["id"], "score": score, "passed": score >= 60, "absent": False,
                             "sat_at": s["starts_at"], "released_at": s["released_at"],
                             "valid_until": s["starts_at"] + timedelta(days=365)})
        return bookings, outcomes

    def certificate_rows():
        for cid in range(1, certificates + 1):
            t = types[rng.randrange(len(types))]
            uid = rng.randint(1, members)
            issued = now - timedelta(days=rng.randint(0, 364))
            yield {"id": cid, "source_key": f"bench:{cid}", "number": f"{t['code']}-{issued.year}-{cid:07d}-0",
                   "token": f"c{cid:031d}", "kind": "appraisal", "state": "issued", "user_id": uid,
                   "certificate_type_id": t["id"], "type_code": t["code"], "title": t["name_zh"], "title_en": "",
                   "level": t["level"], "description": "", "holder_name": f"职工{uid}", "id_last4": "0000",
                   "issuer_name": "海南省总工会", "validity_months": 72, "review_training_hours": 0,
                   "valid_from": issued, "valid_until": issued + timedelta(days=rng.choice((60, 72 * 30))),
                   "proposed_at": issued, "issued_at": issued, "suspension_reason": "", "revocation_reason": ""}

    def talent():
        for uid in range(1, members + 1, 20):
            trade, city = rng.choice(TRADES), rng.choice(CITIES)
            yield {"user_id": uid, "is_listed": True, "show_trades": True, "show_certificates": True,
                   "show_city": True, "show_experience": False, "trades": [trade], "city": city,
                   "card": {"trades": [trade], "certificates": [], "city": city},
                   "search_text": f"|{trade}|", "certificate_text": "", "level_text": "", "shown_city": city,
                   "consented_at": now, "updated_at": now}

    big = (User.__table__, RoleGrant.__table__, MemberProfile.__table__, Enrollment.__table__,
           ExamBooking.__table__, ComponentResult.__table__, Certificate.__table__)
    bookings, outcomes = bookings_and_results()
    with engine.begin() as conn:
        # Secondary indexes are built once after the load (much faster than row by row); on
        # PostgreSQL the foreign-key triggers are off for this session (the data is consistent).
        dropped = [ix for table in big for ix in table.indexes]
        for ix in dropped:
            conn.execute(DropIndex(ix))
        if pg:
            conn.execute(text("SET session_replication_role = replica"))
        else:
            conn.exec_driver_sql("PRAGMA foreign_keys = OFF")
        loaded = {}
        for table, rows in ((Organization.__table__, orgs), (Industry.__table__, industries),
                            (Course.__table__, courses), (course_industries, links),
                            (TrainingClass.__table__, classes), (CertificateType.__table__, types),
                            (CertificateComponent.__table__, components), (ExamSession.__table__, sessions),
                            (User.__table__, users()), (RoleGrant.__table__, grants()),
                            (MemberProfile.__table__, profiles()), (Enrollment.__table__, enrollments()),
                            (ExamBooking.__table__, bookings), (ComponentResult.__table__, outcomes),
                            (Certificate.__table__, certificate_rows()), (TalentProfile.__table__, talent())):
            t0 = time.monotonic()
            loaded[table.name] = put(conn, table, rows, now)
            if loaded[table.name] > 50_000:
                print(f"    {table.name}: {loaded[table.name]} rows in {time.monotonic() - t0:.1f}s", flush=True)
        t0 = time.monotonic()
        if pg:
            conn.execute(text("SET session_replication_role = DEFAULT"))
        for ix in dropped:
            conn.execute(CreateIndex(ix))
        print(f"    {len(dropped)} secondary indexes rebuilt in {time.monotonic() - t0:.1f}s", flush=True)
        if pg:
            for table in Base.metadata.sorted_tables:
                if table.name in loaded and "id" in table.columns and table.columns["id"].type.python_type is int:
                    conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "  # noqa: S608
                                      f"coalesce((SELECT max(id) FROM \"{table.name}\"), 0) + 1, false)"))
    if pg:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    else:
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    print(f"  loaded {members} members, {loaded['enrollments']} enrollments, {loaded['exam_component_results']} "
          f"exam results, {loaded['certificates']} certificates, {loaded['talent_profiles']} in the talent pool "
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
    engine.dispose()
    return {"rebuild_s": min(timings), "cells": cells, "members": members, "enterprise_id": n - 1, "union_id": n,
            "counts": loaded}


def reused(url: str) -> dict:
    """The facts of a database an earlier run loaded (``--reuse``: no load, no rebuild timing)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as conn:
        count = {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()  # noqa: S608 - fixed names
                 for t in ("member_profiles", "enrollments", "exam_component_results", "certificates",
                           "talent_profiles", "users", "record_stats")}
    engine.dispose()
    n = count["users"]
    return {"rebuild_s": float("nan"), "cells": count["record_stats"], "members": count["member_profiles"],
            "enterprise_id": n - 1, "union_id": n, "counts": count}


def token(uid: int) -> str:
    from types import SimpleNamespace

    from app.auth.tokens import API_SALT, make_token

    return make_token(SECRET, API_SALT, SimpleNamespace(id=uid, credentials_version=1))


# --- distinct requests ------------------------------------------------------------------------------

def record_requests(facts: dict, n: int) -> list[tuple[str, str]]:
    """``n`` distinct members' own records (each with their own token)."""
    rng = random.Random(7)
    return [("/api/v1/me/record", token(uid)) for uid in rng.sample(range(1, facts["members"] + 1), n)]


def talent_requests(facts: dict) -> list[tuple[str, str]]:
    """Every combination of a skill word, a certificate type, a level and a city people search by."""
    bearer = token(facts["enterprise_id"])
    words = sorted({w for t in TRADES for w in (t, t[-2:], t[:2])})
    paths = []
    for word in words:
        paths.append(f"/api/v1/talent?skill={word}")
        for city in CITIES:
            paths.append(f"/api/v1/talent?skill={word}&city={city}")
    for trade in TRADES:
        for level in ("初级", "中级"):
            paths.append(f"/api/v1/talent?certificate_type={trade}&level={level}")
            for city in CITIES:
                paths.append(f"/api/v1/talent?certificate_type={trade}&level={level}&city={city}")
    for city in CITIES:
        for page in (1, 2, 3):
            paths.append(f"/api/v1/talent?city={city}&page={page}")
    return [(urllib.parse.quote(p, safe="/?=&"), bearer) for p in paths]


def dashboard_requests(facts: dict) -> list[tuple[str, str]]:
    """Every breakdown for many periods (a month, a quarter, half a year, a year)."""
    bearer = token(facts["union_id"])
    today = datetime.now(UTC).date().replace(day=1)
    months = [(today.replace(day=1) - timedelta(days=31 * k)).replace(day=1) for k in range(13)]
    paths = []
    for by in ("industry", "city", "union_name", "enterprise", "provider", "kind"):
        for i, end in enumerate(months):
            for span in (0, 2, 5, 11):
                if i + span < len(months):
                    paths.append(f"/api/v1/dashboard?by={by}&from={months[i + span]:%Y-%m}&to={end:%Y-%m}")
    return [(p, bearer) for p in paths]


def lua_for(workdir: Path, name: str, requests: list[tuple[str, str]]) -> Path:
    """A wrk script whose every request picks one (path, bearer) pair at random (per-thread seed)."""
    body = ",\n".join(f'  {{"{p}", "Bearer {b}"}}' for p, b in requests)
    script = (f"local reqs = {{\n{body}\n}}\n"
              "local threads = 0\n"
              "function setup(thread) threads = threads + 1; thread:set(\"tid\", threads) end\n"
              "function init(args) math.randomseed(os.time() * 1000 + (tid or 1) * 7919) end\n"
              "function request()\n"
              "  local r = reqs[math.random(1, #reqs)]\n"
              "  return wrk.format(\"GET\", r[1], {[\"Authorization\"] = r[2]})\n"
              "end\n" + WRK_LUA)
    path = workdir / f"{name}.lua"
    path.write_text(script)
    return path


# --- in-process: wall and CPU time per request, and a profile -------------------------------------

def in_process(url: str, groups: dict[str, list[tuple[str, str]]], *, sample: int, profile_dir: Path | None) -> dict:
    """Each group's requests through the Flask test client, ``sample`` distinct ones each: median and
    p95 wall time and CPU time (ms). With ``profile_dir``, a pyinstrument profile per group."""
    from app import create_app

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET})
    client = app.test_client()
    out = {}
    for label, requests in groups.items():
        chosen = requests[:sample] if len(requests) > sample else requests
        for path, bearer in chosen[:3]:                       # warm caches and the pool
            client.get(path, headers={"Authorization": f"Bearer {bearer}"})
        walls, cpus = [], []
        for path, bearer in chosen:
            w0, c0 = time.perf_counter(), time.process_time()
            response = client.get(path, headers={"Authorization": f"Bearer {bearer}"})
            cpus.append((time.process_time() - c0) * 1000)
            walls.append((time.perf_counter() - w0) * 1000)
            assert response.status_code == 200, (path, response.status_code, response.get_data(as_text=True)[:300])
        walls.sort()
        cpus.sort()
        out[label] = {"wall_p50": statistics.median(walls), "wall_p95": walls[int(len(walls) * 0.95) - 1],
                      "cpu_p50": statistics.median(cpus), "cpu_p95": cpus[int(len(cpus) * 0.95) - 1],
                      "n": len(chosen)}
        if profile_dir is not None:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.0005)
            profiler.start()
            for path, bearer in chosen[:50]:
                client.get(path, headers={"Authorization": f"Bearer {bearer}"})
            profiler.stop()
            name = re.sub(r"\W+", "-", label).strip("-")
            (profile_dir / f"{name}.txt").write_text(profiler.output_text(unicode=True, color=False, show_all=False))
            (profile_dir / f"{name}.html").write_text(profiler.output_html())
        print(f"  in-process {label:<32} wall p50 {out[label]['wall_p50']:.1f} ms p95 {out[label]['wall_p95']:.1f}"
              f" | CPU p50 {out[label]['cpu_p50']:.1f} ms p95 {out[label]['cpu_p95']:.1f}  (n={len(chosen)})",
              flush=True)
    app.extensions["db_engine"].dispose()
    return out


def fetch(url: str, bearer: str | None = None) -> int:
    check_loopback(url)
    request = urllib.request.Request(url, headers={"Authorization": bearer} if bearer else {})  # noqa: S310
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - loopback only
        response.read()
        return response.status


def run_wrk(url: str, duration: int, conns: int, lua: Path) -> dict:
    check_loopback(url)
    cmd = ["wrk", "-t2", f"-c{conns}", f"-d{duration}s", "--latency", "-s", str(lua), url]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60).stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    stats = re.search(r"BENCH p50=(\d+) p95=(\d+) p99=(\d+) requests=(\d+) errors=(\d+)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if not rps or not stats:
        raise RuntimeError("wrk output not understood:\n" + out)
    return {"rps": float(rps.group(1)), "p50": int(stats.group(1)) / 1000, "p99": int(stats.group(3)) / 1000,
            "errors": int(stats.group(5)) + (int(non2xx.group(1)) if non2xx else 0)}


def bench_db(kind: str, args, workdir: Path, lua: Path) -> dict:
    url = (f"sqlite:///{workdir / 'records.sqlite3'}" if kind == "sqlite"
           else f"postgresql://postgres@127.0.0.1:5432/{PG_APP_DB}")
    print(f"== {kind}", flush=True)
    if args.reuse:
        facts = reused(url)
    else:
        if kind == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(f"{workdir / 'records.sqlite3'}{suffix}").unlink(missing_ok=True)
        else:
            url = prepare_pg(PG_APP_DB)
        facts = load(url, args.members, args.enrollments_per_member, args.results, args.certificates)
    print(f"  rebuild of the summaries: {facts['rebuild_s']:.2f}s ({facts['cells']} cells)", flush=True)
    groups = {"member's record (API)": record_requests(facts, args.distinct_members),
              "talent search (API, logged)": talent_requests(facts),
              "union dashboard (API)": dashboard_requests(facts)}
    for label, requests in groups.items():
        print(f"  {label}: {len(requests)} distinct requests", flush=True)
    inproc = in_process(url, groups, sample=args.sample,
                        profile_dir=(workdir / f"profile-{kind}") if args.profile else None)
    rows = []
    if args.inprocess_only:
        return {"db": kind, "facts": facts, "inproc": inproc, "rows": rows}
    base_env = seed_baseline(workdir, kind, PG_BASE_DB)
    base_env["PERFBASE_DB"] = kind
    app_env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": SECRET, "UPLOAD_FOLDER": str(workdir / "uploads")}
    app = base = None
    try:
        app = start_gunicorn("wsgi:app", APP_PORT, ROOT, app_env, workdir / f"app-{kind}.log")
        base = start_gunicorn("app:app", BASE_PORT, BASELINE, base_env, workdir / f"base-{kind}.log")
        app_base, yard = f"http://127.0.0.1:{APP_PORT}", f"http://127.0.0.1:{BASE_PORT}/fortunes"
        wait_ready(app_base + "/healthz")
        wait_ready(yard)
        scripts = {}
        for label, requests in groups.items():
            for path, bearer in requests[:2 * CORES + 1]:
                assert fetch(app_base + path, "Bearer " + bearer) == 200, path
            scripts[label] = lua_for(workdir, re.sub(r"\W+", "-", label).strip("-"), requests)
        run_wrk(yard, 2, args.connections, lua)
        before = run_wrk(yard, args.duration, args.connections, lua)
        for label, requests in groups.items():
            result = run_wrk(app_base + "/", args.duration, args.connections, scripts[label])
            rows.append({"label": f"{label}, {len(requests)} distinct", **result})
            print(f"  {rows[-1]['label']:<48} {result['rps']:>8.1f} req/s  p50 {result['p50']:.1f}  "
                  f"p99 {result['p99']:.1f} ms  errors {result['errors']}", flush=True)
        after = run_wrk(yard, args.duration, args.connections, lua)
        fortunes = statistics.mean([before["rps"], after["rps"]])
        rows.append({"label": "yardstick /fortunes", "rps": fortunes,
                     "p50": statistics.mean([before["p50"], after["p50"]]),
                     "p99": statistics.mean([before["p99"], after["p99"]]), "errors": before["errors"] + after["errors"]})
    finally:
        stop(app)
        stop(base)
    for row in rows:
        row["ratio"] = row["rps"] / fortunes
    return {"db": kind, "facts": facts, "inproc": inproc, "rows": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dbs", default="postgres", help="postgres, sqlite or both (comma-separated)")
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--enrollments-per-member", type=int, default=10)
    parser.add_argument("--results", type=int, default=200_000, help="exam results (component results)")
    parser.add_argument("--certificates", type=int, default=50_000)
    parser.add_argument("--distinct-members", type=int, default=2_000, help="members whose records wrk asks for")
    parser.add_argument("--duration", type=int, default=10, help="seconds per page")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--sample", type=int, default=200, help="distinct requests timed in-process per page")
    parser.add_argument("--profile", action="store_true", help="pyinstrument profiles (needs pyinstrument)")
    parser.add_argument("--reuse", action="store_true", help="the database an earlier run loaded (no load)")
    parser.add_argument("--inprocess-only", action="store_true", help="load and time in-process; no servers")
    parser.add_argument("--workdir", default="/tmp/bench_records")  # noqa: S108 - scratch data
    args = parser.parse_args()
    if shutil.which("wrk") is None and not args.inprocess_only:
        sys.exit("wrk is not installed (apt-get install -y wrk)")
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    for kind in args.dbs.split(","):
        (workdir / f"profile-{kind}").mkdir(exist_ok=True)
    lua = workdir / "percentiles.lua"
    lua.write_text(WRK_LUA)
    results = [bench_db(kind, args, workdir, lua) for kind in args.dbs.split(",")]
    for result in results:
        facts = result["facts"]
        counts = facts["counts"]
        print(f"\nrecords bench, {result['db']}: {args.members} members, {counts['enrollments']} enrollments, "
              f"{counts['exam_component_results']} exam results, {counts['certificates']} certificates; "
              f"gunicorn sync x{2 * CORES + 1}, wrk -t2 -c{args.connections} -d{args.duration}s, distinct requests")
        if result["rows"]:
            print(f"{'what':<48} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'× fortunes':>10} {'errors':>6}")
            for row in result["rows"]:
                print(f"{row['label']:<48} {row['rps']:>8.1f} {row['p50']:>8.1f} {row['p99']:>8.1f} "
                      f"{row['ratio']:>10.2f} {row['errors']:>6}")
        for label, t in result["inproc"].items():
            print(f"in-process {label:<36} wall p50 {t['wall_p50']:.1f} p95 {t['wall_p95']:.1f} ms, "
                  f"CPU p50 {t['cpu_p50']:.1f} p95 {t['cpu_p95']:.1f} ms")
        print(f"summary rebuild: {facts['rebuild_s']:.2f}s ({facts['cells']} cells)")
    (workdir / "results.json").write_text(json.dumps(
        [{k: v for k, v in r.items()} for r in results], ensure_ascii=False, indent=1, default=str))


if __name__ == "__main__":
    main()
