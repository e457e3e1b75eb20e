"""Outgoing messages (e-mail, SMS): queued in the outbox, delivered after commit.

Every message is stored in ``outbox_messages`` so union admins can read what went out. In
the embedded default delivery writes to the log; with ``MAIL_SERVER`` set, e-mail goes out
by SMTP from a Celery task. SMS delivery is a gateway a federation plugs in; until then
SMS messages are logged and kept in the outbox.
"""

from __future__ import annotations

import logging
import smtplib
from contextlib import nullcontext
from email.message import EmailMessage

from celery import shared_task
from flask import current_app
from sqlalchemy.orm import Session

from app.auth.models import OutboxMessage, User
from app.celery import enqueue
from app.db import after_commit, get_session, utcnow
from app.i18n import in_language

log = logging.getLogger(__name__)


def channel_of(recipient: str) -> str:
    return "email" if "@" in recipient else "sms"


def speaking_to(user: User | None):
    """Compose a message inside this block to write it in the recipient's chosen language.

    Messages are often triggered by someone else (a provider cancelling a class, a webhook);
    without this they would be written in that person's language, or the default one.
    """
    if user is not None and user.locale:
        return in_language(user.locale)
    return nullcontext()


def queue_message(session: Session, *, recipient: str, subject: str, body: str) -> OutboxMessage:
    """Store a message in the outbox and deliver it once the transaction commits."""
    message = OutboxMessage(channel=channel_of(recipient), recipient=recipient, subject=subject, body=body)
    session.add(message)
    session.flush()
    message_id = message.id
    after_commit(session, lambda: enqueue(deliver_message, message_id))
    return message


@shared_task(name="app.deliver_message", ignore_result=True)
def deliver_message(message_id: int) -> None:
    """Deliver one outbox message (idempotent: a sent message is not sent again)."""
    session = get_session()
    message = session.get(OutboxMessage, message_id)
    if message is None or message.sent_at is not None:
        return
    cfg = current_app.config
    if message.channel == "email" and cfg.get("MAIL_SERVER"):
        email = EmailMessage()
        email["From"], email["To"], email["Subject"] = cfg["MAIL_SENDER"], message.recipient, message.subject
        email.set_content(message.body)
        with smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=30) as smtp:
            if cfg["MAIL_USE_TLS"]:
                smtp.starttls()
            if cfg.get("MAIL_USERNAME"):
                smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"])
            smtp.send_message(email)
    elif cfg["APP_ENV"] == "production":
        log.info("outbox %s #%s to %s: %s", message.channel, message.id, message.recipient, message.subject)
    else:  # embedded default: the log is the mailbox (bodies may hold one-time links)
        log.info("outbox %s #%s to %s: %s\n%s", message.channel, message.id, message.recipient,
                 message.subject, message.body)
    message.sent_at = utcnow()
    session.commit()
