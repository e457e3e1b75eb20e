"""Small inline SVG charts for the dashboard (no JavaScript, print and phone friendly)."""

from __future__ import annotations

from markupsafe import Markup, escape


def column_chart(points: list[tuple[str, int]], *, title: str, height: int = 180) -> Markup:
    """Vertical bars, one per label (months), with values on top."""
    width = max(320, 40 * len(points))
    top = max((v for _, v in points), default=0) or 1
    bar_w = width / max(len(points), 1)
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height + 40}" role="img" aria-label="{escape(title)}">',
             f"<title>{escape(title)}</title>"]
    for i, (name, value) in enumerate(points):
        h = round(height * value / top)
        x = i * bar_w + bar_w * 0.15
        parts.append(f'<rect x="{x:.1f}" y="{height - h + 16}" width="{bar_w * 0.7:.1f}" height="{h}" rx="3" '
                     f'class="bar"><title>{escape(name)}: {value}</title></rect>')
        parts.append(f'<text x="{x + bar_w * 0.35:.1f}" y="{height - h + 12}" text-anchor="middle" '
                     f'class="val">{value}</text>')
        parts.append(f'<text x="{x + bar_w * 0.35:.1f}" y="{height + 32}" text-anchor="middle" '
                     f'class="lbl">{escape(name)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text part is escaped above


def bar_list(rows: list[tuple[str, int]], *, title: str) -> Markup:
    """Horizontal bars for a breakdown (names can be long Chinese names)."""
    top = max((v for _, v in rows), default=0) or 1
    row_h = 26
    height = row_h * max(len(rows), 1)
    parts = [f'<svg class="chart" viewBox="0 0 600 {height}" role="img" aria-label="{escape(title)}">',
             f"<title>{escape(title)}</title>"]
    for i, (name, value) in enumerate(rows):
        y = i * row_h
        w = round(330 * value / top)
        parts.append(f'<text x="0" y="{y + 17}" class="lbl">{escape(name[:16])}</text>')
        parts.append(f'<rect x="200" y="{y + 5}" width="{w}" height="16" rx="3" class="bar"/>')
        parts.append(f'<text x="{206 + w}" y="{y + 18}" class="val">{value}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text part is escaped above


def progress_ring(percent: int, *, title: str) -> Markup:
    """A ring showing progress toward a target."""
    r, c = 34, 2 * 3.14159 * 34
    done = c * max(0, min(percent, 100)) / 100
    return Markup(  # noqa: S704 - only numbers and the escaped title
        f'<svg class="ring" viewBox="0 0 84 84" role="img" aria-label="{escape(title)}: {percent}%">'
        f'<circle cx="42" cy="42" r="{r}" class="ring-bg"/>'
        f'<circle cx="42" cy="42" r="{r}" class="ring-fg" stroke-dasharray="{done:.1f} {c:.1f}" '
        f'transform="rotate(-90 42 42)"/>'
        f'<text x="42" y="48" text-anchor="middle" class="ring-txt">{percent}%</text></svg>')
