"""``skills-market verify FILE``: check a credential (JSON, or one of our PDFs) offline;
``skills-market render-certificate-pdfs``: store the PDFs of certificates issued before PDFs were stored."""

from __future__ import annotations

import json
import sys
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from certificates.credentials import issuer_of
from certificates.dataintegrity import ProofError
from certificates.verifier import credential_from_pdf, verify_credential


def _load_json(path: str) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def _fetch(url: str) -> dict | None:
    if not url.startswith(("https://", "http://")):
        return None
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - http(s) only
            return json.loads(response.read().decode())
    except (OSError, ValueError):
        return None


@click.command("verify")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--issuer", "issuer_file", type=click.Path(exists=True, dir_okay=False),
              help="The issuer document (JSON). Default: this instance's issuer, else fetched.")
@click.option("--status-list", "status_files", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="A BitstringStatusListCredential (JSON); repeat for each list.")
@click.option("--fetch-status/--no-fetch-status", default=True, help="Fetch status lists that are not given.")
@click.option("--at", "at", default=None, help="Verify as of this ISO 8601 time (default: now).")
@with_appcontext
def verify_command(file: str, issuer_file: str | None, status_files: tuple[str, ...], fetch_status: bool,
                   at: str | None) -> None:
    """Verify FILE (a credential .json or a certificate .pdf): signature, issuer key, dates, status."""
    data = Path(file).read_bytes()
    try:
        credential = credential_from_pdf(data) if data[:5] == b"%PDF-" else json.loads(data.decode("utf-8"))
    except (ProofError, ValueError) as exc:
        click.echo(f"INVALID: {exc}")
        sys.exit(1)
    own = issuer_of(current_app).document()
    issuer_doc = _load_json(issuer_file) if issuer_file else own
    issuer = credential.get("issuer") if isinstance(credential, dict) else None
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    if not issuer_file and issuer_id != own["id"] and isinstance(issuer_id, str):
        issuer_doc = _fetch(issuer_id) or own
    lists = {}
    for path in status_files:
        listing = _load_json(path)
        lists[listing.get("id")] = listing

    entries = credential.get("credentialStatus") if isinstance(credential, dict) else None
    entries = [entries] if isinstance(entries, dict) else (entries if isinstance(entries, list) else [])
    urls = {e.get("statusListCredential") for e in entries if isinstance(e, dict)}
    resolved = {url: lists.get(url) or (_fetch(url) if fetch_status and isinstance(url, str) else None)
                for url in urls}
    # Status is checked when every list is at hand; lists given but incomplete is a failure.
    use_status = bool(resolved) and (all(resolved.values()) or bool(lists))
    now = datetime.fromisoformat(at.replace("Z", "+00:00")) if at else datetime.now(UTC)
    result = verify_credential(credential, issuer_document=issuer_doc, now=now,
                               status_lists=resolved if use_status else None)
    if result.ok:
        click.echo(f"VALID: signature, issuer key and dates check out"
                   f"{'; status: not revoked or suspended' if result.status_checked else '; status not checked'}")
        return
    click.echo(f"{result.status.upper()}: {'; '.join(result.messages)} [{', '.join(result.errors)}]")
    sys.exit(1)


@click.command("render-certificate-pdfs")
@with_appcontext
def render_pdfs_command() -> None:
    """Render and store the PDF of every certificate that has none (issued before PDFs were stored)."""
    from app.db import get_session, utcnow
    from certificates import services

    session = get_session()
    issuer = issuer_of(current_app)
    total = 0
    while stored := services.store_missing_pdfs(session, issuer=issuer, now=utcnow()):
        session.commit()
        total += stored
    click.echo(f"{total} certificate PDFs stored")
