"""Messages are delivered only after the transaction that queued them commits."""


from app.auth.models import OutboxMessage
from app.notify import queue_message


def test_a_rolled_back_message_is_never_delivered(app, db):
    message = queue_message(db, recipient="gone@example.com", subject="s", body="b")
    message_id = message.id
    db.rollback()
    db.commit()
    assert db.get(OutboxMessage, message_id) is None
    assert "after_commit" not in db.info


def test_a_committed_message_is_delivered_after_commit(app, db):
    message = queue_message(db, recipient="kept@example.com", subject="s", body="b")
    assert message.sent_at is None          # nothing is sent before the commit
    db.commit()                              # eager Celery: delivery runs now, in its own session
    db.expire_all()
    assert db.get(OutboxMessage, message.id).sent_at is not None
