"""Labels of the records domain's stored values."""

from flask_babel import lazy_gettext as _l

from app.labels import register

register("record_kind", {
    "training": _l("Training"), "order_training": _l("Training through employer"), "exam": _l("Exam"),
    "certificate": _l("Certificate"), "studio": _l("Studio"), "apprenticeship": _l("Apprenticeship"),
    "teaching": _l("Teaching"), "honour": _l("Honour"),
})
register("status", {
    "passed": _l("Passed"), "failed": _l("Not passed"), "valid": _l("Valid"), "suspended": _l("Suspended"),
    "revoked": _l("Revoked"), "active": _l("Active"), "ended": _l("Ended"), "accepted": _l("Accepted"),
    "declined": _l("Declined"), "withdrawn": _l("Withdrawn"), "absent": _l("Absent from the exam"),
})
register("honour_kind", {
    "model_worker": _l("Model worker"), "craftsman": _l("Craftsman"), "may_day_medal": _l("May Day Labour Medal"),
    "other": _l("Other"),
})
register("talent_action", {"search": _l("Found you in a search"), "view": _l("Viewed your profile"),
                           "contact": _l("Asked for contact")})
register("metric", {
    "trained": _l("People trained"), "enrolled": _l("Enrollments"), "hours": _l("Training hours"),
    "certificates_issued": _l("Certificates issued"), "exams_sat": _l("Exams sat"),
    "exams_passed": _l("Exams passed"), "subsidy": _l("Subsidy spent (yuan)"),
    "orders_trained": _l("Trained through orders"),
})
register("dimension", {
    "industry": _l("Industry"), "city": _l("City / county"), "union_name": _l("Grassroots union"),
    "enterprise": _l("Enterprise"), "provider": _l("Provider"), "kind": _l("Course or certificate"),
})
register("contact_status", {"pending": _l("Awaiting an answer"), "accepted": _l("Accepted"),
                            "declined": _l("Declined"), "withdrawn": _l("Withdrawn")})
