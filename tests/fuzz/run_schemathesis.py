"""Schemathesis over every operation of the OpenAPI description, against the live app.

Migrates a fresh embedded-default database (a SQLite file in a temporary folder), loads the
demo data, serves the app on 127.0.0.1 with Werkzeug's threaded server, takes API tokens for
the demo worker, provider admin, union admin and enterprise admin, and runs schemathesis once per role (and
once anonymously) with the checks: no server error, status codes and response bodies as the
description declares them. Bounded in time: each run has a time budget, all runs together
stay under three minutes. Exits non-zero on any failure. One schemathesis worker: with two
threads, Hypothesis describing its lambdas (``ast.parse``) in both at once met CPython 3.11's
"AST constructor recursion depth mismatch" SystemError, an error of the fuzzer, not of the
API, that failed a CI run. ``.ci/run`` calls it:

    .venv/bin/python tests/fuzz/run_schemathesis.py [--budget SECONDS] [--examples N]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import secrets
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

ROLES = {  # demo accounts (app/demo.py)
    "worker": "13800000005",
    "provider_admin": "13800000002",
    "union_admin": "13800000001",
    "enterprise_admin": "13800000004",   # the orders API's own actor (demands, quotes, rosters)
}
CHECKS = "not_a_server_error,status_code_conformance,response_schema_conformance,content_type_conformance"


def serve(folder: Path):
    """Migrate, load the demo and serve the app; returns (base URL, server)."""
    from cryptography.fernet import Fernet
    from werkzeug.serving import make_server

    from app import create_app
    from app.cli import upgrade_database
    from app.db import get_session
    from app.demo import load_demo

    logging.getLogger("werkzeug").setLevel(logging.WARNING)   # one line per request otherwise
    url = f"sqlite:///{folder / 'fuzz.db'}"
    upgrade_database(url)
    app = create_app({
        "DATABASE_URL": url, "SECRET_KEY": secrets.token_urlsafe(32), "PII_KEYS": Fernet.generate_key().decode(),
        "PII_HASH_KEY": secrets.token_hex(16), "UPLOAD_FOLDER": str(folder / "uploads"),
        "ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 1024,
        # The fuzzer signs in and signs up far more often than a person: limits would answer 429 to all.
        "LOGIN_RATE_LIMIT": "100000 per minute", "PUBLIC_LOOKUP_RATE_LIMIT": "100000 per minute",
        "SERVER_BASE_URL": "http://127.0.0.1",
    })
    with app.app_context():
        session = get_session()
        load_demo(session)
        session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}", server


def token_for(base: str, phone: str) -> str:
    from app.demo import DEMO_PASSWORD

    request = urllib.request.Request(f"{base}/api/v1/auth/token", method="POST",
                                     data=json.dumps({"username": phone, "password": DEMO_PASSWORD}).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - our own local server
        return json.load(response)["access_token"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=int, default=160, help="seconds for all runs together")
    parser.add_argument("--examples", type=int, default=15, help="max examples per operation and run")
    parser.add_argument("--seed", type=int, default=20261122)
    args = parser.parse_args(argv)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="schemathesis-") as tmp:
        base, server = serve(Path(tmp))
        runs = [(role, {"Authorization": f"Bearer {token_for(base, phone)}"}) for role, phone in ROLES.items()]
        runs.append(("anonymous", {}))
        failed = []
        binary = Path(sys.executable).with_name("schemathesis")
        for i, (role, headers) in enumerate(runs):
            left = args.budget - (time.monotonic() - started)
            share = max(5, int(left / (len(runs) - i)) - 3)
            command = [str(binary), "run", f"{base}/api/v1/openapi.json", "--checks", CHECKS,
                       "--max-examples", str(args.examples), "--max-time", str(share), "--workers", "1",
                       "--seed", str(args.seed), "--generation-database", "none", "--no-color",
                       "--phases", "examples,coverage,fuzzing", "--request-timeout", "20",
                       "--suppress-health-check", "all", "--warnings", "off"]
            for name, value in headers.items():
                command += ["--header", f"{name}: {value}"]
            print(f"=== schemathesis as {role} ({share} s)", flush=True)
            env = {**os.environ, "SCHEMATHESIS_HOOKS": ""}
            if subprocess.run(command, env=env, check=False).returncode != 0:  # noqa: S603
                failed.append(role)
        server.shutdown()
    print(f"schemathesis: {'FAILED for ' + ', '.join(failed) if failed else 'no failures'} "
          f"in {time.monotonic() - started:.0f} s", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
