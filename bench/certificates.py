#!/usr/bin/env python3
"""Certificates benchmark (not a test).

For each database (SQLite file, PostgreSQL database ``bench_certificates``):
  1. migrates an empty database, inserts 10,000 members and 10,000 proposed certificates
     straight through SQLAlchemy Core;
  2. runs the real bulk issuance job (``certificates.run_issuance_job``, batches of 250, each
     committed: numbers, random status-list indexes, a signed OpenBadgeCredential and the PDF
     that carries it, stored, per certificate) and reports the time and certificates per
     second; checks that every certificate has its PDF and that a sample carries its credential;
  3. serves the app and the perf-baseline yardstick under gunicorn on loopback and measures
     ``/v/<token>`` and ``GET /api/v1/certificates/<token>`` with wrk, as a ratio to
     ``/fortunes`` (mean of a run before and after); then ``/v/<token>`` over 5,000 distinct
     tokens at random (the page cache holds 512 per process, so nearly every page is rendered).

Loopback only, bounded runs, only the servers it started are stopped; never the ``test`` database.

    .venv/bin/python bench/certificates.py --duration 3
    .venv/bin/python bench/certificates.py --dbs sqlite --certificates 2000 --duration 2
    .venv/bin/python bench/certificates.py --job-only --profile   # the job alone, profiled
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import catalog as common  # noqa: E402 - the catalog bench's server/wrk helpers

PG_DB = "bench_certificates"
# The verification page is also measured over this many distinct tokens picked at random per
# request: far more than the per-process page cache holds, so nearly every page is rendered.
DISTINCT_TOKENS = 5000
# Ports of its own: the catalog bench (8301/8302) may be running beside it on a shared machine.
common.APP_PORT, common.BASE_PORT = 8311, 8312


def load(url: str, n: int) -> None:
    from sqlalchemy import insert

    from app.auth.models import User
    from app.cli import upgrade_database
    from app.db import make_engine
    from certificates.models import Certificate

    upgrade_database(url)
    engine = make_engine(url)
    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(insert(User), [{"name": f"职工{i:05d}", "phone": f"137{i:08d}", "password_hash": "x",
                                     "is_active": True, "created_at": now, "credentials_version": 1}
                                    for i in range(n)])
        first = conn.exec_driver_sql("SELECT min(id) FROM users").scalar()
        conn.execute(insert(Certificate), [{
            "source_key": f"bench:{i}", "token": secrets.token_urlsafe(16), "kind": "appraisal",
            "state": "proposed", "user_id": first + i, "type_code": "SOLV",
            "title": "低压电工作业技能鉴定合格证书", "title_en": "", "level": "初级工", "description": "",
            "holder_name": f"职工{i:05d}", "id_last4": "", "issuer_name": "海南省总工会", "validity_months": 72,
            "review_every_months": 36, "review_training_hours": 8, "proposed_at": now,
            "suspension_reason": "", "revocation_reason": ""} for i in range(n)])
    engine.dispose()


def issue_all(url: str, n: int, workdir: Path, profile: Path | None = None) -> dict:
    from sqlalchemy import func, select

    from app import create_app
    from app.db import get_session
    from certificates.models import Certificate, CertificatePdf, IssuanceJob
    from certificates.tasks import run_issuance_job
    from certificates.verifier import credential_from_pdf

    app = create_app({"DATABASE_URL": url})
    app.instance_path = str(workdir / "instance")
    with app.app_context():
        session = get_session()
        job = IssuanceJob(scope="all", total=n, created_at=datetime.now(UTC))
        session.add(job)
        session.commit()
        job_id = job.id
    profiler = None
    if profile is not None:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    started = time.perf_counter()
    cpu_started = time.process_time()
    with app.app_context():
        run_issuance_job.run(job_id)     # what a Celery worker runs, in this process
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(profile)
    with app.app_context():
        session = get_session()
        job = session.get(IssuanceJob, job_id)
        assert (job.state, job.done) == ("done", n), (job.state, job.done)
        pdfs, pdf_bytes = session.execute(select(func.count(), func.sum(func.length(CertificatePdf.pdf)))).one()
        assert pdfs == n, f"{pdfs} PDFs stored for {n} certificates"
        sample = session.execute(select(Certificate.token, Certificate.credential, CertificatePdf.pdf)
                                 .join(CertificatePdf, CertificatePdf.certificate_id == Certificate.id)
                                 .order_by(Certificate.id).limit(20)).all()
        for _token, credential, pdf in sample:
            assert credential_from_pdf(pdf) == json.loads(credential)
        tokens = list(session.scalars(select(Certificate.token).order_by(func.random()).limit(DISTINCT_TOKENS)))
    app.extensions["db_engine"].dispose()
    return {"seconds": seconds, "cpu": cpu, "per_second": n / seconds, "pdf_kb": pdf_bytes / pdfs / 1024,
            "token": sample[0][0], "tokens": tokens, "key": app.config["CERT_SIGNING_KEY"]}


def bench_db(kind: str, args, workdir: Path, lua: Path) -> list[dict]:
    print(f"== {kind}", flush=True)
    if kind == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{workdir / 'certificates.sqlite3'}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{workdir / 'certificates.sqlite3'}"
    else:
        url = common.prepare_pg(PG_DB)
    load(url, args.certificates)
    issued = issue_all(url, args.certificates, workdir, workdir / f"job-{kind}.prof" if args.profile else None)
    print(f"  issued {args.certificates} (signed credential + stored PDF each) in {issued['seconds']:.1f} s"
          f" = {issued['per_second']:.0f} certificates/s (CPU {issued['cpu']:.1f} s in this process;"
          f" PDFs {issued['pdf_kb']:.1f} KB each)", flush=True)
    rows = [{"db": kind, "label": f"issue {args.certificates} (job, credential + PDF)", "seconds": issued["seconds"],
             "per_second": issued["per_second"], "cpu_seconds": issued["cpu"], "pdf_kb": issued["pdf_kb"]}]
    if args.job_only:
        return rows
    base_env = common.seed_baseline(workdir, kind)
    base_env["PERFBASE_DB"] = kind
    app_env = {**os.environ, "DATABASE_URL": url, "CERT_SIGNING_KEY": issued["key"],
               "UPLOAD_FOLDER": str(workdir / "uploads")}
    app_proc = base_proc = None
    try:
        app_proc = common.start_gunicorn("wsgi:app", common.APP_PORT, ROOT, app_env, workdir / f"app-{kind}.log")
        base_proc = common.start_gunicorn("app:app", common.BASE_PORT, common.BASELINE, base_env,
                                          workdir / f"base-{kind}.log")
        app_base = f"http://127.0.0.1:{common.APP_PORT}"
        yard = f"http://127.0.0.1:{common.BASE_PORT}/fortunes"
        common.wait_ready(app_base + "/healthz")
        common.wait_ready(yard)
        urls = [("verification page /v/<token>", f"/v/{issued['token']}"),
                ("JSON status /api/v1/certificates/<token>", f"/api/v1/certificates/{issued['token']}")]
        for _, path in urls:
            for _ in range(2 * common.CORES + 1):
                assert common.fetch(app_base + path)[0] == 200, path
        common.run_wrk(yard, 2, args.connections, lua)
        before = common.run_wrk(yard, args.duration, args.connections, lua)
        measured = []
        for label, path in urls:
            result = common.run_wrk(app_base + path, args.duration, args.connections, lua)
            measured.append({"db": kind, "label": label, **result})
        distinct = common.distinct_lua(workdir, [f"/v/{t}" for t in issued["tokens"]])
        result = common.run_wrk(app_base + "/", args.duration, args.connections, distinct)
        measured.append({"db": kind, "label": f"/v/<token>, {len(issued['tokens'])} distinct tokens", **result})
        after = common.run_wrk(yard, args.duration, args.connections, lua)
        fortunes = statistics.mean([before["rps"], after["rps"]])
        for row in measured:
            row["ratio"] = row["rps"] / fortunes
            print(f"  {row['label']:<44} {row['rps']:>8.1f} req/s  {row['ratio']:.2f}× fortunes  p50 {row['p50']:.1f}"
                  f"  p99 {row['p99']:.1f} ms  errors {row['errors']}", flush=True)
        print(f"  fortunes {before['rps']:.1f} → {after['rps']:.1f} req/s", flush=True)
        rows += measured + [{"db": kind, "label": "yardstick /fortunes", "rps": fortunes, "ratio": 1.0}]
    finally:
        common.stop(app_proc)
        common.stop(base_proc)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dbs", default="sqlite,postgres")
    parser.add_argument("--certificates", type=int, default=10_000)
    parser.add_argument("--duration", type=int, default=3, help="seconds per URL")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--job-only", action="store_true", help="time the issuance job only (no HTTP)")
    parser.add_argument("--profile", action="store_true", help="cProfile the job into WORKDIR/job-DB.prof")
    parser.add_argument("--workdir", default="/tmp/bench_certificates")  # noqa: S108 - scratch data
    args = parser.parse_args()
    if not args.job_only and shutil.which("wrk") is None:
        sys.exit("wrk is not installed (apt-get install -y wrk)")
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    lua = workdir / "percentiles.lua"
    lua.write_text(common.WRK_LUA)
    rows = []
    for kind in args.dbs.split(","):
        rows += bench_db(kind.strip(), args, workdir, lua)
    (workdir / "results.json").write_text(json.dumps(rows, ensure_ascii=False, indent=1, default=str))


if __name__ == "__main__":
    main()
