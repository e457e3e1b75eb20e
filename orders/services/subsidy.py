"""The union's subsidy for verified members on enterprise orders, against a yearly budget.

``SubsidyRule.spent`` moves only by conditional UPDATEs (``spent + x <= budget``): on
PostgreSQL concurrent orders queue on the row and each re-checks the budget, so the budget
is never overspent (the CHECK constraint is the backstop).
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.access import Role
from app.auth.models import User
from app.auth.services import require_approved_org
from app.errors import Invalid
from app.inputs import MAX_FEN
from orders.models import SubsidyKind, SubsidyRule
from orders.services.common import clean_int, today


def set_rule(session: Session, *, actor: User, year: int, kind: str, value: int, budget: int, active: bool = True,
             now: datetime) -> SubsidyRule:
    """The union sets (or changes) its subsidy rule for a year. The budget cannot drop below what is spent."""
    union = require_approved_org(actor, Role.UNION_ADMIN)
    year = clean_int(year, "year", minimum=2000, maximum=2100)
    if kind not in {k.value for k in SubsidyKind}:
        raise Invalid(_("Choose an amount or a percentage."), field="kind")
    value = clean_int(value, "value", maximum=100 if kind == SubsidyKind.PERCENT else MAX_FEN)
    budget = clean_int(budget, "budget", maximum=MAX_FEN)
    rule = session.scalar(select(SubsidyRule).where(SubsidyRule.union_id == union.id, SubsidyRule.year == year)
                          .with_for_update(of=SubsidyRule))
    if rule is None:
        rule = SubsidyRule(union_id=union.id, year=year, spent=0, created_by_id=actor.id, created_at=now)
        session.add(rule)
    elif budget < rule.spent:
        raise Invalid(_("The budget cannot be less than what is already granted."), field="budget")
    rule.kind, rule.value, rule.budget, rule.active = SubsidyKind(kind), value, budget, bool(active)
    session.flush()
    return rule


def rule_for(session: Session, now: datetime) -> SubsidyRule | None:
    """The active rule of the year (Asia/Shanghai) in which ``now`` falls."""
    return session.scalar(select(SubsidyRule).where(SubsidyRule.year == today(now).year, SubsidyRule.active.is_(True))
                          .order_by(SubsidyRule.id).limit(1))


def per_member(rule: SubsidyRule, price_per_person: int) -> int:
    if rule.kind == SubsidyKind.PERCENT:
        return price_per_person * rule.value // 100
    return min(rule.value, price_per_person)


def reserve(session: Session, rule_id: int, amount: int) -> int:
    """Take up to ``amount`` from the rule's budget; returns what was granted (0 when spent out)."""
    for _attempt in range(8):
        if amount <= 0:
            return 0
        left = session.scalar(select(SubsidyRule.budget - SubsidyRule.spent).where(SubsidyRule.id == rule_id)) or 0
        grant = min(amount, left)
        if grant <= 0:
            return 0
        done = session.execute(update(SubsidyRule).where(SubsidyRule.id == rule_id,
                                                         SubsidyRule.spent + grant <= SubsidyRule.budget)
                               .values(spent=SubsidyRule.spent + grant)
                               .execution_options(synchronize_session=False)).rowcount
        if done == 1:
            _expire(session, rule_id)
            return grant
    return 0


def release(session: Session, rule_id: int, amount: int) -> None:
    """Give an unused grant back to the budget (an order cancelled)."""
    if amount > 0:
        session.execute(update(SubsidyRule).where(SubsidyRule.id == rule_id, SubsidyRule.spent >= amount)
                        .values(spent=SubsidyRule.spent - amount).execution_options(synchronize_session=False))
        _expire(session, rule_id)


def _expire(session: Session, rule_id: int) -> None:
    loaded = session.identity_map.get(session.identity_key(SubsidyRule, rule_id))
    if loaded is not None:
        session.expire(loaded, ["spent"])
