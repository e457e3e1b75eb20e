"""JSON API of the instructor pool: ``/api/v1/instructors`` (search, profile, availability, ratings)."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, url_for
from flask_login import current_user

from app.access import PUBLIC, SIGNED_IN, Role, allow
from app.api import created, endpoint, parse_body, parse_query
from app.db import get_session, paginate, utcnow
from instructors import services
from instructors.models import InstructorProfile, Qualification
from instructors.permissions import can_edit_profile, can_verify_qualifications
from instructors.queries import pool as queries
from instructors.queries.examiners import qualification_counts
from instructors.schemas import (
    AvailabilityIn,
    AvailabilityListOut,
    DecisionIn,
    InstructorOut,
    InstructorPageOut,
    PoolQuery,
    ProfileIn,
    QualificationIn,
    QualificationOut,
    RatingIn,
    RatingOut,
    RatingPageOut,
)

bp = Blueprint("instructors_api", __name__, url_prefix="/api/v1/instructors")
TAGS = ("instructors",)


def _summary_json(summary) -> dict:
    return {"count": summary.count, "average": round(summary.average, 2),
            "stars": {str(k): v for k, v in summary.stars.items()}}


def qualification_json(q: Qualification, *, now, private: bool) -> dict:
    return {"id": q.id, "role": str(q.role), "certificate_type_code": q.certificate_type_code,
            "certificate_type_name": q.label, "level": q.level, "issuer": q.issuer,
            "expires_on": q.expires_on.isoformat(), "status": str(q.status),
            "counts": qualification_counts(q, now=now), "number": q.number if private else None}


def profile_json(session, profile: InstructorProfile, *, qualifications, rating, now, private: bool,
                 record: dict | None = None) -> dict:
    return {
        "user_id": profile.user_id, "name": profile.user.name, "titles": list(profile.titles or []),
        "years_experience": profile.years_experience, "city": profile.city, "biography": profile.biography,
        "photo_url": url_for("instructors.photo", name=profile.photo) if profile.photo else None,
        "in_pool": profile.in_pool, "trades": [{"trade": t.trade, "level": t.level} for t in profile.trades],
        "qualifications": [qualification_json(q, now=now, private=private) for q in qualifications],
        "rating": _summary_json(rating), "record": record,
        "url": url_for("instructors.profile", user_id=profile.user_id),
    }


@bp.get("")
@allow(Role.UNION_ADMIN, Role.PROVIDER_ADMIN)
@endpoint("Search the union-wide pool by trade, certificate type, level, city and availability",
          query=PoolQuery, response=InstructorPageOut, errors=(422,), tags=TAGS)
def search():
    args = parse_query(PoolQuery)
    session = get_session()
    now = utcnow()
    filters = queries.PoolFilters(trade=args.trade, certificate_type_code=args.certificate_type, level=args.level,
                                  city=args.city, available_from=args.available_from,
                                  available_until=args.available_until)
    profiles, total = paginate(session, queries.pool_select(filters, now=now), page=args.page,
                               per_page=args.per_page)
    ids = [p.user_id for p in profiles]
    quals = queries.counting_qualifications(session, ids, now=now)
    ratings = queries.ratings_by_instructor(session, ids)
    return jsonify({"items": [profile_json(session, p, qualifications=quals.get(p.user_id, []),
                                           rating=ratings.get(p.user_id, queries.RatingSummary()), now=now,
                                           private=False) for p in profiles],
                    "page": args.page, "per_page": args.per_page, "total": total})


def _own_profile_json(session, user_id: int):
    now = utcnow()
    profile = queries.get_profile(session, user_id)
    if profile is None:
        abort(404)
    return profile_json(session, profile, qualifications=queries.qualifications_of(session, user_id),
                        rating=queries.instructor_rating(session, user_id), now=now, private=True,
                        record=queries.teaching_record(session, user_id, now=now))


@bp.get("/me")
@allow(SIGNED_IN)
@endpoint("My instructor profile, with every qualification and its status", response=InstructorOut,
          errors=(404,), tags=TAGS)
def my_profile():
    return jsonify(_own_profile_json(get_session(), current_user.id))


@bp.patch("/me")
@allow(SIGNED_IN)
@endpoint("Create or update my instructor profile", body=ProfileIn, response=InstructorOut, errors=(422,), tags=TAGS)
def update_my_profile():
    body = parse_body(ProfileIn)
    session = get_session()
    changes = body.model_dump(exclude_none=True)
    services.update_profile(session, actor=current_user, user_id=current_user.id, changes=changes, now=utcnow())
    session.commit()
    return jsonify(_own_profile_json(session, current_user.id))


@bp.post("/me/qualifications")
@allow(SIGNED_IN)
@endpoint("Add an examiner or proctor qualification (pending until a union admin verifies it)",
          body=QualificationIn, response=QualificationOut, status=201, errors=(422,), tags=TAGS)
def add_qualification():
    body = parse_body(QualificationIn)
    session = get_session()
    now = utcnow()
    q = services.add_qualification(session, actor=current_user, user_id=current_user.id, now=now,
                                   **body.model_dump())
    session.commit()
    return created(qualification_json(q, now=now, private=True))


@bp.post("/qualifications/<int:qualification_id>/decision")
@allow(Role.UNION_ADMIN)
@endpoint("Verify or reject a qualification (union admins)", body=DecisionIn, response=QualificationOut,
          errors=(403, 404, 422), tags=TAGS)
def decide(qualification_id: int):
    body = parse_body(DecisionIn)
    session = get_session()
    now = utcnow()
    q = services.decide_qualification(session, actor=current_user, qualification_id=qualification_id,
                                      verify=body.verify, note=body.note, now=now)
    session.commit()
    return jsonify(qualification_json(q, now=now, private=can_verify_qualifications(current_user)))


def _availability_json(session, user_id: int) -> dict:
    now = utcnow()
    return {"items": [{"id": a.id, "kind": str(a.kind), "starts_at": a.starts_at.isoformat(),
                       "ends_at": a.ends_at.isoformat(), "note": a.note}
                      for a in queries.availability_of(session, user_id, now=now)],
            "booked": [{"purpose": b.purpose, "reference_id": b.reference_id, "starts_at": b.starts_at.isoformat(),
                        "ends_at": b.ends_at.isoformat()} for b in queries.bookings_of(session, user_id, now=now)]}


@bp.get("/<int:user_id>/availability")
@allow(SIGNED_IN)
@endpoint("When a pool member is available and already booked (the person, union and provider admins)",
          response=AvailabilityListOut, errors=(404,), tags=TAGS)
def availability(user_id: int):
    session = get_session()
    profile = queries.get_profile(session, user_id)
    allowed = profile is not None and (can_edit_profile(current_user, profile.user) or (
        profile.in_pool and current_user.has_any_role({Role.UNION_ADMIN, Role.PROVIDER_ADMIN})))
    if not allowed:
        abort(404)
    return jsonify(_availability_json(session, user_id))


@bp.post("/me/availability")
@allow(SIGNED_IN)
@endpoint("Mark a period I can teach and/or examine", body=AvailabilityIn, response=AvailabilityListOut,
          status=201, errors=(422,), tags=TAGS)
def add_availability():
    body = parse_body(AvailabilityIn)
    session = get_session()
    services.add_availability(session, actor=current_user, user_id=current_user.id, kind=body.kind,
                              starts_at=body.starts_at, ends_at=body.ends_at, note=body.note, now=utcnow())
    session.commit()
    return created(_availability_json(session, current_user.id))


@bp.delete("/me/availability/<int:availability_id>")
@allow(SIGNED_IN)
@endpoint("Remove one of my availability periods", status=204, errors=(404,), tags=TAGS)
def delete_availability(availability_id: int):
    session = get_session()
    services.remove_availability(session, actor=current_user, availability_id=availability_id)
    session.commit()
    return "", 204


def _rating_json(r) -> dict:
    return {"id": r.id, "class_id": r.class_id, "course_id": r.course_id, "stars": r.stars, "comment": r.comment,
            "learner": (r.user.name or "")[:1] + "**", "created_at": r.created_at.isoformat()}


@bp.get("/<int:user_id>")
@allow(PUBLIC)
@endpoint("A pool member's public profile: verified qualifications, teaching record, ratings",
          response=InstructorOut, errors=(404,), tags=TAGS)
def get_profile(user_id: int):
    session = get_session()
    profile = queries.get_profile(session, user_id)
    if profile is None or not (profile.in_pool or can_edit_profile(current_user, profile.user)):
        abort(404)
    now = utcnow()
    return jsonify(profile_json(
        session, profile, qualifications=queries.counting_qualifications(session, [user_id], now=now).get(user_id, []),
        rating=queries.instructor_rating(session, user_id), now=now, private=False,
        record=queries.teaching_record(session, user_id, now=now)))


@bp.get("/<int:user_id>/ratings")
@allow(PUBLIC)
@endpoint("Learners' ratings of a pool member's classes, newest first", response=RatingPageOut, errors=(404,),
          tags=TAGS)
def ratings(user_id: int):
    session = get_session()
    profile = queries.get_profile(session, user_id)
    if profile is None or not profile.in_pool:
        abort(404)
    return jsonify({"summary": _summary_json(queries.instructor_rating(session, user_id)),
                    "items": [_rating_json(r) for r in queries.recent_ratings(session, instructor_user_id=user_id,
                                                                              limit=50)]})


@bp.post("/ratings")
@allow(Role.WORKER)
@endpoint("Rate a class I completed or attended (1–5 stars, once)", body=RatingIn, response=RatingOut, status=201,
          errors=(404, 409, 422), tags=TAGS)
def rate():
    body = parse_body(RatingIn)
    session = get_session()
    rating = services.rate_class(session, actor=current_user, class_id=body.class_id, stars=body.stars,
                                 comment=body.comment, now=utcnow())
    session.commit()
    return created(_rating_json(rating))
