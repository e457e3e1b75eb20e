"""Enterprise order-based training (订单式培训): demands, quotes, orders, rosters, subsidies, sign-off.

``DOMAIN`` below is everything this package adds to the platform (see ``app.domain``).
"""

from pathlib import Path

from flask_babel import lazy_gettext as _l

from app.access import Role
from app.domain import Domain, HomeCard, NavEntry

ENTERPRISE, PROVIDER, UNION = (frozenset({Role.ENTERPRISE_ADMIN}), frozenset({Role.PROVIDER_ADMIN}),
                               frozenset({Role.UNION_ADMIN}))

DOMAIN = Domain(
    name="orders",
    title=_l("Enterprise orders"),
    blueprints=("orders.views:bp", "orders.api:bp"),
    models=("orders.models",),
    tasks=("orders.tasks",),
    beat={"attach-roster-people": {"task": "orders.attach_roster_people", "schedule": 300.0}},
    demo="orders.demo:load",
    labels=("orders.labels",),
    translations=str(Path(__file__).parent / "translations"),
    nav=(
        NavEntry("orders.enterprise_home", _l("Order training"), ENTERPRISE, order=15),
        NavEntry("orders.provider_home", _l("Demands & orders"), PROVIDER, order=25),
        NavEntry("orders.union_home", _l("Enterprise orders"), UNION, order=25),
    ),
    home_cards=(
        HomeCard("orders.enterprise_home", _l("Order training"), _l("Post a demand, compare quotes, order seats "
                 "for your employees and follow their progress."), ENTERPRISE,
                 count="orders.queries:count_enterprise_open", order=10),
        HomeCard("orders.provider_home", _l("Demands & orders"), _l("Quote on enterprise demands; confirm and "
                 "deliver orders."), PROVIDER, count="orders.queries:count_provider_todo", order=12),
        HomeCard("orders.union_home", _l("Enterprise orders"), _l("Direct demands to providers, the members' "
                 "subsidy budget, objections."), UNION, count="orders.queries:count_union_todo", order=12),
    ),
    payment_purposes=("orders.payment_handlers:ORDER_PAYMENTS", "orders.payment_handlers:SUBSIDY_PAYMENTS"),
    facts={"order_training": "orders.facts:order_training_of_member", "stats_orders": "orders.facts:stats_orders"},
    on_member_verified=("orders.services.roster:attach_verified_member",),
)
