"""The union's pages: naming studios, honours, rating criteria and reviews, targets, service teams;
and the studio's yearly self-assessment."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.access import SIGNED_IN, Role, allow
from app.auth.forms import EmptyForm
from app.db import get_session, utcnow
from app.forms import perform
from app.i18n import SHANGHAI
from studios import queries
from studios.forms import (
    CriterionForm,
    HonorForm,
    NameStudioForm,
    RejectStudioForm,
    TargetForm,
    TeamForm,
)
from studios.models import RatingCriterion, StudioRating, StudioStatus
from studios.services import help as help_services
from studios.services import profiles, rating
from studios.views import bp
from studios.views.profiles import _editable


def _year() -> int:
    return utcnow().astimezone(SHANGHAI).year


@bp.get("/union/studios")
@allow(Role.UNION_ADMIN)
def union_dashboard():
    session = get_session()
    year = request.args.get("year", _year(), type=int) or _year()
    team_form = TeamForm()
    choices = queries.filter_choices(session)
    team_form.industry_code.choices = [("", "—")] + [(i.code, i.name_zh) for i in choices["industries"]]
    team_form.studio_ids.choices = [(s.id, s.name) for s in queries.list_studios(session, per_page=500)[0]]
    return render_template(
        "studios/union.html", year=year, proposed=queries.proposed_studios(session),
        ratings=queries.ratings_to_review(session), progress=queries.target_progress(session, year),
        counts=queries.studio_counts(session), criteria=rating.active_criteria(session),
        honours=queries.pending_honours(session), teams=queries.list_teams(session),
        name_form=NameStudioForm(), reject_form=RejectStudioForm(), honor_form=HonorForm(),
        target_form=TargetForm(year=year), criterion_form=CriterionForm(), team_form=team_form,
        button=EmptyForm())


def _back():
    return redirect(url_for("studios.union_dashboard"))


@bp.post("/union/studios/<int:studio_id>/name")
@allow(Role.UNION_ADMIN)
def name_studio(studio_id: int):
    form = NameStudioForm()
    if form.validate_on_submit() and perform(lambda s: profiles.name_studio(
            s, actor=current_user, studio_id=studio_id, level=form.level.data, note=form.note.data or "",
            now=utcnow())).ok:
        flash(_("The studio is named."), "success")
    return _back()


@bp.post("/union/studios/<int:studio_id>/reject")
@allow(Role.UNION_ADMIN)
def reject_studio(studio_id: int):
    form = RejectStudioForm()
    if not form.validate_on_submit():
        flash(_("Give a reason."), "error")
    elif perform(lambda s: profiles.reject_studio(s, actor=current_user, studio_id=studio_id, note=form.note.data,
                                                  now=utcnow())).ok:
        flash(_("The proposal is turned down."), "success")
    return _back()


@bp.post("/union/honours")
@allow(Role.UNION_ADMIN)
def enter_honor():
    form = HonorForm()
    if form.validate_on_submit():
        def enter(session):
            user = profiles.user_by_phone(session, form.phone.data, field="phone")
            return profiles.enter_honor(session, actor=current_user, user_id=user.id, kind=form.kind.data,
                                        title=form.title.data, level=form.level.data, year=form.year.data,
                                        awarded_by=form.awarded_by.data, now=utcnow())

        if perform(enter).ok:
            flash(_("Honour recorded; verify it against the awarding document."), "success")
    else:
        flash(_("Fill in every field of the honour."), "error")
    return _back()


@bp.post("/union/honours/<int:honor_id>/<any(verify, reject):action>")
@allow(Role.UNION_ADMIN)
def verify_honor(honor_id: int, action: str):
    if not EmptyForm().validate_on_submit():
        abort(400)
    if perform(lambda s: profiles.verify_honor(s, actor=current_user, honor_id=honor_id, accept=action == "verify",
                                               now=utcnow())).ok:
        flash(_("Saved."), "success")
    return _back()


@bp.post("/union/studio-targets")
@allow(Role.UNION_ADMIN)
def set_target():
    form = TargetForm()
    if form.validate_on_submit() and perform(lambda s: rating.set_target(
            s, actor=current_user, year=form.year.data, level=form.level.data, target=form.target.data,
            now=utcnow())).ok:
        flash(_("Target saved."), "success")
    return redirect(url_for("studios.union_dashboard", year=form.year.data or _year()))


@bp.post("/union/studio-criteria")
@allow(Role.UNION_ADMIN)
def set_criterion():
    form = CriterionForm()
    if form.validate_on_submit():
        position = len(get_session().scalars(select(RatingCriterion.id)).all())
        if perform(lambda s: rating.set_criterion(s, actor=current_user, code=form.code.data, name=form.name.data,
                                                  weight=form.weight.data, description=form.description.data or "",
                                                  position=position, now=utcnow())).ok:
            flash(_("Indicator saved."), "success")
    else:
        flash(_("Fill in the code, the indicator and its weight."), "error")
    return _back()


@bp.post("/union/service-teams")
@allow(Role.UNION_ADMIN)
def form_team():
    form = TeamForm()
    form.studio_ids.choices = [(i, i) for i in (request.form.getlist("studio_ids", type=int))]
    if form.validate_on_submit() and perform(lambda s: help_services.form_team(
            s, actor=current_user, name=form.name.data, scope=form.scope.data, studio_ids=form.studio_ids.data,
            city=form.city.data or "", industry_code=form.industry_code.data or None, now=utcnow())).ok:
        flash(_("Service team formed."), "success")
    return _back()


@bp.route("/union/studio-ratings/<int:rating_id>", methods=["GET", "POST"])
@allow(Role.UNION_ADMIN)
def review_rating(rating_id: int):
    session = get_session()
    row = session.get(StudioRating, rating_id)
    if row is None:
        abort(404)
    criteria = rating.active_criteria(session)
    form = EmptyForm()
    if form.validate_on_submit():
        scores = {c.code: request.form.get(f"score_{c.code}", "") for c in criteria}
        stars = request.form.get("stars", type=int)

        def review(s):
            return rating.review_rating(s, actor=current_user, rating_id=row.id, scores=scores, stars=stars or 0,
                                        note=request.form.get("note", ""), now=utcnow())

        if perform(review).ok:
            flash(_("Rating reviewed."), "success")
            return _back()
    return render_template("studios/review_rating.html", rating=row, criteria=criteria, form=form,
                           suggested=rating.suggested_stars(row.self_total))


@bp.route("/studios/<int:studio_id>/rating", methods=["GET", "POST"])
@allow(SIGNED_IN)
def self_assess(studio_id: int):
    studio = _editable(studio_id)
    if studio.status != StudioStatus.NAMED:
        abort(404)
    session = get_session()
    year = request.values.get("year", _year(), type=int) or _year()
    criteria = rating.active_criteria(session)
    form = EmptyForm()
    if form.validate_on_submit():
        scores = {c.code: request.form.get(f"score_{c.code}", "") for c in criteria}
        evidence = {c.code: request.form.get(f"evidence_{c.code}", "") for c in criteria}
        if perform(lambda s: rating.self_assess(s, actor=current_user, studio_id=studio.id, year=year,
                                                scores=scores, evidence=evidence, now=utcnow())).ok:
            flash(_("Self-assessment sent to the union."), "success")
            return redirect(url_for("studios.detail", studio_id=studio.id))
    current = rating.get_rating(session, actor=current_user, studio_id=studio.id, year=year)
    return render_template("studios/self_assess.html", studio=studio, year=year, criteria=criteria, form=form,
                           current=current)

