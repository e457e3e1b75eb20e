"""Pure predicates: who may see and act on demands, quotes, orders and rosters."""

from __future__ import annotations

from app.access import Role
from app.auth.models import User
from orders.models import DemandStatus, Order, Quote, TrainingDemand


def enterprise_ids(user: User) -> set[int]:
    return user.org_ids(Role.ENTERPRISE_ADMIN) if user.is_authenticated else set()


def provider_ids(user: User) -> set[int]:
    return user.org_ids(Role.PROVIDER_ADMIN) if user.is_authenticated else set()


def is_union(user: User) -> bool:
    return user.is_authenticated and user.has_role(Role.UNION_ADMIN)


def owns_demand(user: User, demand: TrainingDemand) -> bool:
    return demand.enterprise_id in enterprise_ids(user)


def demand_open_to(demand: TrainingDemand, organization_id: int, *, org_approved: bool) -> bool:
    """Whether an organization may see and quote on a published demand."""
    if demand.status == DemandStatus.DRAFT:
        return False
    invited = any(i.organization_id == organization_id for i in demand.invitations)
    return invited or (demand.open_to_all and org_approved)


def can_see_demand(user: User, demand: TrainingDemand) -> bool:
    """The enterprise that posted it, the union, and providers it is open to."""
    if owns_demand(user, demand) or is_union(user):
        return True
    for grant in user.grants if user.is_authenticated else ():
        if grant.role == Role.PROVIDER_ADMIN and grant.organization is not None and demand_open_to(
                demand, grant.organization_id, org_approved=grant.organization.is_approved):
            return True
    return False


def can_see_quote(user: User, quote: Quote) -> bool:
    return (owns_demand(user, quote.demand) or quote.organization_id in provider_ids(user) or is_union(user))


def can_see_order(user: User, order: Order) -> bool:
    return (order.enterprise_id in enterprise_ids(user) or order.provider_id in provider_ids(user)
            or is_union(user))


def owns_order(user: User, order: Order) -> bool:
    return order.enterprise_id in enterprise_ids(user)


def supplies_order(user: User, order: Order) -> bool:
    return order.provider_id in provider_ids(user)
