"""Pages rendered once per shape and filled per request.

Some public pages are asked for with a different value nearly every time (a certificate's
facts, a search's words) while everything else on them is the same for every visitor of one
*shape*: the language, which options are chosen, which facts are present. Such a page is
rendered once per shape with a marker in place of each value, and each request fills that
skeleton with its values, escaped exactly as the template would have escaped them. A skeleton
is kept split at its markers, so filling it is one join (a value's own text is never scanned
for markers); a template walk with its translations and links is not repeated. The language
switch every page carries is marked and filled here (``app.i18n.language_links`` reads
``g.language_back``). Each user of a skeleton keeps a test comparing filled pages with plain
renders, byte for byte.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from flask import current_app, g
from markupsafe import escape

from app.i18n import here_quoted

# Characters from Unicode's private use area: markupsafe leaves them alone and no translation
# or link contains them.
_MARKER = "\ue000{}\ue001"
_MARKERS = re.compile("\ue000([A-Za-z0-9_:.-]+)\ue001")
KEPT = 256
BACK = "language-back"   # the marker of this page's address in the language switch


def marker(name: str) -> str:
    """The marker of the value ``name`` (a template renders it where the value goes)."""
    return _MARKER.format(name)


def filled(kind: str, shape: tuple, render: Callable[[], str], values: Mapping[str, str]) -> str:
    """The page of ``shape``: its skeleton (rendered by ``render()`` the first time, with
    markers in it) with each marker replaced by ``values[name]``: HTML, already escaped. The
    language switch's way back to this page is filled in too.

    Skeletons are kept per app and ``kind``, at most ``KEPT`` of each (oldest out first)."""
    skeletons = current_app.extensions.setdefault(f"skeletons:{kind}", {})
    pieces = skeletons.get(shape)
    if pieces is None:
        g.language_back = marker(BACK)
        try:
            # Split once at its markers: text, name, text, name, ..., text.
            pieces = _MARKERS.split(render())
        finally:
            g.pop("language_back", None)
        if len(skeletons) >= KEPT:
            skeletons.pop(next(iter(skeletons)), None)
        skeletons[shape] = pieces
    values = {**values, BACK: str(escape(here_quoted()))}
    page = pieces.copy()
    page[1::2] = [values[name] for name in pieces[1::2]]
    return "".join(page)
