"""Money is integer minor units (fen) with a currency; never floats."""

from __future__ import annotations


def format_money(amount: int | None, currency: str = "CNY") -> str:
    """``12800`` → ``¥128.00``."""
    if amount is None:
        return ""
    symbol = "¥" if currency == "CNY" else currency + " "
    return f"{symbol}{amount // 100:,}.{amount % 100:02d}"


def money_json(amount: int, currency: str = "CNY") -> dict:
    """The API shape of an amount: ``{"amount": 12800, "currency": "CNY"}``."""
    return {"amount": amount, "currency": currency}
