"""Configuration of the certificate issuer, run by the domain's ``setup`` hook.

``CERT_SIGNING_KEY`` is an Ed25519 private key as a multibase Multikey (``z...``). Production
sets it in the environment; the embedded default generates one into the instance folder on
first start (``instance/cert_signing_key``, mode 600) — never in the repository.
"""

from __future__ import annotations

import os
from pathlib import Path

from app.config import _instance_secret
from certificates.dataintegrity import new_private_multibase


def init_app(app) -> None:
    app.config.setdefault("CERT_SIGNING_KEY", os.environ.get("CERT_SIGNING_KEY") or _instance_secret(
        Path(app.instance_path), "cert_signing_key", new_private_multibase))
    app.config.setdefault("CERT_ISSUER_NAME", os.environ.get("CERT_ISSUER_NAME", "海南省总工会"))
    from certificates.cli import render_pdfs_command, verify_command
    from certificates.tasks import on_results_released
    from exams.signals import results_released

    app.cli.add_command(verify_command)
    app.cli.add_command(render_pdfs_command)
    # The signal is process-wide; a weak=False receiver connected once per process is enough.
    results_released.connect(on_results_released, weak=False)
