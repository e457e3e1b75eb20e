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


def test_a_released_savepoint_does_not_deliver_before_the_real_commit(app, db):
    message = queue_message(db, recipient="later@example.com", subject="s", body="b")
    with db.begin_nested():                  # e.g. a guarded INSERT inside the same request
        pass
    assert db.get(OutboxMessage, message.id).sent_at is None
    assert len(db.info["after_commit"]) == 1
    db.commit()
    db.expire_all()
    assert db.get(OutboxMessage, message.id).sent_at is not None


def test_a_rolled_back_savepoint_keeps_the_work_queued_before_it(app, db):
    message = queue_message(db, recipient="kept2@example.com", subject="s", body="b")
    savepoint = db.begin_nested()
    savepoint.rollback()
    assert len(db.info["after_commit"]) == 1
    db.commit()
    db.expire_all()
    assert db.get(OutboxMessage, message.id).sent_at is not None
