"""Certificates: issuance on the rules, printable PDFs with a QR code, signed Open Badges 3.0
credentials with status lists, public verification, revocation, suspension and review (复审),
and government-issued certificates members record.

``DOMAIN`` below is everything this package adds to the platform (see ``app.domain``).
"""

from pathlib import Path

from celery.schedules import crontab
from flask_babel import lazy_gettext as _l

from app.access import Role
from app.domain import Domain, HomeCard, NavEntry

WORKER, UNION = frozenset({Role.WORKER}), frozenset({Role.UNION_ADMIN})

DOMAIN = Domain(
    name="certificates",
    title=_l("Certificates"),
    blueprints=("certificates.views:bp", "certificates.api:bp"),
    models=("certificates.models",),
    tasks=("certificates.tasks",),
    beat={
        "certificate-review-reminders": {"task": "certificates.send_review_reminders",
                                         "schedule": crontab(hour=1, minute=0)},
        "certificate-missed-reviews": {"task": "certificates.suspend_missed_reviews",
                                       "schedule": crontab(hour=1, minute=10)},
        "certificate-training-proposals": {"task": "certificates.propose_completed_training",
                                           "schedule": crontab(minute=20)},
    },
    demo="certificates.demo:load",
    labels=("certificates.labels",),
    translations=str(Path(__file__).parent / "translations"),
    nav=(
        NavEntry("certificates.my_certificates", _l("My certificates"), WORKER, order=40),
        NavEntry("certificates.admin_overview", _l("Certificates"), UNION, order=40),
        NavEntry("certificates.lookup", _l("Verify a certificate"), None, order=90),
    ),
    home_cards=(
        HomeCard("certificates.my_certificates", _l("My certificates"),
                 _l("Download, share and review your certificates."), WORKER,
                 count="certificates.queries:count_my_certificates", order=40),
        HomeCard("certificates.admin_overview", _l("Certificates"),
                 _l("Approve proposed certificates, revoke, export."), UNION,
                 count="certificates.queries:count_proposed", order=40),
    ),
    facts={"certificates": "certificates.facts:certificates_of_member",
           "certificates_of_many": "certificates.facts:certificates_of_many",
           "stats_certificates": "certificates.facts:stats_certificates"},
    setup="certificates.keys:init_app",
)
