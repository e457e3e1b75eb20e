#!/usr/bin/env python3
"""Two-command entry point: ``python3 run.py start`` and ``python3 run.py test``.

Needs nothing but Python 3.11+. It makes a virtual environment in ``.venv``, installs the
platform (and, for ``test``, the test extras) into it, then either prepares the embedded
database with demo data and serves http://127.0.0.1:5000, or runs the whole test suite.
Extra arguments after ``test`` go to pytest; ``DATABASE_URL`` picks the database.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")


def ensure_installed(extra: str | None) -> None:
    """Create the venv and install the project unless pyproject.toml is unchanged."""
    if not PY.exists():
        print("· creating .venv", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
        subprocess.run([PY, "-m", "pip", "install", "-q", "--upgrade", "pip"], check=True)
    target = f".[{extra}]" if extra else "."
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + target.encode()).hexdigest()
    stamp = VENV / f".installed-{extra or 'base'}"
    if stamp.exists() and stamp.read_text() == digest:
        return
    print(f"· installing {target}", flush=True)
    subprocess.run([PY, "-m", "pip", "install", "-q", "-e", target], check=True, cwd=ROOT)
    stamp.write_text(digest)


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "start"
    if command == "start":
        ensure_installed(None)
        cli = [BIN / "skills-market"]
        subprocess.run([*cli, "db-upgrade"], check=True, cwd=ROOT)
        subprocess.run([*cli, "demo"], check=True, cwd=ROOT)
        return subprocess.call([*cli, "run", "--host", "127.0.0.1", "--port", "5000"], cwd=ROOT)
    if command == "test":
        ensure_installed("test")
        return subprocess.call([PY, "-m", "pytest", *argv[1:]], cwd=ROOT)
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
