"""HTML pages of the accounts domain: sign-up/in/out, passwords, organizations, staff."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import pgettext
from flask_login import current_user, login_user, logout_user

from app.access import PUBLIC, SIGNED_IN, Role, allow
from app.auth import queries, services, throttle
from app.auth.forms import (
    ChangePasswordForm,
    DecisionForm,
    EmptyForm,
    ForgotPasswordForm,
    InviteForm,
    OrganizationForm,
    ResetPasswordForm,
    SignInForm,
    SignUpForm,
)
from app.auth.models import ADMIN_ROLE, INVITABLE_ROLES, Organization, OrgKind
from app.db import get_session, utcnow
from app.errors import DomainError
from app.extensions import limiter
from app.forms import perform, show_error, submit
from app.labels import label
from app.links import public_url

bp = Blueprint("auth", __name__)



def safe_next(default: str) -> str:
    """The ``next`` target if it is a local path, else ``default`` (no open redirects)."""
    target = request.args.get("next") or request.form.get("next") or ""
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.scheme and not parts.netloc:
        return target
    return default


def login_failed(response) -> bool:
    return bool(getattr(g, "login_failed", False))


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@allow(PUBLIC)
def signup():
    form = SignUpForm()
    if form.validate_on_submit():
        contact = form.phone.data or form.email.data
        if submit(form, lambda session: services.start_sign_up(
            session, name=form.name.data, password=form.password.data, phone=form.phone.data or None,
            email=form.email.data or None, confirm_url=lambda t: public_url("auth.finish_signup", token=t),
            sign_in_url=public_url("auth.login"))).ok:
            flash(_("We sent a link to %(contact)s. Open it within an hour to finish signing up.",
                    contact=contact), "info")
            return redirect(url_for("auth.login"))
    return render_template("auth/signup.html", form=form)


@bp.route("/signup/finish/<token>", methods=["GET", "POST"])
@allow(PUBLIC)
def finish_signup(token: str):
    form = EmptyForm()
    if form.validate_on_submit():
        ok, user = submit(form, lambda session: services.finish_sign_up(
            session, token=token, max_age=current_app.config["SIGN_UP_TTL"]))
        if ok:
            login_user(user)
            flash(_("Welcome! Link your union membership to get member prices."), "success")
            return redirect(url_for("membership.link"))
    return render_template("auth/signup_finish.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], deduct_when=login_failed)
@allow(PUBLIC)
def login():
    form = SignInForm()
    if form.validate_on_submit():
        session = get_session()
        throttle.check(form.account.data)
        try:
            user = services.authenticate(session, account=form.account.data, password=form.password.data,
                                         now=utcnow())
        except DomainError as exc:
            g.login_failed = True
            throttle.failed(form.account.data)
            show_error(form, exc)
        else:
            session.commit()
            throttle.succeeded(form.account.data)
            login_user(user)
            return redirect(safe_next(url_for("main.home")))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@allow(SIGNED_IN)
def logout():
    # Session cookies are signed, not stored: the only way to make a copied cookie useless
    # is to move the account's credentials_version on (which also ends its API tokens).
    perform(lambda session: services.sign_out_everywhere(session, actor=current_user))
    logout_user()
    flash(_("You have signed out."), "info")
    return redirect(url_for("main.home"))


@bp.route("/account", methods=["GET", "POST"])
@allow(SIGNED_IN)
def account():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if submit(form, lambda session: services.change_password(
            session, actor=current_user, current_password=form.current_password.data,
            new_password=form.new_password.data)).ok:
            login_user(current_user._get_current_object())  # stay signed in after the change
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("auth.account"))
    return render_template("auth/account.html", form=form)


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@allow(PUBLIC)
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        session = get_session()
        services.request_password_reset(
            session, account=form.account.data, secret_key=current_app.config["SECRET_KEY"],
            reset_url=lambda token: public_url("auth.reset_password", token=token))
        session.commit()
        flash(_("If this account exists, a reset link is on its way. It is valid for one hour."), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@allow(PUBLIC)
def reset_password(token: str):
    form = ResetPasswordForm()
    if form.validate_on_submit():
        ok, user = submit(form, lambda session: services.reset_password(
            session, token=token, new_password=form.new_password.data, secret_key=current_app.config["SECRET_KEY"],
            max_age=current_app.config["PASSWORD_RESET_TTL"]))
        if ok:
            throttle.succeeded(user.phone, user.email)  # whoever controls the mailbox may sign in again
            flash(_("Your password has been reset. Sign in with the new one."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form)


# --- organizations and staff --------------------------------------------------------------

@bp.route("/organizations/new", methods=["GET", "POST"])
@allow(SIGNED_IN)
def register_organization():
    form = OrganizationForm()
    form.name.label.text = pgettext("organization", "Name")  # 机构名称, not a person's 姓名
    if form.validate_on_submit():
        ok, org = submit(form, lambda session: services.register_organization(
            session, actor=current_user, kind=OrgKind(form.kind.data), name=form.name.data,
            credit_code=form.credit_code.data or None, city=form.city.data or "",
            contact_phone=form.contact_phone.data or "", description=form.description.data or ""))
        if ok:
            flash(_("Registered. The union will review your organization before it can act."), "success")
            return redirect(url_for("auth.organization", org_id=org.id))
    return render_template("auth/organization_new.html", form=form)


def _org_for_admin(org_id: int) -> Organization:
    org = get_session().get(Organization, org_id)
    if org is None:
        abort(404)
    if org_id not in current_user.org_ids(ADMIN_ROLE[OrgKind(org.kind)]) and not current_user.has_role(Role.UNION_ADMIN):
        abort(404)  # not yours: do not reveal that it exists
    return org


@bp.route("/organizations/<int:org_id>", methods=["GET", "POST"])
@allow(Role.ENTERPRISE_ADMIN, Role.PROVIDER_ADMIN, Role.UNION_ADMIN)
def organization(org_id: int):
    org = _org_for_admin(org_id)
    session = get_session()
    form = InviteForm()
    form.role.choices = [(r.value, label(r, "role")) for r in INVITABLE_ROLES[OrgKind(org.kind)]]
    if form.validate_on_submit():
        if submit(form, lambda session: services.invite_staff(
            session, actor=current_user, org_id=org.id, contact=form.contact.data, role=Role(form.role.data),
            now=utcnow(), ttl_days=current_app.config["INVITATION_TTL_DAYS"],
            invite_url=lambda t: public_url("auth.invitation", token=t))).ok:
            flash(_("Invitation sent."), "success")
            return redirect(url_for("auth.organization", org_id=org.id))
    return render_template("auth/organization.html", org=org, form=form,
                           staff=queries.list_staff(session, org.id),
                           invitations=queries.list_open_invitations(session, org.id))


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@allow(PUBLIC)
def invitation(token: str):
    session = get_session()
    invite = services.get_invitation(session, token=token, now=utcnow())
    form = EmptyForm()
    if form.validate_on_submit():
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.path))
        services.accept_invitation(session, actor=current_user, token=token, now=utcnow())
        session.commit()
        flash(_("You have joined %(org)s.", org=invite.organization.name), "success")
        return redirect(url_for("main.home"))
    return render_template("auth/invitation.html", invite=invite, form=form)


@bp.get("/admin/organizations")
@allow(Role.UNION_ADMIN)
def pending_organizations():
    session = get_session()
    orgs = list(session.scalars(queries.list_pending_organizations()))
    return render_template("auth/admin_organizations.html", orgs=orgs, form=DecisionForm())


@bp.post("/admin/organizations/<int:org_id>/<any(approve, reject):decision>")
@allow(Role.UNION_ADMIN)
def decide_organization(org_id: int, decision: str):
    form = DecisionForm()
    if not form.validate_on_submit():
        abort(400)
    ok, org = perform(lambda session: services.decide_organization(
        session, actor=current_user, org_id=org_id, approve=decision == "approve", note=form.note.data or "",
        now=utcnow()))
    if ok:
        flash(_("%(org)s: %(status)s", org=org.name, status=label(org.status)), "success")
    return redirect(url_for("auth.pending_organizations"))


@bp.get("/admin/outbox")
@allow(Role.UNION_ADMIN)
def outbox():
    messages = list(get_session().scalars(queries.list_outbox()))
    return render_template("auth/outbox.html", messages=messages)
