"""Craftsman and model-worker innovation studios (劳模和工匠人才创新工作室): profiles and honours, naming
and yearly star rating, apprenticeships (名师带高徒), and help for enterprises, villages and schools.

``DOMAIN`` below is everything this package adds to the platform (see ``app.domain``).
"""

from pathlib import Path

from flask_babel import lazy_gettext as _l

from app.access import Role
from app.domain import Domain, HomeCard, NavEntry

UNION, ENTERPRISE = frozenset({Role.UNION_ADMIN}), frozenset({Role.ENTERPRISE_ADMIN})

DOMAIN = Domain(
    name="studios",
    title=_l("Studios"),
    blueprints=("studios.views:bp", "studios.api:bp"),
    models=("studios.models",),
    demo="studios.demo:load",
    labels=("studios.labels",),
    translations=str(Path(__file__).parent / "translations"),
    nav=(
        NavEntry("studios.index", _l("Studios"), None, order=40),
        NavEntry("studios.mine", _l("My studio work"), frozenset(), order=41),
        NavEntry("studios.union_dashboard", _l("Studios admin"), UNION, order=42),
    ),
    home_cards=(
        HomeCard("studios.union_dashboard", _l("Craftsman studios"),
                 _l("Name proposed studios, review star ratings, follow the year's targets."), UNION,
                 count="studios.home:count_to_decide", order=40),
        HomeCard("studios.help_board", _l("Help from craftsman studios"),
                 _l("Ask a model-worker or craftsman studio for technical help or training."), ENTERPRISE,
                 count="studios.home:count_open_proposals", order=40),
    ),
    facts={
        "honours": "studios.facts:honours_of_member",
        "studio_roles": "studios.facts:studio_roles_of_member",
        "apprenticeships": "studios.facts:apprenticeships_of_member",
        "stats_studios": "studios.facts:studio_stats",
    },
)
