"""Services of the instructor pool. Callers use ``instructors.services.<name>``.

Booking (``reserve_time``/``release_time``) is the API ``exams`` uses for examiner assignment.
"""

from instructors.services.booking import release_time, reserve_time
from instructors.services.invitations import accept_invitation, decline_invitation, invite_to_class
from instructors.services.profiles import (
    add_availability,
    add_qualification,
    decide_qualification,
    declare_relation,
    ensure_profile,
    remove_availability,
    remove_qualification,
    remove_relation,
    set_photo,
    update_profile,
)
from instructors.services.ratings import rate_class

__all__ = [
    "accept_invitation", "add_availability", "add_qualification", "declare_relation", "decide_qualification",
    "decline_invitation", "ensure_profile", "invite_to_class", "rate_class", "release_time", "remove_availability",
    "remove_qualification", "remove_relation", "reserve_time", "set_photo", "update_profile",
]
