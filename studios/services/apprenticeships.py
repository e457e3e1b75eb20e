"""名师带高徒: master–apprentice pairings, progress notes by both, a final assessment."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.models import User
from app.errors import Conflict, Forbidden, Invalid, NotFound
from courses.services.shelf.courses import clean_text
from studios.models import (
    Apprenticeship,
    ApprenticeshipNote,
    ApprenticeshipStatus,
    MemberRole,
    StudioStatus,
)
from studios.permissions import (
    active_role_in,
    can_see_apprenticeship,
    in_apprenticeship,
    is_union_admin,
)
from studios.services.profiles import get_studio, user_by_phone

RESULTS = ("excellent", "passed", "failed")


def start_apprenticeship(session: Session, *, actor: User, studio_id: int, master_id: int,
                         apprentice_phone: str | None = None, apprentice_id: int | None = None,
                         starts_on: date, ends_on: date, goals: str, now: datetime) -> Apprenticeship:
    """The leader (or the master, a member) pairs a master of the studio with an apprentice.

    Raises NotFound, Forbidden, Invalid (``not_member``, ``unknown_user``, dates), Conflict (``already_paired``).
    """
    studio = get_studio(session, actor=actor, studio_id=studio_id)
    role = active_role_in(actor, studio)
    if not (role == MemberRole.LEADER or (role is not None and actor.id == master_id) or is_union_admin(actor)):
        raise Forbidden(_("The studio's leader or the master starts an apprenticeship."))
    if studio.status != StudioStatus.NAMED:
        raise Conflict(_("Only a named studio runs apprenticeships."), code="not_named")
    if not any(m.user_id == master_id and m.until is None for m in studio.members):
        raise Invalid(_("The master must be a member of the studio."), code="not_member", field="master_id")
    if apprentice_id is not None:
        apprentice = session.get(User, apprentice_id)
        if apprentice is None:
            raise Invalid(_("Nobody is registered with this phone number."), code="unknown_user",
                          field="apprentice_id")
    else:
        apprentice = user_by_phone(session, apprentice_phone or "", field="apprentice_phone")
    if apprentice.id == master_id:
        raise Invalid(_("A master cannot be their own apprentice."), field="apprentice_phone")
    if starts_on is None or ends_on is None or ends_on <= starts_on:
        raise Invalid(_("The end comes after the start."), field="ends_on")
    if session.scalar(select(Apprenticeship.id).where(
            Apprenticeship.studio_id == studio.id, Apprenticeship.master_id == master_id,
            Apprenticeship.apprentice_id == apprentice.id, Apprenticeship.status == ApprenticeshipStatus.ACTIVE)):
        raise Conflict(_("These two are already paired."), code="already_paired")
    pairing = Apprenticeship(studio_id=studio.id, master_id=master_id, apprentice_id=apprentice.id,
                             starts_on=starts_on, ends_on=ends_on, goals=clean_text(goals, "goals", 2000, required=True),
                             created_by_id=actor.id, created_at=now)
    session.add(pairing)
    session.flush()
    return pairing


def get_apprenticeship(session: Session, *, actor: User, apprenticeship_id: int) -> Apprenticeship:
    """Seen by the master, the apprentice, the studio's members and union admins. Raises NotFound."""
    pairing = session.get(Apprenticeship, apprenticeship_id)
    if pairing is None or not can_see_apprenticeship(actor, pairing):
        raise NotFound(_("Apprenticeship not found."))
    return pairing


def add_note(session: Session, *, actor: User, apprenticeship_id: int, body: str,
             now: datetime) -> ApprenticeshipNote:
    """The master or the apprentice writes a progress note. Raises NotFound, Forbidden, Conflict, Invalid."""
    pairing = get_apprenticeship(session, actor=actor, apprenticeship_id=apprenticeship_id)
    if not in_apprenticeship(actor, pairing):
        raise Forbidden(_("Only the master and the apprentice write progress notes."))
    if pairing.status != ApprenticeshipStatus.ACTIVE:
        raise Conflict(_("This apprenticeship is finished."), code="finished")
    note = ApprenticeshipNote(body=clean_text(body, "body", 2000, required=True), author_id=actor.id,
                              written_at=now)
    pairing.notes.append(note)
    session.flush()
    return note


def assess(session: Session, *, actor: User, apprenticeship_id: int, result: str, assessment: str,
           now: datetime) -> Apprenticeship:
    """The master (or the studio's leader) writes the final assessment. Raises NotFound, Forbidden, Conflict,
    Invalid."""
    pairing = get_apprenticeship(session, actor=actor, apprenticeship_id=apprenticeship_id)
    if not (actor.id == pairing.master_id or active_role_in(actor, pairing.studio) == MemberRole.LEADER):
        raise Forbidden(_("The master or the studio's leader writes the final assessment."))
    if pairing.status != ApprenticeshipStatus.ACTIVE:
        raise Conflict(_("This apprenticeship is finished."), code="finished")
    if result not in RESULTS:
        raise Invalid(_("Choose a result."), field="result")
    pairing.final_result = result
    pairing.final_assessment = clean_text(assessment, "assessment", 2000, required=True)
    pairing.status = ApprenticeshipStatus.COMPLETED
    pairing.assessed_by_id, pairing.assessed_at = actor.id, now
    session.flush()
    return pairing
