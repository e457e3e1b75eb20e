"""Labels of the exams domain's stored values (see ``app.labels``)."""

from flask_babel import lazy_gettext as _l

from app.labels import register

COMPONENTS = {"theory": _l("Theory exam"), "practical": _l("Practical exam"), "panel": _l("Panel review")}
register("exam_component", COMPONENTS)
register("question_kind", {
    "single": _l("Single choice"), "multiple": _l("Multiple choice"), "true_false": _l("True or false"),
    "fill": _l("Fill in the blank"), "short": _l("Short answer"), "practical": _l("Practical task"),
})
register("session_mode", {"online_center": _l("Computer-based at an exam point"),
                          "online_remote": _l("Online from anywhere"), "offline": _l("At the venue")})
register("booking_status", {
    "pending_payment": _l("Awaiting payment"), "booked": _l("Seat booked"), "waitlisted": _l("Waitlisted"),
    "checked_in": _l("Checked in"), "cancelled": _l("Cancelled"),
    "expired": _l("Expired: the fee was not paid in time"),
})
register("attempt_status", {"in_progress": _l("Answering"), "submitted": _l("Submitted, being graded"),
                            "graded": _l("Graded")})
register("session_status", {"scheduled": _l("Scheduled"), "cancelled": _l("Cancelled"),
                            "released": _l("Results released")})
register("grading_round", {"first": _l("first marking"), "second": _l("second marking"),
                           "third": _l("third examiner"), "panel": _l("panel"), "appeal": _l("appeal re-marking")})
register("next_step", {"book_next": _l("Book the next exam"), "retake": _l("Book a retake"),
                       "retrain": _l("Retrain before booking again"), "done": _l("All exams passed")})


def component_label(kind: str):
    return COMPONENTS.get(kind, kind)
