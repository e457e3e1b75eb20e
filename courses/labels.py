"""Labels of the catalog domain's stored values (see ``app.labels``), in one place."""

from flask_babel import lazy_gettext as _l

from app.labels import register

register("status", {
    # courses
    "draft": _l("Draft"), "submitted": _l("Under review"),
    # classes
    "scheduled": _l("Scheduled"),
    # enrollments
    "pending_payment": _l("Awaiting payment"), "confirmed": _l("Confirmed"), "waitlisted": _l("Waitlisted"),
    "completed": _l("Completed"), "cancelled": _l("Cancelled"), "expired": _l("Expired"),
})
register("payment_status", {
    "pending": _l("Unpaid"), "succeeded": _l("Paid"), "failed": _l("Payment failed"), "cancelled": _l("Cancelled"),
    "refunded": _l("Refunded"), "partially_refunded": _l("Partly refunded"),
})
register("lesson_kind", {"text": _l("Text"), "video": _l("Video"), "file": _l("File")})
register("class_mode", {"online": _l("Online"), "offline": _l("Offline"), "blended": _l("Blended")})
