"""Labels of the instructor pool's stored values (see ``app.labels``)."""

from flask_babel import lazy_gettext as _l

from app.labels import register

register("qualification_role", {"examiner": _l("Examiner (考评员)"), "proctor": _l("Proctor (监考员)")})
register("booking_purpose", {"class": _l("teaching a class"), "exam_session": _l("an exam session")})
register("availability_kind", {"teach": _l("Teaching"), "examine": _l("Examining"), "both": _l("Teaching and examining")})
register("relation", {"kin": _l("Kin"), "colleague": _l("Colleague"), "master_apprentice": _l("Master and apprentice"),
                      "other": _l("Other relation")})
register("status", {"accepted": _l("Accepted"), "declined": _l("Declined"), "withdrawn": _l("Withdrawn")})
