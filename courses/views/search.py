"""The search dictionary's admin page: union admins add and remove synonyms and abbreviations."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.access import Role, allow
from app.auth.forms import EmptyForm
from app.db import get_session, utcnow
from app.forms import perform, submit
from courses.forms.search import SynonymForm
from courses.queries import search as queries
from courses.services import synonyms as services
from courses.views import bp


@bp.route("/admin/search-dictionary", methods=["GET", "POST"])
@allow(Role.UNION_ADMIN)
def search_dictionary():
    form = SynonymForm()
    if form.validate_on_submit():
        if submit(form, lambda session: services.add_synonym(
                session, actor=current_user, term=form.term.data, expansion=form.expansion.data,
                two_way=form.two_way.data, featured=form.featured.data, now=utcnow())).ok:
            flash(_("Added to the search dictionary. Searches use it within seconds."), "success")
            return redirect(url_for("courses.search_dictionary"))
    return render_template("courses/search/dictionary.html", form=form, delete_form=EmptyForm(),
                           entries=queries.list_synonyms(get_session()))


@bp.post("/admin/search-dictionary/<int:synonym_id>/delete")
@allow(Role.UNION_ADMIN)
def delete_synonym(synonym_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    if perform(lambda session: services.delete_synonym(session, actor=current_user, synonym_id=synonym_id)).ok:
        flash(_("Removed from the search dictionary."), "success")
    return redirect(url_for("courses.search_dictionary"))
