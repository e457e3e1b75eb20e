"""Every write of the accounts domain: sign-up, sign-in, passwords, organizations, staff."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.access import Role
from app.auth.models import (
    ADMIN_ROLE,
    INVITABLE_ROLES,
    Invitation,
    Organization,
    OrgKind,
    OrgStatus,
    RoleGrant,
    User,
)
from app.auth.tokens import RESET_SALT, load_token, make_token
from app.auth.validation import (
    check_password_strength,
    normalize_account,
    normalize_email,
    normalize_phone,
)
from app.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from app.notify import queue_message, speaking_to
from app.security import (
    dummy_password_hash,
    hash_password,
    password_needs_rehash,
    vault,
    verify_password,
)


class InvalidCredentials(DomainError):
    status, code = 401, "invalid_credentials"


def _find_by_account(session: Session, kind: str, value: str) -> User | None:
    column = User.email if kind == "email" else User.phone
    return session.scalar(select(User).where(column == value))


def grant_role(session: Session, user: User, role: Role, organization: Organization | None = None) -> None:
    """Give ``user`` a role (idempotent)."""
    org_id = organization.id if organization else None
    if not any(g.role == role and g.organization_id == org_id for g in user.grants):
        user.grants.append(RoleGrant(role=role, organization_id=org_id))
        session.flush()


def register_user(session: Session, *, name: str, password: str, phone: str | None = None,
                  email: str | None = None) -> User:
    """Sign up a worker by phone or e-mail. Raises Invalid, Conflict (``account_taken``)."""
    name = (name or "").strip()
    if not name:
        raise Invalid(_("Enter your name."), field="name")
    if not phone and not email:
        raise Invalid(_("Enter a mobile phone number or an e-mail address."), field="phone")
    phone = normalize_phone(phone) if phone else None
    email = normalize_email(email) if email else None
    check_password_strength(password, user_inputs=(name, phone, email))
    if phone and _find_by_account(session, "phone", phone):
        raise Conflict(_("This phone number is already registered. Sign in instead."), code="account_taken", field="phone")
    if email and _find_by_account(session, "email", email):
        raise Conflict(_("This e-mail address is already registered. Sign in instead."), code="account_taken", field="email")
    user = User(name=name, phone=phone, email=email, password_hash=hash_password(password))
    session.add(user)
    session.flush()
    grant_role(session, user, Role.WORKER)
    return user


def start_sign_up(session: Session, *, name: str, password: str, phone: str | None = None,
                  email: str | None = None, confirm_url: Callable[[str], str], sign_in_url: str) -> None:
    """Check a worker's sign-up and send a link that finishes it to the phone or e-mail.

    The answer is the same whether or not the account exists: an existing account's owner is
    told instead that someone tried to sign up with their number, with a sign-in link. The
    link carries the name, contact and password hash encrypted (no table, nothing stored until
    the owner of the contact opens it). Raises Invalid (bad name, contact or password).
    """
    name = (name or "").strip()
    if not name:
        raise Invalid(_("Enter your name."), field="name")
    if len(name) > 100:
        raise Invalid(_("Use at most 100 characters for the name."), field="name")
    if not phone and not email:
        raise Invalid(_("Enter a mobile phone number or an e-mail address."), field="phone")
    phone = normalize_phone(phone) if phone else None
    email = normalize_email(email) if email else None
    check_password_strength(password, user_inputs=(name, phone, email))
    taken = [(contact, owner) for contact, owner in (
        (phone, phone and _find_by_account(session, "phone", phone)),
        (email, email and _find_by_account(session, "email", email))) if owner]
    for contact, owner in taken:
        with speaking_to(owner):
            queue_message(session, recipient=contact, subject=_("You already have an account"),
                          body=_("Someone, perhaps you, tried to sign up again with %(contact)s. You already "
                                 "have an account: sign in here, or ask for a new password there: %(link)s",
                                 contact=contact, link=sign_in_url))
    if taken:
        hash_password(password)  # the same work as a real sign-up: timing tells nothing either
        return
    token = vault().seal({"n": name, "p": phone, "e": email, "h": hash_password(password)})
    queue_message(session, recipient=phone or email, subject=_("Finish signing up"),
                  body=_("Open this link within an hour to finish signing up: %(link)s", link=confirm_url(token)))


def finish_sign_up(session: Session, *, token: str, max_age: int) -> User:
    """Create the account a sign-up link describes. Raises Invalid (``bad_token``), Conflict."""
    data = vault().unseal(token or "", max_age=max_age)
    if not data or not isinstance(data.get("h"), str) or not isinstance(data.get("n"), str):
        raise Invalid(_("This sign-up link is invalid or has expired. Sign up again."), code="bad_token",
                      field="token")
    phone, email = data.get("p"), data.get("e")
    if (phone and _find_by_account(session, "phone", phone)) or (email and _find_by_account(session, "email", email)):
        # Whoever holds the link controls the contact: telling them is no leak.
        raise Conflict(_("This account already exists. Sign in instead."), code="account_taken")
    user = User(name=data["n"], phone=phone, email=email, password_hash=data["h"])
    session.add(user)
    session.flush()
    grant_role(session, user, Role.WORKER)
    return user


def authenticate(session: Session, *, account: str, password: str, now: datetime) -> User:
    """The user whose account and password match. Raises InvalidCredentials (same for both)."""
    try:
        kind, value = normalize_account(account)
    except Invalid:
        verify_password(dummy_password_hash(), password)
        raise InvalidCredentials(_("Wrong phone/e-mail or password.")) from None
    user = _find_by_account(session, kind, value)
    if user is None:
        # Same work as for a real account, so the answer's timing does not say which exist.
        verify_password(dummy_password_hash(), password)
        raise InvalidCredentials(_("Wrong phone/e-mail or password."))
    if not verify_password(user.password_hash, password) or not user.is_active:
        raise InvalidCredentials(_("Wrong phone/e-mail or password."))
    if password_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = now
    session.flush()
    return user


def change_password(session: Session, *, actor: User, current_password: str, new_password: str) -> None:
    """Change the actor's password. Raises Invalid (wrong current, weak new)."""
    if not verify_password(actor.password_hash, current_password):
        raise Invalid(_("The current password is wrong."), field="current_password")
    check_password_strength(new_password, field="new_password", user_inputs=(actor.name, actor.phone, actor.email))
    actor.password_hash = hash_password(new_password)
    actor.credentials_version += 1
    session.flush()


def sign_out_everywhere(session: Session, *, actor: User) -> None:
    """End every session and API token of the actor (a captured cookie stops working too)."""
    actor.credentials_version += 1
    session.flush()


def request_password_reset(session: Session, *, account: str, secret_key: str,
                           reset_url: Callable[[str], str]) -> None:
    """Send a time-limited reset link if the account exists; silent otherwise (no enumeration)."""
    try:
        kind, value = normalize_account(account)
    except Invalid:
        return
    user = _find_by_account(session, kind, value)
    if user is None or not user.is_active:
        return
    link = reset_url(make_token(secret_key, RESET_SALT, user))
    with speaking_to(user):
        queue_message(session, recipient=user.contact, subject=_("Reset your password"),
                      body=_("Open this link within an hour to choose a new password: %(link)s", link=link))


def reset_password(session: Session, *, token: str, new_password: str, secret_key: str, max_age: int) -> User:
    """Set a new password from a reset link. Raises Invalid (bad/expired link, weak password)."""
    user = load_token(session, secret_key, RESET_SALT, token, max_age)
    if user is None:
        raise Invalid(_("This reset link is invalid or has expired. Ask for a new one."), code="bad_token", field="token")
    check_password_strength(new_password, field="new_password", user_inputs=(user.name, user.phone, user.email))
    user.password_hash = hash_password(new_password)
    user.credentials_version += 1
    session.flush()
    return user


# --- organizations ------------------------------------------------------------------------

CREDIT_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def normalize_credit_code(raw: str) -> str:
    """Unified social credit code (统一社会信用代码, GB 32100-2015) with its check character."""
    code = (raw or "").strip().upper()
    if len(code) != 18 or any(c not in CREDIT_CODE_CHARS for c in code):
        raise Invalid(_("A unified social credit code has 18 digits and capital letters."), field="credit_code")
    total = sum(CREDIT_CODE_CHARS.index(c) * w for c, w in zip(code[:17], CREDIT_CODE_WEIGHTS, strict=True))
    if CREDIT_CODE_CHARS[(31 - total % 31) % 31] != code[17]:
        raise Invalid(_("The check character of this credit code does not match."), field="credit_code")
    return code


def register_organization(session: Session, *, actor: User, kind: OrgKind, name: str, credit_code: str | None,
                          city: str = "", contact_phone: str = "", description: str = "") -> Organization:
    """Register an enterprise or provider; it waits for union approval. Raises Invalid, Conflict."""
    if kind == OrgKind.UNION:
        raise Forbidden(_("Union organizations are created by the federation."))
    name = (name or "").strip()
    if not name:
        raise Invalid(_("Enter the organization's name."), field="name")
    code = normalize_credit_code(credit_code) if credit_code else None
    if code and session.scalar(select(Organization.id).where(Organization.credit_code == code)):
        raise Conflict(_("An organization with this credit code is already registered."), field="credit_code")
    org = Organization(kind=kind, name=name, credit_code=code, city=city.strip(),
                       contact_phone=contact_phone.strip(), description=description.strip())
    session.add(org)
    session.flush()
    grant_role(session, actor, ADMIN_ROLE[kind], org)
    return org


def decide_organization(session: Session, *, actor: User, org_id: int, approve: bool, note: str,
                        now: datetime) -> Organization:
    """A union admin approves or rejects a registered organization. Raises NotFound, Invalid."""
    org = session.get(Organization, org_id)
    if org is None:
        raise NotFound(_("No such organization."))
    if not approve and not note.strip():
        raise Invalid(_("Give a reason for the rejection."), field="note")
    org.status = OrgStatus.APPROVED if approve else OrgStatus.REJECTED
    org.decision_note, org.decided_at, org.decided_by_id = note.strip(), now, actor.id
    session.flush()
    return org


def require_approved_org(actor: User, role: Role, org_id: int | None = None) -> Organization:
    """The approved organization in which ``actor`` holds ``role``. Raises Forbidden."""
    grants = [g for g in actor.grants if g.role == role and g.organization is not None
              and (org_id is None or g.organization_id == org_id)]
    if not grants:
        raise Forbidden(_("You do not act for this organization."))
    approved = [g.organization for g in grants if g.organization.is_approved]
    if not approved:
        raise Forbidden(_("Your organization is waiting for the union's approval."), code="org_not_approved")
    return approved[0]


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite_staff(session: Session, *, actor: User, org_id: int, contact: str, role: Role, now: datetime,
                 ttl_days: int, invite_url: Callable[[str], str]) -> Invitation:
    """An organization admin invites someone by phone or e-mail. Raises Forbidden, Invalid."""
    org = session.get(Organization, org_id)
    if org is None:
        raise NotFound(_("No such organization."))
    require_approved_org(actor, ADMIN_ROLE[OrgKind(org.kind)], org_id)
    if role not in INVITABLE_ROLES[OrgKind(org.kind)]:
        raise Invalid(_("This role cannot be given in this organization."), field="role")
    kind, value = normalize_account(contact, field="contact")
    token = secrets.token_urlsafe(32)
    invitation = Invitation(organization_id=org.id, role=role, contact=value, token_hash=_token_hash(token),
                            invited_by_id=actor.id, created_at=now, expires_at=now + timedelta(days=ttl_days))
    session.add(invitation)
    session.flush()
    queue_message(session, recipient=value, subject=_("Invitation to join %(org)s", org=org.name),
                  body=_("%(who)s invites you to join %(org)s on the skills training supermarket. "
                         "Accept here: %(link)s", who=actor.name, org=org.name, link=invite_url(token)))
    return invitation


def get_invitation(session: Session, *, token: str, now: datetime) -> Invitation:
    """The open invitation behind ``token``. Raises NotFound, Conflict (used or expired)."""
    invitation = session.scalar(select(Invitation).where(Invitation.token_hash == _token_hash(token)))
    if invitation is None:
        raise NotFound(_("This invitation link is not valid."))
    if invitation.accepted_at is not None:
        raise Conflict(_("This invitation has already been accepted."), code="invitation_used")
    if invitation.expires_at < now:
        raise Conflict(_("This invitation has expired. Ask for a new one."), code="invitation_expired")
    return invitation


def accept_invitation(session: Session, *, actor: User, token: str, now: datetime) -> Invitation:
    """The signed-in actor accepts an invitation and gains its role in the organization."""
    invitation = get_invitation(session, token=token, now=now)
    grant_role(session, actor, Role(invitation.role), invitation.organization)
    invitation.accepted_at, invitation.accepted_by_id = now, actor.id
    session.flush()
    return invitation
