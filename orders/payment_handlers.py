"""The payment purposes of orders: the enterprise's share and the union's subsidy share."""

from __future__ import annotations

from app.domain import PaymentPurpose
from orders.services.ordering import PURPOSE, SUBSIDY_PURPOSE, on_paid, on_refunded, on_subsidy_paid

ORDER_PAYMENTS = PaymentPurpose(PURPOSE, succeeded=on_paid, refunded=on_refunded)
SUBSIDY_PAYMENTS = PaymentPurpose(SUBSIDY_PURPOSE, succeeded=on_subsidy_paid, refunded=on_refunded)
