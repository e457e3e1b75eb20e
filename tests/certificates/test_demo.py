"""The demo: certificates for the first electrician class — valid, expired, suspended for a
missed review, revoked — and a recorded government card; loading twice adds nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from app.demo import load_demo
from certificates.models import Certificate, GovernmentCertificate


def test_demo_certificates(db):
    world = load_demo(db)
    certs = db.scalars(select(Certificate).order_by(Certificate.id)).all()
    statuses = {c.source_key: c.status_at(world.now).value for c in certs}
    assert statuses == {"demo:lv:worker": "valid", "demo:lv:worker2": "revoked", "demo:hv:worker2": "suspended",
                        "demo:safety:worker": "expired"}
    suspended = next(c for c in certs if c.source_key == "demo:hv:worker2")
    assert suspended.suspension_reason and suspended.review_due < world.now
    assert all(c.class_id for c in certs if c.source_key.startswith(("demo:lv", "demo:hv")))
    assert db.scalar(select(func.count()).select_from(GovernmentCertificate)) == 1
    load_demo(db)
    assert db.scalar(select(func.count()).select_from(Certificate)) == 4
