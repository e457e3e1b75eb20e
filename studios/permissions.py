"""Pure predicates: who may do what with studios, apprenticeships and requests for help."""

from __future__ import annotations

from app.access import Role
from app.auth.models import User
from studios.models import Apprenticeship, HelpRequest, MemberRole, Studio, StudioStatus


def is_union_admin(user: User) -> bool:
    return bool(user.is_authenticated and user.has_role(Role.UNION_ADMIN))


def active_role_in(user: User, studio: Studio) -> MemberRole | None:
    """The user's role in the studio while a member (ending a membership sets ``until``)."""
    if not user.is_authenticated:
        return None
    return next((m.role for m in studio.members if m.user_id == user.id and m.until is None), None)


def can_edit_studio(user: User, studio: Studio) -> bool:
    """A studio's members edit its profile, achievements, photos, courses and services."""
    return active_role_in(user, studio) is not None


def can_manage_members(user: User, studio: Studio) -> bool:
    """The leader (or a union admin) adds and removes members."""
    return active_role_in(user, studio) == MemberRole.LEADER or is_union_admin(user)


def can_see_studio(user: User, studio: Studio) -> bool:
    """Named studios are public; a proposal is seen by who proposed it, its members and the union."""
    return (studio.status == StudioStatus.NAMED or is_union_admin(user) or can_edit_studio(user, studio)
            or (user.is_authenticated and (studio.proposed_by_id == user.id
                                           or studio.organization_id in user.org_ids(Role.ENTERPRISE_ADMIN))))


def in_apprenticeship(user: User, apprenticeship: Apprenticeship) -> bool:
    return user.is_authenticated and user.id in (apprenticeship.master_id, apprenticeship.apprentice_id)


def can_see_apprenticeship(user: User, apprenticeship: Apprenticeship) -> bool:
    return (in_apprenticeship(user, apprenticeship) or is_union_admin(user)
            or can_edit_studio(user, apprenticeship.studio))


def owns_request(user: User, request: HelpRequest) -> bool:
    """The enterprise's admins, or the village's / school's owner, own a request for help."""
    if not user.is_authenticated:
        return False
    if request.organization_id is not None:
        return request.organization_id in user.org_ids(Role.ENTERPRISE_ADMIN)
    return request.requester is not None and request.requester.owner_id == user.id

