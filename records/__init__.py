"""Records: each member's lifelong training record, the talent pool, the union's dashboard.

Reads every other domain only through the facts they publish (``Domain.facts``, see
``records.facts``); ``DOMAIN`` below is everything this package adds to the platform.
"""

from pathlib import Path

from celery.schedules import crontab
from flask_babel import lazy_gettext as _l

from app.access import Role
from app.domain import Domain, HomeCard, NavEntry

WORKER, ENTERPRISE, UNION = (frozenset({Role.WORKER}), frozenset({Role.ENTERPRISE_ADMIN}),
                             frozenset({Role.UNION_ADMIN}))

DOMAIN = Domain(
    name="records",
    title=_l("Records"),
    blueprints=("records.views:bp", "records.api:bp"),
    models=("records.models",),
    tasks=("records.tasks",),
    beat={
        "records-rebuild-stats": {"task": "records.rebuild_stats", "schedule": crontab(minute="*/15")},
        "records-refresh-talent-cards": {"task": "records.refresh_talent_cards", "schedule": 60.0},
    },
    demo="records.demo:load",
    labels=("records.labels",),
    translations=str(Path(__file__).parent / "translations"),
    nav=(
        NavEntry("records.my_record", _l("My record"), WORKER, order=60),
        NavEntry("records.talent_search", _l("Talent pool"), ENTERPRISE, order=60),
        NavEntry("records.dashboard", _l("Dashboard"), UNION, order=60),
    ),
    home_cards=(
        HomeCard("records.my_record", _l("My training record"),
                 _l("Everything you learned, passed and earned, in one place; print it or take it with you."),
                 WORKER, order=40),
        HomeCard("records.my_pool", _l("Talent pool"), _l("Let enterprises find you, on your terms."), WORKER,
                 count="records.queries.talent:count_pending_requests_for", order=41),
        HomeCard("records.talent_search", _l("Find skilled workers"),
                 _l("Search members who opted into the talent pool."), ENTERPRISE, order=40),
        HomeCard("records.dashboard", _l("Dashboard"), _l("People trained, certificates and targets."), UNION,
                 order=40),
    ),
    facts={},
)
