"""名师带高徒 pages: start a pairing, its page with progress notes and the final assessment."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.access import SIGNED_IN, allow
from app.db import get_session, utcnow
from app.errors import DomainError
from app.forms import submit
from studios.forms import ApprenticeshipForm, AssessmentForm, NoteForm
from studios.models import ApprenticeshipStatus, MemberRole
from studios.permissions import active_role_in, in_apprenticeship
from studios.services import apprenticeships as services
from studios.views import bp
from studios.views.profiles import _editable


@bp.route("/studios/<int:studio_id>/apprenticeships/new", methods=["GET", "POST"])
@allow(SIGNED_IN)
def new_apprenticeship(studio_id: int):
    studio = _editable(studio_id)
    form = ApprenticeshipForm()
    form.master_id.choices = [(m.user_id, m.user.name) for m in studio.members if m.until is None]
    if not form.is_submitted():
        form.master_id.data = current_user.id
    if form.validate_on_submit():
        outcome = submit(form, lambda s: services.start_apprenticeship(
            s, actor=current_user, studio_id=studio.id, master_id=form.master_id.data,
            apprentice_phone=form.apprentice_phone.data, starts_on=form.starts_on.data, ends_on=form.ends_on.data,
            goals=form.goals.data, now=utcnow()))
        if outcome.ok:
            flash(_("Apprenticeship started."), "success")
            return redirect(url_for("studios.apprenticeship", apprenticeship_id=outcome.value.id))
    return render_template("studios/apprenticeship_form.html", form=form, studio=studio)


@bp.route("/apprenticeships/<int:apprenticeship_id>", methods=["GET", "POST"])
@allow(SIGNED_IN)
def apprenticeship(apprenticeship_id: int):
    try:
        pairing = services.get_apprenticeship(get_session(), actor=current_user, apprenticeship_id=apprenticeship_id)
    except DomainError:
        abort(404)
    note_form, assess_form = NoteForm(prefix="note"), AssessmentForm(prefix="final")
    if "note-body" in request.form and note_form.validate_on_submit():
        if submit(note_form, lambda s: services.add_note(s, actor=current_user, apprenticeship_id=pairing.id,
                                                         body=note_form.body.data, now=utcnow())).ok:
            flash(_("Note added."), "success")
            return redirect(url_for("studios.apprenticeship", apprenticeship_id=pairing.id))
    elif "final-assessment" in request.form and assess_form.validate_on_submit():
        if submit(assess_form, lambda s: services.assess(s, actor=current_user, apprenticeship_id=pairing.id,
                                                         result=assess_form.result.data,
                                                         assessment=assess_form.assessment.data, now=utcnow())).ok:
            flash(_("Final assessment saved."), "success")
            return redirect(url_for("studios.apprenticeship", apprenticeship_id=pairing.id))
    active = pairing.status == ApprenticeshipStatus.ACTIVE
    return render_template(
        "studios/apprenticeship.html", pairing=pairing, note_form=note_form, assess_form=assess_form,
        can_note=active and in_apprenticeship(current_user, pairing),
        can_assess=active and (current_user.id == pairing.master_id
                               or active_role_in(current_user, pairing.studio) == MemberRole.LEADER))
