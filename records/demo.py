"""Demo data of the records domain: the federation's two targets of the year, the second member
in the talent pool, and fresh dashboard summaries. (The first member's honour comes from studios.) Idempotent: targets by title."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.i18n import SHANGHAI
from records.models import Target
from records.services.stats import rebuild_stats
from records.services.talent import CONSENT_VERSION, PoolChoice, get_profile, set_pool_choice


def load(world) -> None:
    session, now = world.session, world.now
    year = now.astimezone(SHANGHAI).year
    for title, metric, goal in (("今年培训产业工人 1000 人", "trained", 1000),
                                ("今年持证电工 300 人", "certificates_issued", 300)):
        if session.scalar(select(Target.id).where(Target.title == title)) is None:
            session.add(Target(title=title, metric=metric, goal=goal, starts_on=date(year, 1, 1),
                               ends_on=date(year, 12, 31), created_at=now))
    worker2 = world.users["worker2"]
    if get_profile(session, worker2.id) is None:
        set_pool_choice(session, actor=worker2, now=now, choice=PoolChoice(
            listed=True, show_trades=True, show_certificates=True, show_city=True, show_experience=True,
            trades=("低压电工", "配电线路检修"), city="海口", years_experience=6, consent_version=CONSENT_VERSION))
    session.flush()
    rebuild_stats(session, now=now)
