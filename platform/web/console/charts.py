"""Charts drawn on the server as inline SVG: no script, no CDN, nothing fetched, and the same figures are in
the table beside each chart for screen readers and for copying. Every label is escaped."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 640
LABEL_WIDTH = 170
VALUE_WIDTH = 110
ROW = 26
BAR = 16


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: float
    shown: str  # the value as the reader reads it (``2 h 10 min``, ``45 %``)
    tone: str = "bar"  # a CSS class: bar, green, yellow, red


def bar_chart(title: str, bars: Sequence[Bar]) -> Markup:
    """Horizontal bars scaled to the largest value; an empty chart says so instead of drawing nothing."""
    height = max(len(bars), 1) * ROW + 8
    largest = max((b.value for b in bars), default=0.0) or 1.0
    span = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    rows = []
    for index, bar in enumerate(bars):
        y = 4 + index * ROW
        length = max(bar.value / largest * span, 1.0 if bar.value > 0 else 0.0)
        rows.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + BAR - 3}" text-anchor="end">{escape(bar.label)}</text>'
            f'<rect class="{escape(bar.tone)}" x="{LABEL_WIDTH}" y="{y}" width="{length:.1f}" height="{BAR}"/>'
            f'<text x="{LABEL_WIDTH + length + 6:.1f}" y="{y + BAR - 3}">{escape(bar.shown)}</text>'
        )
    if not bars:
        rows.append(f'<text x="{LABEL_WIDTH}" y="{BAR}">-</text>')
    return Markup(
        f'<svg class="chart" role="img" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
        + "".join(rows)
        + "</svg>"
    )
