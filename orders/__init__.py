"""Enterprise order-based training (订单式培训): demands, quotes, orders, rosters, subsidies, sign-off.

``DOMAIN`` below is everything this package adds to the platform (see ``app.domain``).
"""

from pathlib import Path

from flask_babel import lazy_gettext as _l

from app.access import Role
from app.domain import Domain

ENTERPRISE, PROVIDER, UNION = (frozenset({Role.ENTERPRISE_ADMIN}), frozenset({Role.PROVIDER_ADMIN}),
                               frozenset({Role.UNION_ADMIN}))

DOMAIN = Domain(
    name="orders",
    title=_l("Enterprise orders"),
    models=("orders.models",),
    tasks=("orders.tasks",),
    labels=("orders.labels",),
    translations=str(Path(__file__).parent / "translations"),
    payment_purposes=("orders.payment_handlers:ORDER_PAYMENTS", "orders.payment_handlers:SUBSIDY_PAYMENTS"),
)
