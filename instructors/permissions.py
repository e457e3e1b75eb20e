"""Pure predicates: who may do what with instructor profiles and qualifications."""

from __future__ import annotations

from app.access import Role
from app.auth.models import User


def staff_provider_ids(person: User) -> set[int]:
    """Providers where ``person`` is an instructor on the staff."""
    return person.org_ids(Role.INSTRUCTOR)


def can_edit_profile(actor: User, person: User) -> bool:
    """The person themselves, or an admin of a provider the person teaches for."""
    if not actor.is_authenticated:
        return False
    return actor.id == person.id or bool(actor.org_ids(Role.PROVIDER_ADMIN) & staff_provider_ids(person))


def can_verify_qualifications(actor: User) -> bool:
    return actor.is_authenticated and actor.has_role(Role.UNION_ADMIN)


def can_search_pool(actor: User) -> bool:
    return actor.is_authenticated and actor.has_any_role({Role.UNION_ADMIN, Role.PROVIDER_ADMIN})


def can_see_scan(actor: User, owner: User) -> bool:
    """Qualification scans: the owner, their providers' admins, union admins."""
    return can_edit_profile(actor, owner) or can_verify_qualifications(actor)
