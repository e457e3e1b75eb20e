"""The price that applies to a person for a class: one rule, used by the catalog and enrollment."""

from __future__ import annotations

from dataclasses import dataclass

from app.money import money_json
from courses.models import TrainingClass


@dataclass(frozen=True)
class Price:
    amount: int          # fen
    currency: str
    kind: str            # "free" | "member_free" | "member" | "list"

    def as_json(self) -> dict:
        return {**money_json(self.amount, self.currency), "kind": self.kind}


def price_for(training_class: TrainingClass, *, is_verified_member: bool) -> Price:
    """Free classes are free; verified members get a subsidised free place or the member price."""
    currency = training_class.currency
    if training_class.price == 0:
        return Price(0, currency, "free")
    if is_verified_member and training_class.free_for_members:
        return Price(0, currency, "member_free")
    if is_verified_member and training_class.member_price is not None and training_class.member_price < training_class.price:
        return Price(training_class.member_price, currency, "member")
    return Price(training_class.price, currency, "list")
