"""Labels of the orders domain's stored values (see ``app.labels``)."""

from flask_babel import lazy_gettext as _l

from app.labels import register

register("demand_status", {"draft": _l("Draft"), "published": _l("Published"), "awarded": _l("Awarded"),
                           "closed": _l("Closed")})
register("demand_kind", {"training": _l("Training"), "technical_service": _l("Technical service")})
register("demand_mode", {"any": _l("Any mode"), "online": _l("Online"), "offline": _l("Offline"),
                         "blended": _l("Blended")})
register("quote_status", {"submitted": _l("Submitted"), "accepted": _l("Accepted"), "declined": _l("Not chosen"),
                          "withdrawn": _l("Withdrawn")})
register("order_status", {
    "draft": _l("Draft"), "submitted": _l("Waiting for confirmation"), "confirmed": _l("Confirmed"),
    "invoiced": _l("Invoiced"), "paid": _l("Paid"), "in_delivery": _l("In delivery"), "delivered": _l("Delivered"),
    "objected": _l("Objection raised"), "accepted": _l("Delivery accepted"), "settled": _l("Settled"),
    "cancelled": _l("Cancelled"),
})
register("pay_method", {"online": _l("Online payment"), "bank_transfer": _l("Bank transfer with invoice")})
register("inclusion", {"materials": _l("Materials"), "exam_fee": _l("Exam fee"), "meals": _l("Meals"),
                       "accommodation": _l("Accommodation"), "certificate_fee": _l("Certificate fee"),
                       "transport": _l("Transport")})
register("roster_match", {"member": _l("Verified member"), "account": _l("Account without membership"),
                          "invited": _l("Invited"), "rejected": _l("Rejected")})
register("roster_status", {"active": _l("On the roster"), "removed": _l("Removed"), "replaced": _l("Replaced")})
register("subsidy_kind", {"amount": _l("Amount per member"), "percent": _l("Percentage per member")})
register("upload_status", {"queued": _l("Queued"), "running": _l("Importing"), "done": _l("Done"),
                           "failed": _l("Failed")})
