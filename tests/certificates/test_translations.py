"""Catalogs are merged: a msgid the certificates catalog shares with another catalog must
translate the same way, or one domain's word silently replaces the other's on every page."""

from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]


def catalog(path: Path) -> dict[str, str]:
    with path.open("rb") as f:
        return {m.id: m.string for m in read_po(f) if m.id and isinstance(m.id, str)}


def test_no_msgid_means_something_else_elsewhere():
    mine = catalog(ROOT / "certificates/translations/zh_Hans/LC_MESSAGES/messages.po")
    clashes = []
    for path in ROOT.glob("*/translations/zh_Hans/LC_MESSAGES/messages.po"):
        if path.parts[-5] == "certificates":
            continue
        for msgid, text in catalog(path).items():
            if msgid in mine and text and mine[msgid] != text:
                clashes.append(f"{path.parts[-5]}: {msgid!r} {text} ≠ {mine[msgid]}")
    assert clashes == []
