#!/usr/bin/env python3
"""Exam-day benchmark (not a test): N candidates (500 by default) of one remote online session
each save an answer every few seconds through ``PUT /api/v1/attempts/{id}/answers`` — a
120-minute paper compressed into ``--duration`` seconds — then all submit at the same moment
(``POST /api/v1/attempts/{id}/submit``). Prints saves/s, p50/p99 of save and submit, the number
of **lost answers** (an acknowledged last save missing from the graded attempt), and the
perf-baseline yardstick's ``/fortunes`` measured in the same run, as a ratio.

The app runs under gunicorn on 127.0.0.1 (sync, 2×cores+1 workers) against a SQLite file or the
PostgreSQL database ``bench_exams``; the driver uses keep-alive connections from a pool of
threads. Loopback only, bounded in time, only the servers it started are stopped, the ``test``
database is never touched.

    .venv/bin/python bench/exams.py --dbs sqlite --duration 20
    .venv/bin/python bench/exams.py --dbs postgres --candidates 500 --duration 30
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.catalog import (  # noqa: E402
    APP_PORT,
    BASE_PORT,
    BASELINE,
    CORES,
    WRK_LUA,
    prepare_pg,
    run_wrk,
    seed_baseline,
    start_gunicorn,
    stop,
    wait_ready,
)

SECRET = "bench-exams-secret-key-not-for-production"  # noqa: S105 - a local, throwaway server
PG_APP_DB = "bench_exams"
LETTERS = "ABCD"


def load(url: str, candidates: int, questions: int) -> list[dict]:
    """Schema, a type with a fixed paper, one running remote session, N candidates with started attempts."""
    from sqlalchemy import insert, select

    from app import create_app
    from app.auth.models import RoleGrant, User
    from app.auth.tokens import API_SALT, make_token
    from app.db import Base, get_session, utcnow
    from app.models import import_all_models
    from exams.models import ExamBooking, ExamPaper, ExamSession, Question, SessionMode
    from exams.seed import SPECIAL_OPERATIONS, seed_certificate_types
    from exams.services import attempts as attempt_service

    import_all_models()
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET, "TESTING": False})
    engine = app.extensions["db_engine"]
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    out = []
    with app.test_request_context():
        session = get_session()
        now = utcnow()
        seed_certificate_types(session.connection(), now=now)
        from exams.models import CertificateType

        ctype = session.scalar(select(CertificateType).where(CertificateType.code == SPECIAL_OPERATIONS))
        ids = session.scalars(insert(Question).returning(Question.id), [
            {"certificate_type_id": ctype.id, "kind": "single", "stem": f"第{i}题 低压验电器的测试电压范围为（ ）。",
             "options": ["60～500V", "1～10kV", "36V以下", "220V"], "answer": ["A"], "rubric": [], "explanation": "",
             "difficulty": 2, "knowledge_point": "电工仪表", "created_at": now, "is_active": True}
            for i in range(questions)]).all()
        paper = ExamPaper(certificate_type_id=ctype.id, component_kind="theory", title="bench",
                          fixed_questions=[{"question_id": i, "points": 1} for i in ids], created_at=now)
        session.add(paper)
        session.flush()
        theory = ctype.component("theory")
        exam_session = ExamSession(
            certificate_type_id=ctype.id, component_id=theory.id, paper_id=paper.id, title="bench",
            mode=SessionMode.ONLINE_REMOTE, capacity=candidates, seats_taken=candidates,
            starts_at=now - timedelta(minutes=1), ends_at=now + timedelta(hours=3),
            booking_opens_at=now - timedelta(days=2), booking_closes_at=now - timedelta(days=1),
            cancel_deadline_at=now - timedelta(days=1), created_at=now)
        session.add(exam_session)
        session.flush()
        users = list(session.scalars(insert(User).returning(User), [
            {"name": f"考生{i}", "email": f"bench{i}@example.com", "password_hash": "x", "created_at": now,
             "is_active": True, "credentials_version": 1} for i in range(candidates)]))
        session.execute(insert(RoleGrant), [{"user_id": u.id, "role": "worker", "organization_id": None,
                                             "created_at": now} for u in users])
        bookings = list(session.scalars(insert(ExamBooking).returning(ExamBooking), [
            {"exam_session_id": exam_session.id, "user_id": u.id, "status": "booked", "seat_no": n + 1,
             "starts_at": exam_session.starts_at, "ends_at": exam_session.ends_at, "ticket_token": f"bench-{u.id}",
             "time_allowance_minutes": 0, "amount_due": 0, "created_at": now} for n, u in enumerate(users)]))
        for user, booking in zip(users, bookings, strict=True):
            attempt = attempt_service.start_attempt(session, actor=user, booking_id=booking.id, now=now)
            out.append({"user_id": user.id, "attempt_id": attempt.id,
                        "token": make_token(SECRET, API_SALT, user)})
        session.commit()
    engine.dispose()
    return out


class Driver:
    def __init__(self, candidates: list[dict], questions: int, interval: float, duration: float, threads: int):
        self.candidates, self.questions = candidates, questions
        self.interval, self.duration, self.threads = interval, duration, threads
        self.save_ms: list[float] = []
        self.submit_ms: list[float] = []
        self.errors: list[str] = []
        self.acked: dict[int, dict[int, tuple[int, str]]] = {c["attempt_id"]: {} for c in candidates}
        self.lock = threading.Lock()
        self.save_span = [float("inf"), 0.0]   # first and last moment a save answered

    def _conn(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", APP_PORT, timeout=60)

    def _call(self, conn, method: str, path: str, token: str, body: dict | None):
        data = json.dumps(body).encode() if body is not None else b""
        started = time.perf_counter()
        conn.request(method, path, body=data, headers={"Authorization": "Bearer " + token,
                                                       "Content-Type": "application/json"})
        response = conn.getresponse()
        payload = response.read()
        return response.status, payload, (time.perf_counter() - started) * 1000

    def _saver(self, mine: list[dict], start: float, barrier: threading.Barrier) -> None:
        conn = self._conn()
        rng = random.Random(mine[0]["attempt_id"] if mine else 0)
        due = [start + rng.uniform(0, self.interval) for _ in mine]
        seqs = [0] * len(mine)
        end = start + self.duration
        while True:
            i = min(range(len(mine)), key=due.__getitem__) if mine else None
            if i is None or due[i] >= end:
                break
            time.sleep(max(0.0, due[i] - time.monotonic()))
            c = mine[i]
            seqs[i] += 1
            position = rng.randint(1, self.questions)
            letter = rng.choice(LETTERS)
            try:
                status, payload, ms = self._call(conn, "PUT", f"/api/v1/attempts/{c['attempt_id']}/answers",
                                                 c["token"], {"answers": [{"position": position, "response": [letter],
                                                                           "seq": seqs[i]}]})
            except (OSError, http.client.HTTPException) as exc:
                conn = self._conn()
                with self.lock:
                    self.errors.append(f"save: {exc}")
            else:
                with self.lock:
                    self.save_ms.append(ms)
                    self.save_span = [min(self.save_span[0], time.monotonic() - ms / 1000),
                                      max(self.save_span[1], time.monotonic())]
                    if status == 200:
                        self.acked[c["attempt_id"]][position] = (seqs[i], letter)
                    else:
                        self.errors.append(f"save {status}: {payload[:120]!r}")
            due[i] += self.interval * rng.uniform(0.7, 1.3)
        barrier.wait()   # every thread submits at the same moment
        for c in mine:
            try:
                status, payload, ms = self._call(conn, "POST", f"/api/v1/attempts/{c['attempt_id']}/submit",
                                                 c["token"], None)
            except (OSError, http.client.HTTPException) as exc:
                conn = self._conn()
                with self.lock:
                    self.errors.append(f"submit: {exc}")
                continue
            with self.lock:
                self.submit_ms.append(ms)
                if status != 200:
                    self.errors.append(f"submit {status}: {payload[:120]!r}")
        conn.close()

    def run(self) -> float:
        slices = [self.candidates[i::self.threads] for i in range(self.threads)]
        barrier = threading.Barrier(self.threads)
        start = time.monotonic() + 1
        workers = [threading.Thread(target=self._saver, args=(s, start, barrier)) for s in slices]
        for w in workers:
            w.start()
        for w in workers:
            w.join(self.duration + 600)
        return self.duration


def lost_answers(url: str, acked: dict[int, dict[int, tuple[int, str]]]) -> tuple[int, int, int]:
    """(acknowledged last saves, of them missing or different in the graded attempts, attempts not submitted)."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from app.db import make_engine
    from app.models import import_all_models
    from exams.models import Answer, Attempt
    from exams.services.attempts import to_shown

    import_all_models()
    engine = make_engine(url)
    total = lost = open_attempts = 0
    with Session(engine) as s:
        open_attempts = len(list(s.scalars(select(Attempt.id).where(Attempt.status == "in_progress"))))
        for answer in s.scalars(select(Answer).where(Answer.attempt_id.in_(list(acked)))):
            expected = acked[answer.attempt_id].get(answer.position)
            if expected is None:
                continue
            total += 1
            if answer.seq != expected[0] or to_shown(answer, answer.response) != [expected[1]]:
                lost += 1
    engine.dispose()
    return total, lost, open_attempts


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def bench_db(kind: str, args, workdir: Path) -> dict:
    print(f"== {kind}: loading {args.candidates} candidates × {args.questions} questions", flush=True)
    if kind == "sqlite":
        path = workdir / "exams.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    else:
        url = prepare_pg(PG_APP_DB)
    candidates = load(url, args.candidates, args.questions)
    base_env = {**seed_baseline(workdir, kind), "PERFBASE_DB": kind}
    app_env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": SECRET}
    lua = workdir / "report.lua"
    lua.write_text(WRK_LUA)
    app_proc = base_proc = None
    try:
        app_proc = start_gunicorn("wsgi:app", APP_PORT, ROOT, app_env, workdir / f"app-{kind}.log")
        wait_ready(f"http://127.0.0.1:{APP_PORT}/healthz")
        driver = Driver(candidates, args.questions, args.interval, args.duration, args.threads)
        started = time.monotonic()
        driver.run()
        elapsed = time.monotonic() - started
        stop(app_proc)
        app_proc = None
        total, lost, still_open = lost_answers(url, driver.acked)
        base_proc = start_gunicorn("app:app", BASE_PORT, BASELINE, base_env, workdir / f"base-{kind}.log")
        wait_ready(f"http://127.0.0.1:{BASE_PORT}/fortunes")
        fortunes = run_wrk(f"http://127.0.0.1:{BASE_PORT}/fortunes", args.wrk_duration, 32, lua)
    finally:
        stop(app_proc)
        stop(base_proc)
        log = workdir / f"app-{kind}.log"
        if log.exists():   # kept beside the repository for a look after the run (test-artifacts/ is ignored)
            keep = ROOT / "test-artifacts" / f"bench-exams-app-{kind}.log"
            keep.parent.mkdir(exist_ok=True)
            keep.write_bytes(log.read_bytes())
    # Saves answered per second of the saving phase, as measured (the driver lags when the server does).
    span = driver.save_span[1] - driver.save_span[0]
    saves_per_s = len(driver.save_ms) / span if span > 0 else 0.0
    return {"db": kind, "saves": len(driver.save_ms), "saves_per_s": saves_per_s,
            "save_p50": pct(driver.save_ms, 50), "save_p99": pct(driver.save_ms, 99),
            "submits": len(driver.submit_ms), "submit_p50": pct(driver.submit_ms, 50),
            "submit_p99": pct(driver.submit_ms, 99), "acked": total, "lost": lost, "open": still_open,
            "errors": len(driver.errors), "first_errors": driver.errors[:3], "elapsed": elapsed,
            "fortunes_rps": fortunes["rps"], "fortunes_p99": fortunes["p99"]}


def render(rows: list[dict], args) -> str:
    lines = [f"{args.candidates} candidates, a save every ~{args.interval:g} s for {args.duration:g} s, then all "
             f"submit at once; gunicorn sync ×{2 * CORES + 1}, {CORES} cores, {args.threads} client threads",
             f"{'db':9} {'saves/s':>8} {'save p50':>9} {'save p99':>9} {'submit p50':>11} {'submit p99':>11} "
             f"{'lost':>5} {'errors':>6} {'fortunes/s':>11} {'ratio':>6}"]
    for r in rows:
        lines.append(f"{r['db']:9} {r['saves_per_s']:8.1f} {r['save_p50']:7.1f}ms {r['save_p99']:7.1f}ms "
                     f"{r['submit_p50']:9.1f}ms {r['submit_p99']:9.1f}ms {r['lost']:5d} {r['errors']:6d} "
                     f"{r['fortunes_rps']:11.1f} {r['saves_per_s'] / r['fortunes_rps']:6.2f}")
        lines.append(f"          {r['acked']} acknowledged last saves checked, {r['lost']} lost, "
                     f"{r['open']} attempts left open, {r['submits']} submits")
        if r["first_errors"]:
            lines.append("          errors: " + "; ".join(r["first_errors"]))
    lines.append("ratio = saves/s ÷ /fortunes req/s (fortunes under wrk -t2 -c32, measured after the exam load)")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dbs", default="sqlite,postgres")
    parser.add_argument("--candidates", type=int, default=500)
    parser.add_argument("--questions", type=int, default=60)
    parser.add_argument("--interval", type=float, default=3.0, help="seconds between one candidate's saves")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of saving (the compressed paper)")
    parser.add_argument("--threads", type=int, default=48)
    parser.add_argument("--wrk-duration", type=int, default=5)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-exams-") as tmp:
        for kind in [k.strip() for k in args.dbs.split(",") if k.strip()]:
            rows.append(bench_db(kind, args, Path(tmp)))
    print(render(rows, args))


if __name__ == "__main__":
    main()
