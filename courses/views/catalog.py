"""Public catalog pages: course search and browsing, course and class pages, cover images."""

from __future__ import annotations

from types import SimpleNamespace
from urllib.parse import urlencode

from flask import abort, current_app, render_template, request, send_file, url_for
from flask import session as flask_session
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup, escape

from app.access import PUBLIC, allow
from app.api import parse_query
from app.db import get_session, session_when_needed, utcnow
from app.i18n import locale_code
from app.skeletons import filled, marker
from courses import search
from courses.catalog_cache import (
    anonymous_page_key,
    catalog_cache,
    catalog_index,
    search_cache,
    seats_cache,
)
from courses.forms.shelf import MODE_LABELS, REFUND_LABELS
from courses.permissions import can_manage_course
from courses.queries import catalog as queries
from courses.queries import search as search_queries
from courses.schemas.catalog import CatalogQuery
from courses.services.shelf import cover_path
from courses.views import bp

SORT_LABELS = {"relevance": _l("Best match"), "soon": _l("Starting soon"), "newest": _l("Newest"),
               "price": _l("Lowest price")}


def home_section() -> str:
    """Featured courses and industries on the home page (declared in ``courses.DOMAIN``)."""
    session = get_session()
    courses = queries.list_featured(session, now=utcnow())
    return render_template("courses/catalog/_home_section.html", courses=courses,
                           industries=queries.list_industries(session))


# Load jieba's, OpenCC's and pypinyin's data when a worker boots, not during its first search
# request (~0.7 s), and keep the collector off them (see ``search.warm_up``).
search.warm_up()


@bp.get("/courses")
@allow(PUBLIC)
def catalog():
    cache = catalog_cache()
    # A visitor with no session (no sign-in, no CSRF token, no flashed message) gets a page that
    # depends only on the query string and the language: the whole page is reused.
    page_key = anonymous_page_key("catalog")
    if page_key:
        html = cache.get(page_key)
        if html is not None:
            return html
    args = parse_query(CatalogQuery)
    session = session_when_needed()   # a search that memory answers needs none
    is_member = queries.is_verified_member(session, current_user)
    # Anonymous visitors all see the same list for the same query and language: reuse it.
    key = None if cache is None or current_user.is_authenticated else (
        "results-html", locale_code(), request.query_string)
    results = cache.get(key) if key else None
    index = catalog_index(session)
    if results is None:
        # Rendered by an autoescaping template: already safe HTML.
        results = Markup(_render_results(session, index, args, is_member=is_member))  # noqa: S704
        if key and not page_key:   # a visitor with no session: the whole page is kept instead
            cache[key] = results
    html = catalog_html(args, results, index.industries)
    if page_key and not flask_session:
        cache[page_key] = html
    return html


def render_catalog(args, results: Markup, industries) -> str:
    """The catalog page rendered by its template."""
    return render_template("courses/catalog/index.html", results=results, args=args, industries=industries,
                           mode_labels=MODE_LABELS, sort_labels=SORT_LABELS)


_OTHER = "\ue002"   # a chosen value that matches no option (an unknown industry): truthy, never shown


def catalog_html(args, results: Markup, industries: list) -> str:
    """The catalog page. A visitor with no session and no sign-in gets the skeleton of the
    page's shape filled with the query's words and the results (``app.skeletons``): the layout and the search form cost a template walk once per
    language and choice of options, not once per search. Anyone else gets it rendered."""
    if flask_session or current_user.is_authenticated:
        return render_catalog(args, results, industries)

    def chosen(value, options) -> str:
        return "" if not value else (value if value in options else _OTHER)

    choices = (chosen(args.industry, {i.code for i in industries}), chosen(args.mode, MODE_LABELS),
               chosen(args.sort, SORT_LABELS), bool(args.free), bool(args.starting_soon))
    shape = (locale_code(), choices, bool(args.city), bool(args.certificate_type), tuple(industries))

    def render() -> str:
        industry, mode, sort, free, starting_soon = choices
        marked = SimpleNamespace(q=marker("q"), industry=industry, mode=mode, sort=sort, free=free,
                                 starting_soon=starting_soon, city=marker("city") if args.city else "",
                                 certificate_type=marker("certificate_type") if args.certificate_type else "")
        return render_catalog(marked, Markup(marker("results")), industries)  # noqa: S704 - a marker

    return filled("catalog", shape, render, {
        "q": str(escape(args.q)), "city": str(escape(args.city or "")),
        "certificate_type": str(escape(args.certificate_type or "")), "results": str(results)})


def _render_results(session, index, args, *, is_member: bool) -> str:
    dictionary = search.dictionary(session, search_cache())
    result = queries.list_catalog(session, queries.CatalogFilters(**args.model_dump()), now=utcnow(),
                                  is_member=is_member, index=index, dictionary=dictionary,
                                  seats_kept=seats_cache())
    kept = {k: v for k, v in request.args.items(multi=False) if k not in ("after", "page") and v}
    next_url = search_url(**kept, after=result.next_cursor) if result.next_cursor else None
    first_url = search_url(**kept)
    nearest = popular = []
    if not result.items and args.q and not args.after:
        # Nothing at all: offer searches close to the query and the popular ones.
        nearest = search_queries.nearest_suggestions(index, dictionary, args.q)
        popular = search_queries.popular_searches(session, search_cache())
    card = course_card_renderer()
    cards = Markup("\n  ".join(card(item) for item in result.items))  # noqa: S704 - kept cards, rendered escaped
    # A fragment that needs nothing of the request: a macro called by Jinja alone, without
    # Flask's context processors, its words translated once per language (``catalog_labels``).
    results = current_app.jinja_env.get_template("courses/catalog/_results.html").module.results
    return results(result=result, is_member=is_member, cards=cards, labels=catalog_labels(), next_url=next_url,
                   first_url=first_url, is_later_page=bool(args.after) or args.page > 1, nearest=nearest,
                   popular=popular, search_url=search_url)


def search_url(**args: str) -> str:
    """The catalog's address with these query arguments (the route is built once per app: an
    empty page links a dozen searches)."""
    base = current_app.extensions.get("catalog_url")
    if base is None:
        base = current_app.extensions["catalog_url"] = url_for("courses.catalog")
    return base + ("?" + urlencode(args) if args else "")


def catalog_labels() -> dict:
    """The result list's and its cards' words in this page's language, translated once per
    language and process. Patterns are split around their number ("%(n)s 学时" → ("", " 学时")) so
    that a list or card only writes the parts around its own value."""
    locale = locale_code()
    kept = current_app.extensions.setdefault("catalog_labels", {})
    labels = kept.get(locale)
    if labels is None:
        def around(pattern: str, placeholder: str = "%(n)d") -> tuple[str, str]:
            before, _sep, after = gettext(pattern).partition(placeholder)
            return before, after

        labels = kept[locale] = {
            # the cards
            "hours": around("%(n)s hours", "%(n)s"), "starts": around("Starts %(day)s", "%(day)s"),
            "seats": around("%(n)d seats left"), "full": gettext("Full: you can join the waiting list"),
            "free": gettext("Free"), "from": gettext("from"), "member": gettext("Member price"),
            "subsidised": gettext("Union-subsidised"), "no_class": gettext("No open class"),
            "industry_name": "name_en" if locale.startswith("en") else "name_zh",
            # the list around them
            "courses": around("%(n)d courses"), "member_prices": gettext("Member prices shown"),
            "relaxed_after": around("%(n)d courses match every word; after them come courses that match some of "
                                    "the words."),
            "relaxed_only": gettext("No course matches every word. These match some of the words, the closest "
                                    "first."),
            "no_match": gettext("No course matches. Try fewer words or other filters."),
            "did_you_mean": gettext("Did you mean:"), "popular": gettext("Popular searches:"),
            "first_page": gettext("First page"), "next_page": gettext("Next page"),
        }
    return labels


CARDS_KEPT = 20_000   # rendered cards kept per process (about 1.5 kB each)


def course_card_renderer():
    """A function that renders a catalog item's card, keeping it per content and language.

    The key is the card's values and the viewer's price, both immutable objects made once per
    catalog snapshot (``courses.queries.catalog_index``), seats left and the language: a
    changed course is a new card object, so a kept card is never out of date, and searches
    nobody made before reuse the cards of courses that earlier searches showed. The objects
    are keyed by identity and checked on the way out (hashing a card's fourteen values for
    each of a page's cards cost more than the look-up). Per process, emptied when full."""
    labels = catalog_labels()
    locale = locale_code()
    kept = current_app.extensions.setdefault("catalog_cards", {})
    card = current_app.jinja_env.get_template("courses/catalog/_course_card.html").module.card

    def render(item: queries.CatalogItem) -> Markup:
        key = (locale, id(item.course), id(item.price), item.seats_left)
        entry = kept.get(key)
        if entry is None or entry[0] is not item.course or entry[1] is not item.price:
            if len(kept) >= CARDS_KEPT:
                kept.clear()
            entry = kept[key] = (item.course, item.price, card(item.course, item.price, item.seats_left, labels))
        return entry[2]

    return render


def _kept_for_visitors(kind: str, *, still_public, render):
    """Serve the page kept for session-less visitors while ``still_public()`` holds; otherwise
    render it (``render() -> (html, is_public)``) and keep it if it may be shared.

    See ``courses.catalog_cache``: seats left and "Enrolling" tags may lag by a few seconds.
    """
    page_key = anonymous_page_key(kind)
    if page_key:
        html = catalog_cache().get(page_key)
        if html is not None and still_public():
            return html
    html, is_public = render()
    if page_key and is_public and not flask_session:
        catalog_cache()[page_key] = html
    return html


@bp.get("/courses/<int:course_id>")
@allow(PUBLIC)
def course_detail(course_id: int):
    session = get_session()

    def render():
        course = queries.get_visible_course(session, viewer=current_user, course_id=course_id)
        is_member = queries.is_verified_member(session, current_user)
        now = utcnow()
        classes = [(c, queries.class_price(c, is_member=is_member), queries.is_enrollable(c, now=now))
                   for c in queries.list_open_classes(session, course.id, now=now)]
        html = render_template("courses/catalog/course.html", course=course, classes=classes, is_member=is_member,
                               mode_labels=MODE_LABELS, can_manage=can_manage_course(current_user, course))
        return html, course.is_public

    return _kept_for_visitors("course", still_public=lambda: queries.is_public_course(session, course_id),
                              render=render)


@bp.get("/classes/<int:class_id>")
@allow(PUBLIC)
def class_detail(class_id: int):
    session = get_session()

    def render():
        training_class = queries.get_visible_class(session, viewer=current_user, class_id=class_id)
        is_member = queries.is_verified_member(session, current_user)
        now = utcnow()
        html = render_template("courses/catalog/class.html", training_class=training_class,
                               course=training_class.course,
                               price=queries.class_price(training_class, is_member=is_member),
                               is_member=is_member, is_open=queries.is_enrollable(training_class, now=now),
                               mode_labels=MODE_LABELS, refund_labels=REFUND_LABELS,
                               can_manage=can_manage_course(current_user, training_class.course))
        return html, training_class.course.is_public

    return _kept_for_visitors("class", still_public=lambda: queries.is_public_class(session, class_id),
                              render=render)


@bp.get("/media/covers/<name>")
@allow(PUBLIC)
def cover(name: str):
    path = cover_path(current_app.config["UPLOAD_FOLDER"], name)
    if path is None:
        abort(404)
    return send_file(path, max_age=7 * 24 * 3600)
