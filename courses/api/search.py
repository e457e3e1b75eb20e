"""JSON search helpers: suggestions as the user types; the search dictionary (union admins)."""

from __future__ import annotations

from flask import jsonify, url_for
from flask_login import current_user

from app.access import PUBLIC, Role, allow
from app.api import created, endpoint, parse_body, parse_query
from app.db import get_session, utcnow
from app.i18n import SHANGHAI
from courses import search
from courses.api import bp
from courses.catalog_cache import catalog_index, search_cache
from courses.queries import search as queries
from courses.schemas.search import SuggestOut, SuggestQuery, SynonymIn, SynonymListOut, SynonymOut
from courses.services import synonyms as services


def suggestion_json(suggestion: queries.Suggestion) -> dict:
    url = (url_for("courses.course_detail", course_id=suggestion.course_id) if suggestion.course_id
           else url_for("courses.catalog", q=suggestion.text))
    return {"text": suggestion.text, "kind": suggestion.kind, "hint": suggestion.hint, "url": url}


def synonym_json(entry) -> dict:
    return {"id": entry.id, "term": entry.term, "expansion": entry.expansion, "two_way": entry.two_way,
            "featured": entry.featured, "created_at": entry.created_at.astimezone(SHANGHAI).isoformat()}


@bp.get("/search/suggest")
@allow(PUBLIC)
@endpoint("Suggestions as the user types: dictionary words, trade words, course titles; popular searches",
          query=SuggestQuery, response=SuggestOut, tags=("catalog",))
def suggest():
    args = parse_query(SuggestQuery)
    session = get_session()
    cache = search_cache()
    items = queries.suggest(catalog_index(session), search.dictionary(session, cache), args.q)
    return jsonify({"q": args.q, "items": [suggestion_json(s) for s in items],
                    "popular": queries.popular_searches(session, cache)})


@bp.get("/search/synonyms")
@allow(Role.UNION_ADMIN)
@endpoint("The search dictionary (union admins)", response=SynonymListOut, tags=("search",))
def list_synonyms():
    return jsonify({"items": [synonym_json(e) for e in queries.list_synonyms(get_session())]})


@bp.post("/search/synonyms")
@allow(Role.UNION_ADMIN)
@endpoint("Add a synonym or abbreviation to the search dictionary (union admins); searches use it at once",
          body=SynonymIn, response=SynonymOut, status=201, errors=(409,), tags=("search",))
def add_synonym():
    data = parse_body(SynonymIn)
    session = get_session()
    entry = services.add_synonym(session, actor=current_user, now=utcnow(), **data.model_dump())
    session.commit()
    return created(synonym_json(entry))


@bp.delete("/search/synonyms/<int:synonym_id>")
@allow(Role.UNION_ADMIN)
@endpoint("Remove an entry of the search dictionary (union admins)", status=204, errors=(404,), tags=("search",))
def delete_synonym(synonym_id: int):
    session = get_session()
    services.delete_synonym(session, actor=current_user, synonym_id=synonym_id)
    session.commit()
    return "", 204
