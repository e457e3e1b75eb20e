"""The catalog page filled into its shape's skeleton (``app.skeletons``) is, byte for byte, the
page its template renders: both languages, every kind of option chosen or not, hostile words."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from markupsafe import Markup

from courses.queries.catalog_index import IndustryChoice
from courses.schemas.catalog import CatalogQuery
from courses.views.catalog import catalog_html, render_catalog

INDUSTRIES = [IndustryChoice("hightech", "高新技术产业", "High tech"), IndustryChoice("tourism", "旅游业", "Tourism")]
HOSTILE = '<b x="1">&amp; \'O\'\ue000q\ue001 {{ 7*7 }}'
QUERIES = [
    {},
    {"q": "电工"},
    {"q": HOSTILE, "city": HOSTILE, "certificate_type": HOSTILE},
    {"q": "导游", "industry": "tourism", "mode": "offline", "city": "三亚", "sort": "price"},
    {"industry": "no-such-industry", "free": "1", "starting_soon": "1", "sort": "newest"},
    {"mode": "online", "certificate_type": "特种作业操作证"},
    {"q": "电工"},   # again: from a kept skeleton
]
RESULTS = Markup('<section class="cards"><article>结果 &amp; "results"</article></section>')


@pytest.mark.parametrize("lang", ["zh_Hans", "en"])
def test_a_filled_skeleton_is_the_rendered_page(app, db, lang):
    for query in QUERIES:
        path = "/courses" + ("?" + urlencode(query) if query else "")
        with app.test_request_context(path, environ_base={"HTTP_COOKIE": f"lang={lang}"}):
            args = CatalogQuery(**query)
            html = catalog_html(args, RESULTS, INDUSTRIES)
            assert html == render_catalog(args, RESULTS, INDUSTRIES), query


def test_a_changed_industry_menu_is_a_new_shape(app, db):
    with app.test_request_context("/courses"):
        args = CatalogQuery()
        catalog_html(args, RESULTS, INDUSTRIES)
        renamed = [INDUSTRIES[0]._replace(name_zh="新兴产业"), INDUSTRIES[1]]
        assert "新兴产业" in catalog_html(args, RESULTS, renamed)


def test_hostile_words_are_escaped_in_the_served_page(client):
    html = client.get("/courses?" + urlencode({"q": HOSTILE})).get_data(as_text=True)
    assert "<b x=" not in html and "&lt;b x=&#34;1&#34;&gt;" in html
