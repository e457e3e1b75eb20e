"""Demo certificates for the first electrician class (第一期电工培训班): a valid appraisal
certificate, one expired, one suspended for a missed review (复审), one revoked, and a
recorded government card. Idempotent (each certificate has its own ``source_key``).

Until exam results are available to the demo, the appraisal certificates are proposed here
directly with the special-operations terms (valid 6 years, review every 3 years, 8 hours of
review training); the exams demo's released results replace this source once merged.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select

from certificates import services
from certificates.credentials import issuer_of
from certificates.models import Certificate, CertificateKind, GovernmentCertificate
from courses.models import TrainingClass

SPECIAL = {"validity_months": 72, "review_every_months": 36, "review_training_hours": 8}


def load(world) -> None:
    session = world.session
    issuer = issuer_of(current_app)
    name = issuer.name
    lv = session.scalar(select(TrainingClass).where(TrainingClass.title == "第一期电工培训班（低压电工作业）"))
    hv = session.scalar(select(TrainingClass).where(TrainingClass.title == "第一期电工培训班（高压电工作业）"))
    worker, worker2 = world.users["worker"], world.users["worker2"]
    admin = world.users["union_admin"]
    specs = [
        # (key, user, class, title, code, level, issued days ago, terms, then)
        ("demo:lv:worker", worker, lv, "低压电工作业技能鉴定合格证书", "LVE", "初级工", 20, SPECIAL, None),
        ("demo:lv:worker2", worker2, lv, "低压电工作业技能鉴定合格证书", "LVE", "初级工", 20, SPECIAL, "revoke"),
        ("demo:hv:worker2", worker2, hv, "高压电工作业技能鉴定合格证书", "HVE", "中级工", 3 * 365 + 40, SPECIAL,
         "missed_review"),
        ("demo:safety:worker", worker, None, "电气安全知识培训结业证书", "TRN", "", 800,
         {"validity_months": 24, "review_every_months": None, "review_training_hours": 0}, None),
    ]
    for key, user, training_class, title, code, level, days_ago, terms, then in specs:
        if session.scalar(select(Certificate.id).where(Certificate.source_key == key)) is not None:
            continue
        issued_at = world.now - timedelta(days=days_ago)
        cert = services.propose(session, services.Proposal(
            user_id=user.id, source_key=key, kind=CertificateKind.APPRAISAL if level else CertificateKind.TRAINING,
            title=title, level=level, type_code=code, class_id=training_class.id if training_class else None,
            description="第一期电工培训班 · 理论与实操考核合格" if level else "完成电气安全知识培训",
            **terms), issuer_name=name, now=issued_at)
        services.issue_certificate(session, actor=admin, certificate_id=cert.id, issuer=issuer, now=issued_at)
        if then == "revoke":
            services.revoke_certificate(session, actor=admin, certificate_id=cert.id, now=world.now - timedelta(days=2),
                                        reason="实操考核成绩复核不合格，证书撤销")
        elif then == "missed_review":
            services.suspend_missed_reviews(session, now=world.now - timedelta(days=5))
    if session.scalar(select(GovernmentCertificate.id).where(GovernmentCertificate.user_id == worker.id)) is None:
        services.record_government_certificate(
            session, actor=worker, name="特种作业操作证（高处作业）", number="T460100199003071237",
            issuer="海南省应急管理厅", issued_on=date(2024, 5, 10), valid_until=date(2030, 5, 9), scan_path=None,
            scan_name=None, now=world.now)
    session.flush()
