"""A provider invites a pool instructor to teach one of its classes; the instructor accepts.

Accepting makes the person the class's instructor (and an instructor of the provider, so
the class's pages open for them) and books their time for the class's days.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.access import Role
from app.auth.models import Organization, User
from app.auth.services import grant_role
from app.errors import Conflict, Invalid, NotFound
from app.i18n import SHANGHAI
from courses.models import ClassStatus, TrainingClass
from courses.permissions import is_provider_admin_of
from instructors.models import (
    BookingPurpose,
    InstructorProfile,
    InvitationStatus,
    TeachingInvitation,
)
from instructors.services.booking import class_window, release_time, reserve_time


def invite_to_class(session: Session, *, actor: User, class_id: int, user_id: int, message: str = "",
                    now: datetime) -> TeachingInvitation:
    """Raises NotFound (class not the actor's, person not in the pool), Conflict, Invalid."""
    training_class = session.get(TrainingClass, class_id)
    if training_class is None or not is_provider_admin_of(actor, training_class.course.provider_id):
        raise NotFound(_("No such class."))
    if training_class.status != ClassStatus.SCHEDULED or training_class.ends_on < now.astimezone(SHANGHAI).date():
        raise Conflict(_("Only scheduled classes that have not ended take instructors."), code="bad_state")
    profile = session.scalar(select(InstructorProfile).where(InstructorProfile.user_id == user_id))
    if profile is None or not profile.in_pool:
        raise NotFound(_("No such instructor."))
    if training_class.instructor_id == user_id:
        raise Conflict(_("This person already teaches the class."), code="already_instructor")
    pending = session.scalar(select(TeachingInvitation.id).where(
        TeachingInvitation.class_id == class_id, TeachingInvitation.user_id == user_id,
        TeachingInvitation.status == InvitationStatus.PENDING))
    if pending:
        raise Conflict(_("This person has already been invited to the class."), code="already_invited")
    message = str(message or "").strip()
    if len(message) > 500:
        raise Invalid(_("At most %(n)d characters.", n=500), field="message")
    invitation = TeachingInvitation(class_id=class_id, user_id=user_id, provider_id=training_class.course.provider_id,
                                    invited_by_id=actor.id, message=message, created_at=now)
    session.add(invitation)
    session.flush()
    _notify(session, invitation.user, training_class, actor.name)
    return invitation


def _notify(session: Session, person: User, training_class: TrainingClass, inviter: str) -> None:
    """Tell the invitee, in their language, through the outbox (delivered after commit)."""
    from app.notify import queue_message, speaking_to

    if not person.contact:
        return
    with speaking_to(person):
        subject = _("Invitation to teach: %(course)s", course=training_class.course.title)
        body = _("%(inviter)s of %(provider)s invites you to teach %(cls)s (%(start)s to %(end)s). "
                 "Answer on your instructor profile.", inviter=inviter, provider=training_class.course.provider.name,
                 cls=training_class.title, start=training_class.starts_on.isoformat(),
                 end=training_class.ends_on.isoformat())
    queue_message(session, recipient=person.contact, subject=subject, body=body)


def _own_pending(session: Session, actor: User, invitation_id: int) -> TeachingInvitation:
    invitation = session.get(TeachingInvitation, invitation_id)
    if invitation is None or invitation.user_id != actor.id:
        raise NotFound(_("No such invitation."))
    if invitation.status != InvitationStatus.PENDING:
        raise Conflict(_("This invitation has already been answered."), code="bad_state")
    return invitation


def accept_invitation(session: Session, *, actor: User, invitation_id: int, now: datetime) -> TeachingInvitation:
    """Become the class's instructor; raises Conflict (``instructor_busy``) when already booked then."""
    invitation = _own_pending(session, actor, invitation_id)
    training_class = session.get(TrainingClass, invitation.class_id)
    if training_class is None or training_class.status != ClassStatus.SCHEDULED:
        raise Conflict(_("The class is no longer scheduled."), code="bad_state")
    starts_at, ends_at = class_window(training_class)
    reserve_time(session, user_id=actor.id, starts_at=starts_at, ends_at=ends_at, purpose=BookingPurpose.CLASS,
                 reference_id=training_class.id, now=now)
    previous = training_class.instructor_id
    if previous and previous != actor.id:
        release_time(session, user_id=previous, purpose=BookingPurpose.CLASS, reference_id=training_class.id)
    training_class.instructor_id = actor.id
    grant_role(session, actor, Role.INSTRUCTOR, session.get(Organization, invitation.provider_id))
    invitation.status, invitation.decided_at = InvitationStatus.ACCEPTED, now
    for other in session.scalars(select(TeachingInvitation).where(
            TeachingInvitation.class_id == training_class.id, TeachingInvitation.id != invitation.id,
            TeachingInvitation.status == InvitationStatus.PENDING)):
        other.status, other.decided_at = InvitationStatus.WITHDRAWN, now
    session.flush()
    return invitation


def decline_invitation(session: Session, *, actor: User, invitation_id: int, now: datetime) -> TeachingInvitation:
    invitation = _own_pending(session, actor, invitation_id)
    invitation.status, invitation.decided_at = InvitationStatus.DECLINED, now
    session.flush()
    return invitation
