"""Yearly star rating (评星定级、摘星降级) against the federation's weighted criteria, and targets."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.models import User
from app.errors import Conflict, Forbidden, Invalid, NotFound
from courses.services.shelf.courses import clean_text
from studios.models import (
    RatingCriterion,
    RatingStatus,
    StudioLevel,
    StudioRating,
    StudioStatus,
    StudioTarget,
)
from studios.permissions import is_union_admin
from studios.services.profiles import get_studio, get_studio_to_edit

# Weighted score (0-100) from which the review page suggests a star count; the reviewer decides.
STAR_FLOORS = ((90, 5), (80, 4), (70, 3), (60, 2), (0, 1))


def active_criteria(session: Session) -> list[RatingCriterion]:
    return list(session.scalars(select(RatingCriterion).where(RatingCriterion.is_active)
                                .order_by(RatingCriterion.position, RatingCriterion.id)))


def weighted_total(criteria: list[RatingCriterion], scores: Mapping[str, int]) -> int:
    """Σ score × weight / Σ weight, rounded half up (integers only): 0-100."""
    weights = sum(c.weight for c in criteria)
    if not weights:
        return 0
    weighted = sum(int(scores.get(c.code, 0)) * c.weight for c in criteria)
    return (2 * weighted + weights) // (2 * weights)


def suggested_stars(total: int) -> int:
    return next(stars for floor, stars in STAR_FLOORS if total >= floor)


def _score(value: Any, code: str) -> int:
    try:
        score = int(value)
    except (TypeError, ValueError):
        raise Invalid(_("Scores are whole numbers from 0 to 100."), field=f"scores.{code}") from None
    if not 0 <= score <= 100:
        raise Invalid(_("Scores are whole numbers from 0 to 100."), field=f"scores.{code}")
    return score


def set_criterion(session: Session, *, actor: User, code: str, name: str, weight: int, description: str = "",
                  position: int = 0, is_active: bool = True, now: datetime) -> RatingCriterion:
    """Union admins add or change one of the federation's indicators. Raises Forbidden, Invalid."""
    if not is_union_admin(actor):
        raise Forbidden(_("Only union admins rate studios."))
    code = clean_text(code, "code", 32, required=True)
    if not 1 <= int(weight) <= 100:
        raise Invalid(_("A weight is between 1 and 100."), field="weight")
    criterion = session.scalar(select(RatingCriterion).where(RatingCriterion.code == code))
    if criterion is None:
        criterion = RatingCriterion(code=code, weight=int(weight))
        session.add(criterion)
    criterion.name = clean_text(name, "name", 100, required=True)
    criterion.description = clean_text(description, "description", 500)
    criterion.weight, criterion.position, criterion.is_active = int(weight), position, is_active
    session.flush()
    return criterion


def self_assess(session: Session, *, actor: User, studio_id: int, year: int, scores: Mapping[str, Any],
                evidence: Mapping[str, str], now: datetime) -> StudioRating:
    """The studio scores itself on every active criterion with evidence; resubmitting replaces it until the
    union has reviewed. Raises NotFound, Forbidden, Conflict (``not_named``, ``already_reviewed``), Invalid."""
    studio = get_studio_to_edit(session, actor=actor, studio_id=studio_id)
    if studio.status != StudioStatus.NAMED:
        raise Conflict(_("Only a named studio is rated."), code="not_named")
    if not 2000 <= year <= now.year:
        raise Invalid(_("Rate a year that has begun."), field="year")
    criteria = active_criteria(session)
    if not criteria:
        raise Conflict(_("The union has not set the rating criteria yet."), code="no_criteria")
    parsed = {c.code: _score(scores.get(c.code), c.code) for c in criteria}
    rating = session.scalar(select(StudioRating).where(StudioRating.studio_id == studio.id,
                                                       StudioRating.year == year))
    if rating is not None and rating.status == RatingStatus.REVIEWED:
        raise Conflict(_("This year's rating has been reviewed."), code="already_reviewed")
    if rating is None:
        rating = StudioRating(studio_id=studio.id, year=year)
        session.add(rating)
    rating.self_scores = {c.code: {"score": parsed[c.code],
                                   "evidence": clean_text(evidence.get(c.code, ""), f"evidence.{c.code}", 1000)}
                          for c in criteria}
    rating.self_total = weighted_total(criteria, parsed)
    rating.submitted_by_id, rating.submitted_at = actor.id, now
    session.flush()
    return rating


def review_rating(session: Session, *, actor: User, rating_id: int, scores: Mapping[str, Any], stars: int,
                  note: str = "", now: datetime) -> StudioRating:
    """Union admins score each criterion and award 1-5 stars; the studio's stars follow (up or down a star).
    Raises Forbidden, NotFound, Conflict (``already_reviewed``), Invalid."""
    if not is_union_admin(actor):
        raise Forbidden(_("Only union admins rate studios."))
    rating = session.get(StudioRating, rating_id)
    if rating is None:
        raise NotFound(_("Rating not found."))
    if rating.status == RatingStatus.REVIEWED:
        raise Conflict(_("This year's rating has been reviewed."), code="already_reviewed")
    if not isinstance(stars, int) or not 1 <= stars <= 5:
        raise Invalid(_("Award 1 to 5 stars."), field="stars")
    criteria = [c for c in active_criteria(session)]
    parsed = {c.code: _score(scores.get(c.code), c.code) for c in criteria}
    previous = session.scalar(select(StudioRating.stars).where(
        StudioRating.studio_id == rating.studio_id, StudioRating.status == RatingStatus.REVIEWED,
        StudioRating.year < rating.year).order_by(StudioRating.year.desc()).limit(1))
    rating.review_scores, rating.review_total = parsed, weighted_total(criteria, parsed)
    rating.stars, rating.previous_stars = stars, previous
    rating.review_note = clean_text(note, "note", 1000)
    rating.status, rating.reviewed_by_id, rating.reviewed_at = RatingStatus.REVIEWED, actor.id, now
    latest = session.scalar(select(StudioRating.year).where(
        StudioRating.studio_id == rating.studio_id, StudioRating.status == RatingStatus.REVIEWED,
        StudioRating.id != rating.id).order_by(StudioRating.year.desc()).limit(1))
    if latest is None or latest < rating.year:
        rating.studio.stars = stars
    session.flush()
    return rating


def get_rating(session: Session, *, actor: User, studio_id: int, year: int) -> StudioRating | None:
    get_studio(session, actor=actor, studio_id=studio_id)
    return session.scalar(select(StudioRating).where(StudioRating.studio_id == studio_id, StudioRating.year == year))


def set_target(session: Session, *, actor: User, year: int, level: StudioLevel | str, target: int,
               now: datetime) -> StudioTarget:
    """Union admins set how many studios of a level should be named in a year. Raises Forbidden, Invalid."""
    if not is_union_admin(actor):
        raise Forbidden(_("Only union admins set targets."))
    try:
        level = StudioLevel(level)
    except ValueError:
        raise Invalid(_("Unknown level."), field="level") from None
    if not 1 <= int(target) <= 100_000:
        raise Invalid(_("A target is a positive number."), field="target")
    row = session.scalar(select(StudioTarget).where(StudioTarget.year == year, StudioTarget.level == level))
    if row is None:
        row = StudioTarget(year=year, level=level, target=int(target), set_by_id=actor.id)
        session.add(row)
    row.target, row.set_by_id, row.set_at = int(target), actor.id, now
    session.flush()
    return row
