#!/usr/bin/env python3
"""Catalog benchmark (not a test): 10,000 courses / 30,000 classes, served by gunicorn on
loopback, driven by wrk, side by side with the perf-baseline yardstick's ``/fortunes``.

For each database (SQLite file, PostgreSQL database ``bench_catalog``) it:
  1. creates the schema and loads deterministic Chinese data straight through SQLAlchemy Core
     (listing columns and the courses' search documents computed by the app's own code);
  2. seeds the yardstick (/work/shared/perf-baseline, read-only) into a scratch folder and
     its own PostgreSQL database ``bench_perfbase``;
  3. starts the app and the yardstick under gunicorn (sync, 2×cores+1 workers) on 127.0.0.1;
  4. measures each URL with ``wrk -t2 -c32 -d<N>s`` (fortunes before and after, averaged),
     prints req/s, p50/p95/p99 and the ratio to fortunes; stops both servers.

Beside the repeated URLs, "distinct searches" is a wrk script that picks every request at random
among ``--distinct`` (30,000) distinct catalog URLs — single words, word pairs, word + city,
industry + mode + city, API searches — so nearly every request misses the 10-second page cache,
as real people's searches do (with 3,000 URLs, as the issue measured, a worker meets the same URL
again within 10 s often enough to flatter the figure); its in-process cost is printed too.

Loopback only, every run bounded in time, only the servers it started are stopped, and the
``test`` database is never touched.

    .venv/bin/python bench/catalog.py --duration 5            # both databases
    .venv/bin/python bench/catalog.py --dbs sqlite --duration 3
    .venv/bin/python bench/catalog.py --only "course page,class page"   # a subset of the URLs
    .venv/bin/python bench/catalog.py --only distinct --courses 1000 --classes 3000
    .venv/bin/python bench/catalog.py --inprocess-only --courses 100000 --classes 300000
    # on a machine others use: --port, --pg-db, --pg-base-db, --workdir of your own
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BASELINE = Path("/work/shared/perf-baseline")
VENV_BIN = Path(sys.executable).parent
CORES = os.cpu_count() or 1
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_APP_DB = "bench_catalog"
PG_BASE_DB = "bench_perfbase"
APP_PORT, BASE_PORT = 8301, 8302

WRK_LUA = """
done = function(summary, latency, requests)
  io.write(string.format("BENCH p50=%d p95=%d p99=%d requests=%d errors=%d\\n",
    latency:percentile(50), latency:percentile(95), latency:percentile(99), summary.requests,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout))
end
"""

CITIES = ["海口", "三亚", "儋州", "琼海", "文昌", "万宁", "五指山", "陵水", "澄迈", "定安"]
TRADES = [
    ("低压电工作业", "hightech", "特种作业操作证（低压电工作业）"), ("高压电工作业", "hightech", "特种作业操作证（高压电工作业）"),
    ("高处作业", "hightech", "特种作业操作证（高处作业）"), ("焊工", "hightech", "特种作业操作证（熔化焊接与热切割作业）"),
    ("电梯安装维修", "hightech", ""), ("无人机驾驶员", "aerospace", "民用无人机驾驶员执照"),
    ("卫星遥感数据处理", "aerospace", ""), ("导游", "tourism", "导游员职业技能等级证书"),
    ("酒店前厅服务", "tourism", ""), ("中式烹调师", "tourism", "中式烹调师职业技能等级证书"),
    ("养老护理员", "services", "养老护理员职业技能等级证书"), ("家政服务员", "services", ""),
    ("育婴员", "services", "育婴员职业技能等级证书"), ("直播电商运营", "services", "互联网营销师"),
    ("网络安全运维", "hightech", ""), ("数据标注", "hightech", ""), ("芒果嫁接", "tropical_agriculture", ""),
    ("槟榔病虫害防治", "tropical_agriculture", ""), ("热带水果采后处理", "tropical_agriculture", ""),
    ("南繁制种", "seed_breeding", "农作物种子繁育员"), ("深海潜水员", "deep_sea", ""),
    ("海洋装备运维", "deep_sea", ""), ("叉车司机", "services", "特种设备作业人员证"), ("新能源汽车维修", "hightech", ""),
]
LEVELS = ["初级", "中级", "高级", "取证", "复审", "提升"]
SKILLS = ["安全操作", "应急处置", "设备维护", "职业道德", "实操训练", "法律法规", "服务礼仪", "质量控制"]


def check_loopback(url: str) -> None:
    if not re.match(r"^http://127\.0\.0\.1:\d+/", url):
        sys.exit(f"refusing non-loopback target: {url}")


# --- data ---------------------------------------------------------------------------------

def prepare_pg(db_name: str) -> str:
    assert db_name not in ("test", "postgres"), "never the test database"
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{db_name}"')
    return f"postgresql://postgres@127.0.0.1:5432/{db_name}"


def load_catalog(url: str, n_courses: int, n_classes: int) -> dict:
    """Create the schema and load the catalog; returns facts the URLs need."""
    from sqlalchemy import insert, text

    from app import create_app
    from app.auth.models import Organization
    from app.db import Base
    from app.models import import_all_models
    from courses import search
    from courses.models import (
        Course,
        CourseDocument,
        Industry,
        TrainingClass,
        course_industries,
    )
    from courses.pricing import price_for
    from courses.search.index import document_row, title_terms
    from courses.services.shelf import INDUSTRIES

    import_all_models()
    app = create_app({"DATABASE_URL": url})
    engine = app.extensions["db_engine"]
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    rng = random.Random(20261122)
    now = datetime.now(UTC)
    today = now.date()
    started = time.monotonic()
    providers = [{"id": i, "kind": "provider", "name": f"海南{rng.choice(CITIES)}职业技能培训学校{i:02d}",
                  "city": rng.choice(CITIES), "status": "approved", "contact_phone": "", "description": "",
                  "decision_note": "", "created_at": now} for i in range(1, 51)]
    industries = [{"id": i + 1, "code": c, "name_zh": zh, "name_en": en, "is_future": f, "position": i}
                  for i, (c, zh, en, f) in enumerate(INDUSTRIES)]
    industry_by_code = {row["code"]: row for row in industries}
    courses, links, classes, documents = [], [], [], []
    class_id = 0
    per_course = max(n_classes // n_courses, 1)
    for cid in range(1, n_courses + 1):
        trade, industry_code, certificate = rng.choice(TRADES)
        level, city = rng.choice(LEVELS), rng.choice(CITIES)
        provider = providers[rng.randrange(50)]
        codes = [industry_code] + ([rng.choice(INDUSTRIES)[0]] if rng.random() < 0.3 else [])
        codes = list(dict.fromkeys(codes))
        public = rng.random() < 0.95
        course = {
            "id": cid, "provider_id": provider["id"], "title": f"{trade}{level}培训班（第{cid}期）",
            "summary": f"面向{city}职工的{trade}{level}课程，理论与实操结合，{rng.choice(SKILLS)}。",
            "description_html": f"<p>{trade}培训</p>", "skills": rng.sample(SKILLS, 2), "hours": rng.randint(8, 120),
            "certificate_type": certificate, "status": "approved" if public else "draft", "is_published": public,
            "review_note": "", "created_at": now - timedelta(minutes=n_courses - cid), "updated_at": now,
        }
        course_classes = []
        for _ in range(per_course):
            class_id += 1
            starts = today + timedelta(days=rng.randint(1, 180))
            mode = rng.choice(["online", "offline", "offline", "blended"])
            price = rng.choice([0, 30000, 68000, 98000, 128000, 168000, 298000])
            member = int(price * rng.choice([0.8, 0.9])) if price and rng.random() < 0.6 else None
            row = {
                "id": class_id, "course_id": cid, "title": f"第{class_id}期", "mode": mode,
                "city": "" if mode == "online" else rng.choice(CITIES), "venue": "" if mode == "online" else "实训基地",
                "starts_on": starts, "ends_on": starts + timedelta(days=rng.randint(1, 10)),
                "enroll_opens_at": now - timedelta(days=7),
                "enroll_closes_at": datetime.combine(starts, datetime.min.time(), tzinfo=UTC) - timedelta(hours=8),
                "capacity": rng.choice([20, 30, 40, 60]), "seats_taken": 0, "price": price, "member_price": member,
                "currency": "CNY", "free_for_members": rng.random() < 0.1, "requires_membership": False,
                "refund_rule": "full_before_start", "refund_deadline_days": 0, "attendance_required_pct": 80,
                "status": "scheduled", "cancel_reason": "", "created_at": now,
            }
            course_classes.append(row)
        classes += course_classes
        ns = [SimpleNamespace(**c) for c in course_classes]
        list_prices = [price_for(c, is_verified_member=False).amount for c in ns]
        member_prices = [price_for(c, is_verified_member=True).amount for c in ns]
        modes = sorted({c["mode"] for c in course_classes})
        cities = sorted({c["city"] for c in course_classes if c["city"]})
        course.update(next_start_on=min(c["starts_on"] for c in course_classes), price_from=min(list_prices),
                      member_price_from=min(member_prices), has_free_member_class=0 in member_prices,
                      modes=f" {' '.join(modes)} ", cities=f" {' '.join(cities)} " if cities else "")
        courses.append(course)
        links += [{"course_id": cid, "industry_id": industry_by_code[c]["id"]} for c in codes]
        shaped = SimpleNamespace(
            title=course["title"], summary=course["summary"], certificate_type=certificate, skills=course["skills"],
            provider=SimpleNamespace(name=provider["name"]),
            industries=[SimpleNamespace(name_zh=industry_by_code[c]["name_zh"], name_en=industry_by_code[c]["name_en"])
                        for c in codes])
        documents.append(document_row(cid, title_terms(shaped), search.course_terms(shaped)))
    from courses.models import SearchSynonym
    from courses.search.seed import SYNONYMS

    synonyms = list({(search.normalize(t), search.normalize(e)): {
        "term": search.normalize(t), "expansion": search.normalize(e), "two_way": two_way, "featured": featured,
        "created_at": now} for t, e, two_way, featured in SYNONYMS}.values())
    with engine.begin() as conn:
        conn.execute(insert(SearchSynonym.__table__), synonyms)
        conn.execute(insert(Organization.__table__), providers)
        conn.execute(insert(Industry.__table__), industries)
        for table, rows in ((Course.__table__, courses), (course_industries, links),
                            (TrainingClass.__table__, classes), (CourseDocument.__table__, documents)):
            for start in range(0, len(rows), 5000):
                conn.execute(insert(table), rows[start:start + 5000])
    # Steady state as autovacuum would leave it: statistics and a visibility map (index-only scans).
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE" if url.startswith("postgresql") else "ANALYZE"))
    engine.dispose()
    print(f"  loaded {len(courses)} courses, {len(classes)} classes, "
          f"{sum(len(d['body'].split()) for d in documents)} search terms in {time.monotonic() - started:.1f}s",
          flush=True)
    public = [c["id"] for c in courses if c["is_published"]]
    middle = public[len(public) // 2]
    return {"course_id": middle, "class_id": next(c["id"] for c in classes if c["course_id"] == middle)}


def seed_baseline(workdir: Path, kind: str, base_db: str = PG_BASE_DB) -> dict:
    env = {**os.environ, "PERFBASE_DIR": str(workdir / "perfbase"),
           "PERFBASE_PG_URL": f"postgresql+psycopg://postgres@127.0.0.1:5432/{base_db}"}
    (workdir / "perfbase").mkdir(parents=True, exist_ok=True)
    if kind == "postgres":
        prepare_pg(base_db)
    subprocess.run([str(VENV_BIN / "python"), "seed.py", kind], cwd=BASELINE, env=env, check=True, timeout=300,
                   stdout=subprocess.DEVNULL)
    return env


# --- servers and wrk ----------------------------------------------------------------------

def wait_port(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port}")


def start_gunicorn(app_spec: str, port: int, cwd: Path, env: dict, log: Path) -> subprocess.Popen:
    cmd = [str(VENV_BIN / "gunicorn"), "-k", "sync", "-w", str(2 * CORES + 1), "-b", f"127.0.0.1:{port}",
           "--timeout", "30", app_spec]
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
                            start_new_session=True)
    wait_port(port)
    return proc


def wait_ready(url: str, timeout: float = 120) -> None:
    """Workers load the app (and jieba's dictionary) after the port opens: wait until they answer."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if fetch(url)[0] == 200:
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.5)


def stop(proc: subprocess.Popen | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


def fetch(url: str) -> tuple[int, bytes]:
    check_loopback(url)
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - loopback only
        return response.status, response.read()


def run_wrk(url: str, duration: int, conns: int, lua: Path) -> dict:
    check_loopback(url)
    cmd = ["wrk", "-t2", f"-c{conns}", f"-d{duration}s", "--latency", "-s", str(lua), url]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 30).stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    stats = re.search(r"BENCH p50=(\d+) p95=(\d+) p99=(\d+) requests=(\d+) errors=(\d+)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if not rps or not stats:
        raise RuntimeError("wrk output not understood:\n" + out)
    return {"rps": float(rps.group(1)), "p50": int(stats.group(1)) / 1000, "p95": int(stats.group(2)) / 1000,
            "p99": int(stats.group(3)) / 1000, "requests": int(stats.group(4)),
            "errors": int(stats.group(5)) + (int(non2xx.group(1)) if non2xx else 0)}


def follow_cursor(base: str, path: str, pages: int) -> str | None:
    """The ``after`` cursor reached by walking ``pages`` API pages (a deep page)."""
    sep = "&" if "?" in path else "?"
    cursor = None
    for _ in range(pages):
        url = base + path + sep + "per_page=20" + (f"&after={cursor}" if cursor else "")
        status, body = fetch(url)
        cursor = json.loads(body)["next_cursor"]
        if cursor is None:
            break
    return cursor


def targets(base: str, facts: dict) -> list[tuple[str, str]]:
    deep = follow_cursor(base, "/api/v1/courses", 250)            # ≈ course 5,000 by start date
    deep_search = follow_cursor(base, "/api/v1/courses?q=" + quote("培训"), 100)
    q = quote
    return [
        ("catalog page 1", "/courses"),
        (f"catalog deep page (cursor, ~#5000){'' if deep else ' [no cursor]'}", f"/courses?after={deep or ''}"),
        ("search 电工", "/courses?q=" + q("电工")),
        ("search 低压电工 培训", "/courses?q=" + q("低压电工 培训")),
        ("search 培训 deep page (cursor)", f"/courses?q={q('培训')}&after={deep_search or ''}"),
        ("filters industry+mode+city", "/courses?industry=hightech&mode=offline&city=" + q("海口")),
        ("filters free+soon, sort price", "/courses?free=1&starting_soon=1&sort=price"),
        ("API search 导游", "/api/v1/courses?q=" + q("导游")),
        ("API deep page (cursor)", f"/api/v1/courses?after={deep or ''}"),
        ("API page=250 (OFFSET)", "/api/v1/courses?page=250"),
        ("course page", f"/courses/{facts['course_id']}"),
        ("class page", f"/classes/{facts['class_id']}"),
    ]


def distinct_paths(n: int) -> list[str]:
    """``n`` distinct catalog URLs of the kinds people make: single words (trades, colloquial names,
    skills, pinyin), word pairs, word + city, industry + mode + city, and the same through the API.
    Deterministic, so every run and database gets the same list."""
    from courses import search
    from courses.search.seed import SYNONYMS
    from courses.services.shelf import INDUSTRIES

    words = set()
    for trade, _, _certificate in TRADES:
        words.update(search.text.words(search.normalize(trade)))
        words.add(trade)
    words.update(t for t, *_ in SYNONYMS)
    words.update(SKILLS + LEVELS + ["daoyou", "diangong", "wurenji", "hanjie", "office", "plc", "python"])
    words = sorted(w for w in words if w)
    rng = random.Random(20261129)
    q = quote
    paths: dict[str, None] = {}
    for w in words:
        paths[f"/courses?q={q(w)}"] = None
    for code, *_ in INDUSTRIES:
        for mode in ("online", "offline", "blended"):
            for city in CITIES:
                paths[f"/courses?industry={code}&mode={mode}&city={q(city)}"] = None
    while len(paths) < n:
        w1, w2, city = rng.choice(words), rng.choice(words), rng.choice(CITIES)
        kind = rng.random()
        if kind < 0.45 and w1 != w2:
            paths[f"/courses?q={q(w1 + ' ' + w2)}"] = None
        elif kind < 0.8:
            paths[f"/courses?q={q(w1)}&city={q(city)}"] = None
        elif kind < 0.9:
            paths[f"/courses?q={q(w1 + ' ' + city)}"] = None
        else:
            paths[f"/api/v1/courses?q={q(w1 + ' ' + w2)}"] = None
    out = list(paths)[:n]
    rng.shuffle(out)
    return out


def distinct_lua(workdir: Path, paths: list[str]) -> Path:
    """A wrk script whose every request picks one of ``paths`` at random (per-thread seed)."""
    body = ",\n".join(f'  "{p}"' for p in paths)
    script = (f"local paths = {{\n{body}\n}}\n"
              "local threads = 0\n"
              "function setup(thread) threads = threads + 1; thread:set(\"tid\", threads) end\n"
              "function init(args) math.randomseed(os.time() * 1000 + (tid or 1) * 7919) end\n"
              "function request() return wrk.format(\"GET\", paths[math.random(1, #paths)]) end\n"
              + WRK_LUA)
    path = workdir / "distinct.lua"
    path.write_text(script)
    return path


def distinct_costs(url: str, paths: list[str], sample: int = 200) -> dict[str, float]:
    """In-process cost of searches nobody made before: each of ``sample`` distinct URLs once
    (median, p95, max in ms). The process starts as a web worker does (``Domain.warm_up``: the
    catalog index built, the collector told to leave it be) and the caches are on, as in
    production: no page or result is ever reused (every URL is new), but cards, seats and the
    alternatives of words met before are."""
    from app import create_app

    app = create_app({"DATABASE_URL": url, "CATALOG_CACHE_SECONDS": 10})
    app.extensions["domains"].warm_up(app)   # as a gunicorn worker starts: the catalog index built
    client = app.test_client()
    for path in paths[:10]:
        client.get(path)
    samples, cpu = [], []
    for path in paths[10:10 + sample]:
        started, started_cpu = time.perf_counter(), time.process_time()
        assert client.get(path).status_code == 200, path
        samples.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    app.extensions["db_engine"].dispose()
    samples.sort()
    cpu.sort()
    # CPU time of this process: on SQLite the whole request, database included; it does not
    # grow with other people's load on a shared machine, wall time does.
    return {"median": statistics.median(samples), "p95": samples[int(len(samples) * 0.95) - 1], "max": samples[-1],
            "cpu_median": statistics.median(cpu), "cpu_p95": cpu[int(len(cpu) * 0.95) - 1]}


def service_times(url: str, paths: list[tuple[str, str]], repeat: int = 30, cache_seconds: int = 10) -> dict[str, float]:
    """Median in-process time per URL (Flask test client, one thread): the server's own cost,
    much steadier than throughput on a shared machine. ``cache_seconds=0`` turns the catalog
    cache off: what a request costs when its filter set was not asked for in the last seconds."""
    from app import create_app

    app = create_app({"DATABASE_URL": url, "CATALOG_CACHE_SECONDS": cache_seconds})
    client = app.test_client()
    medians = {}
    for label, path in paths:
        for _ in range(3):
            client.get(path)
        samples = []
        for _ in range(repeat):
            started = time.perf_counter()
            assert client.get(path).status_code == 200, path
            samples.append((time.perf_counter() - started) * 1000)
        medians[label] = statistics.median(samples)
    app.extensions["db_engine"].dispose()
    return medians


def bench_db(kind: str, args, workdir: Path, lua: Path) -> list[dict]:
    print(f"== {kind}, {args.courses} courses", flush=True)
    url = (f"sqlite:///{workdir / 'catalog.sqlite3'}" if kind == "sqlite" else prepare_pg(args.pg_db))
    if kind == "sqlite" and not args.reuse:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{workdir / 'catalog.sqlite3'}{suffix}").unlink(missing_ok=True)
    if args.reuse and kind == "sqlite" and (workdir / "catalog.sqlite3").exists():
        facts = {}   # the catalog a previous run loaded into this workdir (in-process timing only)
    else:
        facts = load_catalog(url, args.courses, args.classes)
    if args.inprocess_only:
        # Only what a search nobody made before costs, in-process (no servers, no wrk): the
        # figure that compares catalog sizes without the machine's background load in between.
        from courses import search

        search.warm_up()
        costs = distinct_costs(url, distinct_paths(args.distinct), sample=args.sample)
        print(f"  distinct searches in-process, {args.courses} courses: median {costs['median']:.1f} ms, "
              f"p95 {costs['p95']:.1f} ms, max {costs['max']:.1f} ms; CPU median {costs['cpu_median']:.1f} ms, "
              f"p95 {costs['cpu_p95']:.1f} ms", flush=True)
        return [{"db": kind, "label": f"distinct searches in-process ({args.courses} courses)", "path": "",
                 "rps": 0.0, "p50": costs["median"], "p95": costs["p95"], "p99": costs["max"], "requests": 0,
                 "errors": 0, "ratio": 0.0}]
    base_env = seed_baseline(workdir, kind, args.pg_base_db)
    base_env["PERFBASE_DB"] = kind
    app_env = {**os.environ, "DATABASE_URL": url, "UPLOAD_FOLDER": str(workdir / "uploads")}
    app_proc = base_proc = None
    rows = []
    try:
        app_port, base_port = args.port, args.port + 1
        app_proc = start_gunicorn("wsgi:app", app_port, ROOT, app_env, workdir / f"app-{kind}.log")
        base_proc = start_gunicorn("app:app", base_port, BASELINE, base_env, workdir / f"base-{kind}.log")
        app_base, yard = f"http://127.0.0.1:{app_port}", f"http://127.0.0.1:{base_port}/fortunes"
        wait_ready(app_base + "/healthz")
        wait_ready(yard)
        urls = targets(app_base, facts)
        distinct = distinct_paths(args.distinct)
        distinct_label = f"distinct searches ({len(distinct)} URLs, random)"
        urls.append((distinct_label, "/courses"))
        if args.only:
            urls = [(label, path) for label, path in urls if any(word in label for word in args.only.split(","))]
        for path in ["/courses?q=" + quote("电工")] + [path for _, path in urls]:
            for _ in range(2 * CORES + 1):   # warm every worker's caches (jieba dictionary, templates)
                assert fetch(app_base + path)[0] == 200, path
        dlua = distinct_lua(workdir, distinct)
        fetch(yard)
        run_wrk(yard, 2, args.connections, lua)              # warm-up, not reported
        run_wrk(app_base + urls[0][1], 2, args.connections, lua)
        if any(label == distinct_label for label, _ in urls):
            # The distinct load's steady state: a server that has run for a while holds the cards,
            # seats and page shapes that searches nobody made before reuse (never their pages).
            run_wrk(app_base + "/courses", 3, args.connections, dlua)
        before = run_wrk(yard, args.duration, args.connections, lua)
        plain = [(label, path) for label, path in urls if label != distinct_label]
        inproc = service_times(url, plain)
        cold = service_times(url, plain, cache_seconds=0)
        if any(label == distinct_label for label, _ in urls):
            costs = distinct_costs(url, distinct)
            print(f"  distinct searches in-process: median {costs['median']:.1f} ms, "
                  f"p95 {costs['p95']:.1f} ms, max {costs['max']:.1f} ms; CPU median {costs['cpu_median']:.1f} ms",
                  flush=True)
            inproc[distinct_label], cold[distinct_label] = costs["p95"], costs["median"]
        for label, path in urls:
            result = run_wrk(app_base + path, args.duration, args.connections,
                             dlua if label == distinct_label else lua)
            rows.append({"db": kind, "label": label, "path": path, **result, "ms_inproc": inproc[label],
                         "ms_cold": cold[label]})
            print(f"  {label:<40} {result['rps']:>8.1f} req/s  p50 {result['p50']:.1f}  p95 {result['p95']:.1f}"
                  f"  p99 {result['p99']:.1f} ms  errors {result['errors']}  in-process {inproc[label]:.1f} ms"
                  f" (cache off {cold[label]:.1f} ms)", flush=True)
        after = run_wrk(yard, args.duration, args.connections, lua)
        fortunes = statistics.mean([before["rps"], after["rps"]])
        rows.append({"db": kind, "label": "yardstick /fortunes (mean of before/after)", "path": "/fortunes",
                     **{k: statistics.mean([before[k], after[k]]) for k in ("rps", "p50", "p95", "p99")},
                     "requests": before["requests"] + after["requests"], "errors": before["errors"] + after["errors"]})
        for row in rows:
            row["ratio"] = row["rps"] / fortunes
        print(f"  fortunes {before['rps']:.1f} → {after['rps']:.1f} req/s", flush=True)
    finally:
        stop(app_proc)
        stop(base_proc)
    return rows


def render(rows: list[dict], args) -> str:
    lines = [f"wrk -t2 -c{args.connections} -d{args.duration}s, gunicorn sync ×{2 * CORES + 1}, {CORES} cores, "
             f"{args.courses} courses / {args.classes} classes", "",
             "| URL | SQLite req/s | ×fortunes | p50 | p95 | p99 ms | in-process ms | cache off ms "
             "| PostgreSQL req/s | ×fortunes | p50 | p95 | p99 ms | in-process ms | cache off ms |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    labels = list(dict.fromkeys(r["label"] for r in rows))
    for label in labels:
        cells = [label]
        for kind in ("sqlite", "postgres"):
            row = next((r for r in rows if r["db"] == kind and r["label"] == label), None)
            if row is None:
                cells += ["–"] * 7
            else:
                inproc = f"{row['ms_inproc']:.1f}" if "ms_inproc" in row else "–"
                cold = f"{row['ms_cold']:.1f}" if "ms_cold" in row else "–"
                cells += [f"{row['rps']:.0f}", f"{row['ratio']:.2f}", f"{row['p50']:.1f}", f"{row['p95']:.1f}",
                          f"{row['p99']:.1f}", inproc, cold]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dbs", default="sqlite,postgres")
    parser.add_argument("--courses", type=int, default=10_000)
    parser.add_argument("--classes", type=int, default=30_000)
    parser.add_argument("--duration", type=int, default=5, help="seconds per URL")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--only", default="", help="measure only the URLs whose label contains one of these "
                        "comma-separated words, e.g. 'course page,class page'")
    parser.add_argument("--workdir", default="/tmp/bench_catalog")  # noqa: S108 - scratch data
    parser.add_argument("--pg-db", default=PG_APP_DB, help="scratch PostgreSQL database for the catalog")
    parser.add_argument("--pg-base-db", default=PG_BASE_DB, help="scratch PostgreSQL database for the yardstick")
    parser.add_argument("--port", type=int, default=APP_PORT, help="the app's port (the yardstick's is the next)")
    parser.add_argument("--distinct", type=int, default=30_000, help="distinct URLs of the distinct-query load")
    parser.add_argument("--inprocess-only", action="store_true",
                        help="load, then time distinct searches in-process only (no servers, no wrk)")
    parser.add_argument("--sample", type=int, default=200, help="distinct searches timed in-process")
    parser.add_argument("--reuse", action="store_true",
                        help="with --inprocess-only on SQLite: time the catalog already loaded in --workdir")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (apt-get install -y wrk)")
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    lua = workdir / "percentiles.lua"
    lua.write_text(WRK_LUA)
    rows = []
    for kind in args.dbs.split(","):
        rows += bench_db(kind.strip(), args, workdir, lua)
    (workdir / "results.json").write_text(json.dumps(rows, ensure_ascii=False, indent=1, default=str))
    print()
    print(render(rows, args))


if __name__ == "__main__":
    main()

