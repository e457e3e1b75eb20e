"""Two workers running the same issuance job at once (real row locks on PostgreSQL): every
proposal is issued exactly once. Rows are committed for real and removed afterwards."""

from __future__ import annotations

import secrets
import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.orm import sessionmaker

from app.auth.models import User
from app.db import make_engine
from certificates import services
from certificates.credentials import issuer_of
from certificates.models import Certificate, CertificateEvent, CertificateState, IssuanceJob
from tests.conftest import requires_postgres

pytestmark = pytest.mark.postgres

NOW = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)


def test_two_workers_issue_each_proposal_once(app, db_url):
    requires_postgres(db_url)
    engine = make_engine(db_url)
    make_session = sessionmaker(bind=engine, expire_on_commit=False)
    issuer = issuer_of(app)
    stamp = secrets.token_hex(4)
    with make_session() as s:
        user = User(name="并发职工", phone=f"+86136{secrets.randbelow(10**8):08d}", password_hash="x")
        s.add(user)
        s.flush()
        for i in range(60):
            s.add(Certificate(source_key=f"race:{stamp}:{i}", token=secrets.token_urlsafe(16), kind="appraisal",
                              user_id=user.id, type_code="RACE", title="并发证书", holder_name="并发职工",
                              issuer_name="海南省总工会", validity_months=12, proposed_at=NOW))
        job = IssuanceJob(scope="all", total=60, created_at=NOW)
        s.add(job)
        s.commit()
        user_id, job_id = user.id, job.id
    errors: list[BaseException] = []

    def worker():
        try:
            with app.app_context(), make_session() as s:
                while services.run_issuance_batch(s, job_id=job_id, issuer=issuer, now=NOW, batch=7):
                    s.commit()
                s.commit()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert errors == []
        with make_session() as s:
            certs = s.scalars(select(Certificate).where(Certificate.user_id == user_id)).all()
            assert {c.state for c in certs} == {CertificateState.ISSUED}
            assert len({c.number for c in certs}) == 60
            assert len({c.revocation_index for c in certs}) == 60
            events = s.scalar(select(func.count()).select_from(CertificateEvent).where(
                CertificateEvent.certificate_id.in_([c.id for c in certs]), CertificateEvent.action == "issued"))
            assert events == 60
    finally:
        with make_session() as s:
            ids = select(Certificate.id).where(Certificate.user_id == user_id)
            s.execute(delete(CertificateEvent).where(CertificateEvent.certificate_id.in_(ids)))
            s.execute(delete(Certificate).where(Certificate.user_id == user_id))
            s.execute(delete(IssuanceJob).where(IssuanceJob.id == job_id))
            s.execute(delete(User).where(User.id == user_id))
            s.commit()
        engine.dispose()
