"""The story timeline as a small server-rendered SVG bar chart (no script).

Dates are placed in order, one slot each (news dates are sparse: a year
mentioned, then two days of publication), each with a bar for the articles
published that day and one for the articles mentioning it.  Every piece of
text is escaped; colours are presentation attributes, so a strict
Content-Security-Policy (no inline styles) still draws it.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

from storyfold.web.queries import TimelinePoint

PUBLISHED, MENTIONED = "#2b5c8a", "#e0a030"
_WIDTH, _HEIGHT, _BOTTOM, _TOP = 720, 150, 34, 14


def timeline_svg(points: Sequence[TimelinePoint]) -> Markup:
    if not points:
        return Markup("")
    slot = min(90.0, (_WIDTH - 20) / len(points))
    bar = max(4.0, min(18.0, slot / 3))
    peak = max(max(p.published, p.mentioned) for p in points) or 1
    usable = _HEIGHT - _BOTTOM - _TOP
    left = (_WIDTH - slot * len(points)) / 2
    base = _HEIGHT - _BOTTOM
    parts = [
        f'<svg class="timeline" viewBox="0 0 {_WIDTH} {_HEIGHT}" role="img" '
        f'aria-label="Timeline: articles published on and mentioning each date" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f'<line x1="10" y1="{base}" x2="{_WIDTH - 10}" y2="{base}" stroke="#999" '
        f'stroke-width="1"/>',
    ]
    label_every = max(1, round(len(points) / 10))
    for i, point in enumerate(points):
        centre = left + slot * (i + 0.5)
        for offset, count, colour, what in (
            (-bar / 2 - 1, point.published, PUBLISHED, "published"),
            (bar / 2 + 1, point.mentioned, MENTIONED, "mentioning it"),
        ):
            if not count:
                continue
            height = max(2.0, usable * count / peak)
            x = centre + offset - bar / 2
            noun = "article" if count == 1 else "articles"
            parts.append(
                f'<rect x="{x:.1f}" y="{base - height:.1f}" width="{bar:.1f}" '
                f'height="{height:.1f}" fill="{colour}" rx="2">'
                f"<title>{escape(point.date)}: {count} {noun} {what}</title></rect>"
            )
            parts.append(
                f'<text x="{centre + offset:.1f}" y="{base - height - 3:.1f}" font-size="11" '
                f'text-anchor="middle" fill="#333">{count}</text>'
            )
        if i % label_every == 0 or i == len(points) - 1:
            parts.append(
                f'<text x="{centre:.1f}" y="{base + 16}" font-size="12" text-anchor="middle" '
                f'fill="#444">{escape(point.date)}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))
