"""Msgids the code translates from data at run time, which pybabel cannot see.

Templates and views call ``_(org.status)``, ``_(org.kind)``, ``_(profile.status)``,
``_(r.outcome)`` and ``_(ROLE_LABELS[role])``; listing the possible values here keeps
them in ``messages.pot`` so ``pybabel update`` does not drop their translations.
This module is only read by ``pybabel extract``; nothing imports it.
"""


def _(message: str) -> str:
    return message


RUNTIME_MSGIDS = (
    # app.auth.views.ROLE_LABELS
    _("Worker"),
    _("Enterprise admin"),
    _("Provider admin"),
    _("Instructor"),
    _("Union admin"),
    # app.auth.models.OrgKind
    _("enterprise"),
    _("provider"),
    _("union"),
    # app.auth.models.OrgStatus and app.membership.models.MembershipStatus
    _("pending"),
    _("approved"),
    _("verified"),
    _("rejected"),
    # outcomes of a register import row (app.membership.services.import_register)
    _("added"),
    _("updated"),
)
