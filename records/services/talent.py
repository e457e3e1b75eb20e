"""The talent pool (人才储备): consent, what a member shows, enterprise search, contact requests
and the log of who looked.

Privacy by construction: an enterprise only ever reads a profile's ``card`` (the fields the
member chose, rebuilt from the record when the member saves and by a job) and only while
the member is listed; the search matches ``search_text``, which is made from the card alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import and_, func, select, update
from sqlalchemy.orm import Session

from app.access import Role
from app.auth.models import Organization, User
from app.auth.services import require_approved_org
from app.errors import Conflict, Forbidden, Invalid, NotFound
from records.models import ConsentRecord, ContactRequest, ContactStatus, TalentAccess, TalentProfile
from records.queries.record import build_record

CONSENT_VERSION = "2026-11-1"
FIELDS = ("trades", "certificates", "city", "experience")
MAX_TRADES = 10


def consent_wording(fields: list[str] | tuple[str, ...]) -> str:
    """The consent text shown to the member, naming exactly the fields chosen."""
    names = {"trades": _("trades and skills"), "certificates": _("valid certificates"), "city": _("city"),
             "experience": _("years of experience")}
    chosen = "、".join(str(names[f]) for f in FIELDS if f in fields) or _("nothing")
    return _(
        "I agree that approved enterprises on this platform may find me in the talent pool and see only: "
        "%(fields)s. They never see my ID number, birth date, phone or name unless I accept their contact "
        "request. Every search and view is logged and I can see who looked. I can withdraw at any time, "
        "and I disappear from the pool at once.", fields=chosen)


def get_profile(session: Session, user_id: int) -> TalentProfile | None:
    return session.scalar(select(TalentProfile).where(TalentProfile.user_id == user_id))


def shown_fields(profile: TalentProfile) -> list[str]:
    flags = {"trades": profile.show_trades, "certificates": profile.show_certificates, "city": profile.show_city,
             "experience": profile.show_experience}
    return [f for f in FIELDS if flags[f]]


def build_card(session: Session, profile: TalentProfile, user: User, *, now: datetime) -> None:
    """Rebuild what enterprises may see of the member from the member's choices and record."""
    card: dict = {}
    skills: list[str] = []
    certificates: list[dict] = []
    if profile.show_trades:
        card["trades"] = list(profile.trades or [])
        skills += card["trades"]
    if profile.show_certificates:
        record = build_record(session, user, now=now, for_member=False)
        today = now.date()
        for e in record.entries:
            if e.kind != "certificate" or e.status != "valid":
                continue
            until = e.details.get("valid_until")
            if until and str(until)[:10] < today.isoformat():
                continue
            certificates.append({"type": e.title, "level": e.subtitle, "ours": bool(e.ours),
                                 "valid_until": str(until)[:10] if until else None})
        card["certificates"] = certificates
        skills += [c["type"] for c in certificates]
    if profile.show_city and profile.city:
        card["city"] = profile.city
    if profile.show_experience and profile.years_experience is not None:
        card["years_experience"] = profile.years_experience
    profile.card = card
    profile.search_text = _joined(skills, 2000)
    profile.certificate_text = _joined([c["type"] for c in certificates], 2000)
    profile.level_text = _joined([c["level"] for c in certificates if c["level"]], 500)
    profile.shown_city = card.get("city", "")


def _joined(values: list[str], limit: int) -> str:
    return ("|" + "|".join(v.replace("|", " ") for v in values) + "|").lower()[:limit] if values else ""


@dataclass
class PoolChoice:
    listed: bool
    show_trades: bool = True
    show_certificates: bool = True
    show_city: bool = False
    show_experience: bool = False
    trades: tuple[str, ...] = ()
    city: str = ""
    years_experience: int | None = None
    consent_version: str | None = None


def set_pool_choice(session: Session, *, actor: User, choice: PoolChoice, now: datetime) -> TalentProfile:
    """Opt into the pool, change what is shown, or withdraw; each is recorded with its wording.

    Raises Forbidden (not a worker), Invalid (consent of another version, bad values)."""
    if not actor.has_role(Role.WORKER):
        raise Forbidden(_("Only members can join the talent pool."))
    profile = get_profile(session, actor.id)
    if profile is None:
        if not choice.listed:
            raise Conflict(_("You are not in the talent pool."), code="not_listed")
        profile = TalentProfile(user_id=actor.id, updated_at=now, card={}, trades=[])
        session.add(profile)
    if not choice.listed:
        return _withdraw(session, profile, actor, now)
    if choice.consent_version != CONSENT_VERSION:
        raise Invalid(_("Read and accept the current consent text first."), field="consent_version",
                      code="consent_required")
    trades = [t.strip()[:50] for t in choice.trades if t and t.strip()]
    if len(trades) > MAX_TRADES:
        raise Invalid(_("List at most %(n)d trades.", n=MAX_TRADES), field="trades")
    if choice.years_experience is not None and not 0 <= choice.years_experience <= 60:
        raise Invalid(_("Years of experience must be between 0 and 60."), field="years_experience")
    if choice.show_city and not choice.city.strip():
        raise Invalid(_("Enter your city to show it."), field="city")
    if choice.show_experience and choice.years_experience is None:
        raise Invalid(_("Enter your years of experience to show them."), field="years_experience")
    action = "update" if profile.is_listed else "opt_in"
    profile.is_listed = True
    profile.show_trades, profile.show_certificates = choice.show_trades, choice.show_certificates
    profile.show_city, profile.show_experience = choice.show_city, choice.show_experience
    profile.trades = list(dict.fromkeys(trades))
    profile.city = choice.city.strip()[:50]
    profile.years_experience = choice.years_experience
    profile.consented_at, profile.withdrawn_at, profile.updated_at = now, None, now
    session.flush()
    build_card(session, profile, actor, now=now)
    fields = shown_fields(profile)
    session.add(ConsentRecord(user_id=actor.id, action=action, wording=consent_wording(fields),
                              wording_version=CONSENT_VERSION, shown_fields=fields, created_at=now))
    session.flush()
    return profile


def _withdraw(session: Session, profile: TalentProfile, actor: User, now: datetime) -> TalentProfile:
    """Leave the pool at once: the card is emptied and open contact requests are closed."""
    profile.is_listed = False
    profile.card, profile.search_text, profile.certificate_text, profile.level_text = {}, "", "", ""
    profile.shown_city = ""
    profile.withdrawn_at = profile.updated_at = now
    session.execute(update(ContactRequest).where(ContactRequest.profile_id == profile.id,
                                                 ContactRequest.status == ContactStatus.PENDING)
                    .values(status=ContactStatus.WITHDRAWN, decided_at=now))
    session.add(ConsentRecord(user_id=actor.id, action="withdraw",
                              wording=_("I withdraw from the talent pool. Enterprises can no longer find or see me."),
                              wording_version=CONSENT_VERSION, shown_fields=[], created_at=now))
    session.flush()
    return profile


def refresh_cards(session: Session, *, now: datetime, batch: int = 500) -> int:
    """Rebuild the cards of listed members, so a revoked certificate leaves the pool within the
    job's period (idempotent)."""
    done = 0
    last_id = 0
    while True:
        profiles = list(session.scalars(select(TalentProfile).where(TalentProfile.is_listed.is_(True),
                                                                    TalentProfile.id > last_id)
                                        .order_by(TalentProfile.id).limit(batch)))
        if not profiles:
            return done
        users = {u.id: u for u in session.scalars(select(User).where(User.id.in_([p.user_id for p in profiles])))}
        for profile in profiles:
            build_card(session, profile, users[profile.user_id], now=now)
            done += 1
        last_id = profiles[-1].id
        session.flush()


# --- enterprises --------------------------------------------------------------------------

def enterprise_of(actor: User) -> Organization:
    """The approved enterprise the actor searches for. Raises Forbidden."""
    return require_approved_org(actor, Role.ENTERPRISE_ADMIN)


@dataclass
class TalentQuery:
    skill: str = ""
    certificate_type: str = ""
    level: str = ""
    city: str = ""
    page: int = 1
    per_page: int = 20


def _like(text: str) -> str:
    return "%" + text.lower().replace("\\", "").replace("%", "").replace("_", "") + "%"


def search_pool(session: Session, *, actor: User, query: TalentQuery, now: datetime) -> tuple[list[TalentProfile], int]:
    """Listed members matching the query, newest consent first; the search is logged against
    every member it showed. Raises Forbidden (not an approved enterprise admin)."""
    org = enterprise_of(actor)
    conditions = [TalentProfile.is_listed.is_(True)]
    if query.skill:
        # a skill is a trade the member lists or the type of a certificate the member shows
        conditions.append(TalentProfile.search_text.like(_like(query.skill)))
    if query.certificate_type:
        conditions.append(TalentProfile.certificate_text.like(_like(query.certificate_type)))
    if query.level:
        conditions.append(TalentProfile.level_text.like(_like(query.level)))
    if query.city:
        conditions.append(TalentProfile.shown_city == query.city.strip())
    where = and_(*conditions)
    total = session.scalar(select(func.count(TalentProfile.id)).where(where)) or 0
    profiles = list(session.scalars(select(TalentProfile).where(where)
                                    .order_by(TalentProfile.consented_at.desc(), TalentProfile.id.desc())
                                    .offset((query.page - 1) * query.per_page).limit(query.per_page)))
    logged = {k: v for k, v in (("skill", query.skill), ("certificate_type", query.certificate_type),
                                ("level", query.level), ("city", query.city)) if v}
    session.add_all([TalentAccess(action="search", profile_id=p.id, organization_id=org.id, user_id=actor.id,
                                  query=logged, results=total, created_at=now) for p in profiles])
    if not profiles:
        session.add(TalentAccess(action="search", profile_id=None, organization_id=org.id, user_id=actor.id,
                                 query=logged, results=0, created_at=now))
    session.flush()
    return profiles, total


def view_profile(session: Session, *, actor: User, profile_id: int, now: datetime) -> TalentProfile:
    """One listed member's card, logged as a view. Raises Forbidden, NotFound (also for a
    member who withdrew)."""
    org = enterprise_of(actor)
    profile = session.get(TalentProfile, profile_id)
    if profile is None or not profile.is_listed:
        raise NotFound(_("No such person in the talent pool."))
    session.add(TalentAccess(action="view", profile_id=profile.id, organization_id=org.id, user_id=actor.id,
                             query={}, results=1, created_at=now))
    session.flush()
    return profile


def request_contact(session: Session, *, actor: User, profile_id: int, message: str, now: datetime) -> ContactRequest:
    """Ask a listed member for contact through the platform. Raises Forbidden, NotFound,
    Conflict (a request of this enterprise is already open or accepted)."""
    org = enterprise_of(actor)
    profile = session.get(TalentProfile, profile_id)
    if profile is None or not profile.is_listed:
        raise NotFound(_("No such person in the talent pool."))
    open_request = session.scalar(select(ContactRequest.id).where(
        ContactRequest.profile_id == profile.id, ContactRequest.organization_id == org.id,
        ContactRequest.status.in_((ContactStatus.PENDING, ContactStatus.ACCEPTED))))
    if open_request is not None:
        raise Conflict(_("Your enterprise has already asked this person."), code="already_requested")
    contact = ContactRequest(profile_id=profile.id, organization_id=org.id, requested_by_id=actor.id,
                             message=message.strip()[:500], status=ContactStatus.PENDING, created_at=now)
    session.add(contact)
    session.add(TalentAccess(action="contact", profile_id=profile.id, organization_id=org.id, user_id=actor.id,
                             query={}, results=1, created_at=now))
    session.flush()
    return contact


def answer_contact(session: Session, *, actor: User, request_id: int, accept: bool, now: datetime) -> ContactRequest:
    """The member accepts or declines an enterprise's contact request. Raises NotFound, Conflict."""
    contact = session.get(ContactRequest, request_id)
    if contact is None or contact.profile.user_id != actor.id:
        raise NotFound(_("No such contact request."))
    if contact.status != ContactStatus.PENDING:
        raise Conflict(_("This request has already been answered."), code="already_answered")
    contact.status = ContactStatus.ACCEPTED if accept else ContactStatus.DECLINED
    contact.decided_at = now
    session.flush()
    return contact

