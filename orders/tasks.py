"""Celery tasks of enterprise orders: large roster imports, attaching people who signed up later."""

from __future__ import annotations

import logging

from celery import shared_task

from app.db import get_session, utcnow
from app.security import vault
from orders.services import roster

log = logging.getLogger(__name__)


@shared_task(name="orders.import_roster", ignore_result=True)
def import_roster(upload_id: int) -> None:
    """Import a queued roster upload chunk by chunk, committing each (the progress bar moves)."""
    session = get_session()
    while True:
        try:
            done = roster.run_import_step(session, upload_id=upload_id, vault=vault(), now=utcnow())
        except Exception:
            session.rollback()
            log.exception("roster upload %s failed", upload_id)
            _mark_failed(session, upload_id)
            raise
        session.commit()
        if done:
            return


def _mark_failed(session, upload_id: int) -> None:
    from orders.models import RosterUpload, UploadStatus

    upload = session.get(RosterUpload, upload_id)
    if upload is not None and upload.status != UploadStatus.DONE:
        upload.status, upload.error, upload.pending = UploadStatus.FAILED, "import failed", None
        session.commit()


@shared_task(name="orders.attach_roster_people", ignore_result=True)
def attach_roster_people() -> int:
    """Attach invited roster people who have since signed up (and linked membership)."""
    session = get_session()
    attached = roster.attach_people(session, now=utcnow())
    session.commit()
    return attached


@shared_task(name="orders.send_invitations", ignore_result=True)
def send_invitations(order_id: int) -> int:
    """SMS invitations for the roster people of an order who have no account yet (each once)."""
    session = get_session()
    sent = 0
    while True:
        batch = roster.send_invitations(session, order_id=order_id, now=utcnow())
        session.commit()
        sent += batch
        if not batch:
            return sent
