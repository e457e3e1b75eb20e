"""助企助农助教 pages: the demand list, a request with its matches and proposals, services offered."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.access import SIGNED_IN, Role, allow
from app.auth.forms import EmptyForm
from app.db import get_session, utcnow
from app.errors import DomainError
from app.forms import perform, submit
from studios import queries
from studios.forms import (
    AssignForm,
    CompleteForm,
    DeliverForm,
    HelpRequestForm,
    OfferForm,
    ProposalForm,
    RequesterForm,
)
from studios.models import HelpRequest, HelpStatus, Proposal, ProposalStatus
from studios.permissions import is_union_admin, owns_request
from studios.services import help as services
from studios.views import bp
from studios.views.profiles import _editable


@bp.get("/help")
@allow(SIGNED_IN)
def help_board():
    session = get_session()
    studio_ids = services.my_studio_ids(session, current_user)
    board = queries.open_requests(session) if (studio_ids or is_union_admin(current_user)) else []
    return render_template("studios/help_board.html", own=queries.own_requests(session, current_user), board=board,
                           demands=queries.open_demands_for(session, current_user, studio_ids),
                           waiting=queries.own_demands_waiting(session, current_user),
                           can_ask=bool(current_user.org_ids(Role.ENTERPRISE_ADMIN)
                                        or queries.my_requesters(session, current_user)))


@bp.route("/help/requesters/new", methods=["GET", "POST"])
@allow(SIGNED_IN)
def new_requester():
    form = RequesterForm()
    if form.validate_on_submit():
        if submit(form, lambda s: services.register_requester(
                s, actor=current_user, kind=form.kind.data, name=form.name.data, city=form.city.data or "",
                contact_name=form.contact_name.data or "", contact_phone=form.contact_phone.data or "",
                now=utcnow())).ok:
            flash(_("Saved. You can now ask for help for it."), "success")
            return redirect(url_for("studios.new_request"))
    return render_template("studios/requester_form.html", form=form)


@bp.route("/help/new", methods=["GET", "POST"])
@allow(SIGNED_IN)
def new_request():
    session = get_session()
    form = HelpRequestForm()
    orgs = [g.organization for g in current_user.grants if g.role == Role.ENTERPRISE_ADMIN and g.organization]
    form.asker.choices = ([(f"org:{o.id}", o.name) for o in orgs]
                          + [(f"req:{r.id}", r.name) for r in queries.my_requesters(session, current_user)])
    if not form.asker.choices:
        return redirect(url_for("studios.new_requester"))
    form.industry_code.choices = [("", "—")] + [(i.code, i.name_zh)
                                                for i in queries.filter_choices(session)["industries"]]
    if form.validate_on_submit():
        kind, _sep, raw_id = (form.asker.data or "").partition(":")
        if not raw_id.isdigit() or kind not in ("org", "req"):
            abort(400)
        ids = {"organization_id": int(raw_id)} if kind == "org" else {"requester_id": int(raw_id)}
        outcome = submit(form, lambda s: services.post_request(
            s, actor=current_user, kind=form.kind.data, title=form.title.data, description=form.description.data or "",
            trades=form.trades.data or "", industry_code=form.industry_code.data or None, city=form.city.data or "",
            needed_from=form.needed_from.data, needed_until=form.needed_until.data, now=utcnow(), **ids))
        if outcome.ok:
            flash(_("Posted. Studios can now answer it."), "success")
            return redirect(url_for("studios.help_request", request_id=outcome.value.id))
    return render_template("studios/request_form.html", form=form)


@bp.get("/help/<int:request_id>")
@allow(SIGNED_IN)
def help_request(request_id: int):
    session = get_session()
    try:
        req = services.get_request(session, actor=current_user, request_id=request_id)
    except DomainError:
        abort(404)
    studio_ids = services.my_studio_ids(session, current_user)
    union = is_union_admin(current_user)
    proposals = queries.proposals_for(session, req.id)
    answered = {p.studio_id for p in proposals if p.status != ProposalStatus.DECLINED}
    proposal_form = ProposalForm()
    my_studios = [s for s in queries.my_studios(session, current_user) if s.id in studio_ids and s.id not in answered]
    proposal_form.studio_id.choices = [(s.id, s.name) for s in my_studios]
    assign_form = AssignForm()
    if union:
        assign_form.target.choices = ([(f"team:{t.id}", t.name) for t in queries.list_teams(session)]
                                      + [(f"studio:{s.id}", s.name)
                                         for s in queries.list_studios(session, per_page=500)[0]])
    return render_template(
        "studios/help_request.html", req=req, proposals=proposals,
        matches=services.propose_matches(session, req) if (union or studio_ids) else [],
        owner=owns_request(current_user, req), union=union, my_studio_ids=studio_ids,
        proposal_form=proposal_form, assign_form=assign_form, deliver_form=DeliverForm(),
        complete_form=CompleteForm(), button=EmptyForm(), is_open=req.status == HelpStatus.OPEN)


@bp.get("/help/demands/<int:demand_id>")
@allow(SIGNED_IN)
def demand(demand_id: int):
    """An enterprise's demand from the order mechanism, as a studio sees it before anyone answered."""
    session = get_session()
    try:
        found = services.get_demand_for_studio(session, actor=current_user, demand_id=demand_id)
    except DomainError:
        abort(404)
    mirror = session.scalar(select(HelpRequest.id).where(HelpRequest.demand_id == found.id))
    if mirror is not None:
        return redirect(url_for("studios.help_request", request_id=mirror))
    studio_ids = services.my_studio_ids(session, current_user)
    form = ProposalForm()
    form.studio_id.choices = [(s.id, s.name) for s in queries.my_studios(session, current_user)
                              if s.id in studio_ids and services.studio_may_answer_demand(found, s)]
    return render_template("studios/demand.html", demand=found, proposal_form=form)


@bp.post("/help/demands/<int:demand_id>/proposals")
@allow(SIGNED_IN)
def propose_on_demand(demand_id: int):
    form = ProposalForm()
    if not form.validate_on_submit():
        flash(_("Describe what the studio proposes."), "error")
        return redirect(url_for("studios.demand", demand_id=demand_id))
    outcome = perform(lambda s: services.propose_on_demand(
        s, actor=current_user, demand_id=demand_id, studio_id=form.studio_id.data, plan=form.plan.data,
        starts_on=form.starts_on.data, ends_on=form.ends_on.data, now=utcnow()))
    if not outcome.ok:
        return redirect(url_for("studios.demand", demand_id=demand_id))
    flash(_("Proposal sent."), "success")
    return redirect(url_for("studios.help_request", request_id=outcome.value.help_request_id))


@bp.post("/help/<int:request_id>/assign")
@allow(Role.UNION_ADMIN)
def assign(request_id: int):
    form = AssignForm()
    form.target.choices = []
    kind, _sep, raw_id = (form.target.data or "").partition(":")
    if not form.validate_on_submit() or kind not in ("team", "studio") or not raw_id.isdigit():
        abort(400)
    ids = {"team_id": int(raw_id)} if kind == "team" else {"studio_id": int(raw_id)}
    if perform(lambda s: services.assign_request(s, actor=current_user, request_id=request_id, now=utcnow(),
                                                 **ids)).ok:
        flash(_("Assigned."), "success")
    return redirect(url_for("studios.help_request", request_id=request_id))


@bp.post("/help/<int:request_id>/proposals")
@allow(SIGNED_IN)
def propose_help(request_id: int):
    form = ProposalForm()
    if not form.validate_on_submit():
        flash(_("Describe what the studio proposes."), "error")
    elif perform(lambda s: services.submit_proposal(
            s, actor=current_user, request_id=request_id, studio_id=form.studio_id.data, plan=form.plan.data,
            starts_on=form.starts_on.data, ends_on=form.ends_on.data, now=utcnow())).ok:
        flash(_("Proposal sent."), "success")
    return redirect(url_for("studios.help_request", request_id=request_id))


def _request_of(proposal_id: int) -> int:
    proposal = get_session().get(Proposal, proposal_id)
    if proposal is None:
        abort(404)
    return proposal.help_request_id


@bp.post("/help/proposals/<int:proposal_id>/<any(accept, decline):action>")
@allow(SIGNED_IN)
def decide(proposal_id: int, action: str):
    if not EmptyForm().validate_on_submit():
        abort(400)
    request_id = _request_of(proposal_id)
    if perform(lambda s: services.decide_proposal(s, actor=current_user, proposal_id=proposal_id,
                                                  accept=action == "accept", now=utcnow())).ok:
        flash(_("Proposal accepted.") if action == "accept" else _("Proposal declined."), "success")
    return redirect(url_for("studios.help_request", request_id=request_id))


@bp.post("/help/proposals/<int:proposal_id>/deliver")
@allow(SIGNED_IN)
def deliver(proposal_id: int):
    request_id = _request_of(proposal_id)
    form = DeliverForm()
    if not form.validate_on_submit():
        flash(_("Say what was done."), "error")
    elif perform(lambda s: services.deliver_proposal(s, actor=current_user, proposal_id=proposal_id,
                                                     note=form.note.data, now=utcnow())).ok:
        flash(_("Reported done; the requester will confirm and rate it."), "success")
    return redirect(url_for("studios.help_request", request_id=request_id))


@bp.post("/help/proposals/<int:proposal_id>/complete")
@allow(SIGNED_IN)
def complete(proposal_id: int):
    request_id = _request_of(proposal_id)
    form = CompleteForm()
    if form.validate_on_submit() and perform(lambda s: services.complete_proposal(
            s, actor=current_user, proposal_id=proposal_id, rating=form.rating.data, comment=form.comment.data or "",
            now=utcnow())).ok:
        flash(_("Thank you. The work is accepted and rated."), "success")
    return redirect(url_for("studios.help_request", request_id=request_id))


@bp.route("/studios/<int:studio_id>/offers/new", methods=["GET", "POST"])
@allow(SIGNED_IN)
def new_offer(studio_id: int):
    studio = _editable(studio_id)
    form = OfferForm()
    if not form.is_submitted():
        form.trades.data, form.city.data = "、".join(studio.trade_names), studio.city
    if form.validate_on_submit():
        if submit(form, lambda s: services.add_offer(
                s, actor=current_user, studio_id=studio.id, kind=form.kind.data, title=form.title.data,
                description=form.description.data or "", trades=form.trades.data or "", city=form.city.data or "",
                available_from=form.available_from.data, available_until=form.available_until.data,
                now=utcnow())).ok:
            flash(_("Service listed."), "success")
            return redirect(url_for("studios.detail", studio_id=studio.id))
    return render_template("studios/offer_form.html", form=form, studio=studio)

