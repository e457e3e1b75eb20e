"""JSON API of the accounts domain: sign-up, tokens, the caller's profile."""

from __future__ import annotations

from flask import Blueprint, current_app, g, jsonify
from flask_login import current_user, login_user

from app.access import PUBLIC, SIGNED_IN, allow
from app.api import created, endpoint, parse_body
from app.auth import services, throttle
from app.auth.loaders import bearer_header
from app.auth.models import User
from app.auth.schemas import (
    AcceptedOut,
    LocaleIn,
    MembershipOut,
    MeOut,
    OrganizationRef,
    PasswordChangeIn,
    PasswordResetIn,
    RegisterIn,
    RoleOut,
    SignUpConfirmIn,
    SignUpStartedOut,
    TokenIn,
    TokenOut,
)
from app.auth.tokens import API_SALT, make_token
from app.auth.views import login_failed
from app.db import get_session, utcnow
from app.errors import DomainError, Invalid
from app.extensions import limiter
from app.links import public_url
from app.membership.queries import get_profile

bp = Blueprint("auth_api", __name__, url_prefix="/api/v1")


def _limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _token_response(user: User) -> dict:
    return TokenOut(access_token=make_token(current_app.config["SECRET_KEY"], API_SALT, user),
                    expires_in=current_app.config["API_TOKEN_TTL"]).model_dump()


def membership_out(user_id: int) -> MembershipOut:
    profile = get_profile(get_session(), user_id)
    if profile is None:
        return MembershipOut(status="none")
    return MembershipOut(status=profile.status, member_no=profile.member_no, union_name=profile.union_name,
                         employer=profile.employer_name, real_name=profile.real_name,
                         id_number=profile.id_masked, decision_note=profile.decision_note or None)


def me_out(user: User) -> dict:
    roles = [RoleOut(role=g.role, organization=OrganizationRef(
        id=g.organization.id, kind=g.organization.kind, name=g.organization.name, status=g.organization.status)
        if g.organization else None) for g in sorted(user.grants, key=lambda g: (g.role, g.organization_id or 0))]
    return MeOut(id=user.id, name=user.name, phone=user.phone, email=user.email, locale=user.locale,
                 roles=roles, membership=membership_out(user.id)).model_dump()


@bp.post("/auth/register")
@limiter.limit(_limit)
@allow(PUBLIC)
@endpoint("Worker sign-up by phone or e-mail: sends a link that finishes it (same answer whether or not "
          "the account exists)", body=RegisterIn, response=SignUpStartedOut, status=202, errors=(429,),
          tags=("accounts",))
def register():
    data = parse_body(RegisterIn)
    session = get_session()
    services.start_sign_up(session, name=data.name, password=data.password, phone=data.phone, email=data.email,
                           confirm_url=lambda t: public_url("auth.finish_signup", token=t),
                           sign_in_url=public_url("auth.login"))
    session.commit()
    return jsonify(SignUpStartedOut().model_dump()), 202


@bp.post("/auth/register/confirm")
@limiter.limit(_limit)
@allow(PUBLIC)
@endpoint("Finish a sign-up with the token from the link sent to the phone or e-mail; returns a bearer token",
          body=SignUpConfirmIn, response=TokenOut, status=201, errors=(409, 429), tags=("accounts",))
def confirm_registration():
    data = parse_body(SignUpConfirmIn)
    session = get_session()
    user = services.finish_sign_up(session, token=data.token, max_age=current_app.config["SIGN_UP_TTL"])
    session.commit()
    return created(_token_response(user))


@bp.post("/auth/token")
@limiter.limit(_limit, deduct_when=login_failed)
@allow(PUBLIC)
@endpoint("Exchange phone/e-mail and password for a bearer token", body=TokenIn, response=TokenOut,
          errors=(401, 429), tags=("accounts",))
def token():
    data = parse_body(TokenIn)
    session = get_session()
    throttle.check(data.username)
    try:
        user = services.authenticate(session, account=data.username, password=data.password, now=utcnow())
    except DomainError:
        g.login_failed = True
        throttle.failed(data.username)
        raise
    session.commit()
    throttle.succeeded(data.username)
    return jsonify(_token_response(user))


@bp.post("/auth/password-reset")
@limiter.limit(_limit)
@allow(PUBLIC)
@endpoint("Send a password-reset link (same answer whether or not the account exists)", body=PasswordResetIn,
          response=AcceptedOut, status=202, errors=(429,), tags=("accounts",))
def password_reset():
    data = parse_body(PasswordResetIn)
    session = get_session()
    services.request_password_reset(session, account=data.username, secret_key=current_app.config["SECRET_KEY"],
                                    reset_url=lambda t: public_url("auth.reset_password", token=t))
    session.commit()
    return jsonify({"status": "sent_if_exists"}), 202


@bp.get("/me")
@allow(SIGNED_IN)
@endpoint("The caller's profile, roles and membership status", response=MeOut, tags=("accounts",))
def me():
    return jsonify(me_out(current_user))


@bp.put("/me/password")
@allow(SIGNED_IN)
@endpoint("Change the caller's password (tokens issued before stop working)", body=PasswordChangeIn,
          response=TokenOut, tags=("accounts",))
def change_password():
    data = parse_body(PasswordChangeIn)
    session = get_session()
    services.change_password(session, actor=current_user, current_password=data.current_password,
                             new_password=data.new_password)
    session.commit()
    if bearer_header() is None:
        login_user(current_user._get_current_object())  # this cookie session stays signed in
    return jsonify(_token_response(current_user))


@bp.put("/me/locale")
@allow(SIGNED_IN)
@endpoint("Set the caller's language (zh_Hans or en)", body=LocaleIn, response=MeOut, tags=("accounts",))
def set_locale():
    data = parse_body(LocaleIn)
    if data.locale not in current_app.config["LANGUAGES"]:
        raise Invalid("Unsupported language.", field="locale")
    current_user.locale = data.locale
    get_session().commit()
    return jsonify(me_out(current_user))
