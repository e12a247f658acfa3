"""Bar charts as inline SVG, drawn on the server (no script, no CDN, CSP-safe).

Colours are SVG presentation attributes, not ``style`` attributes; each bar
carries a ``<title>`` and the page prints the same numbers as a table.
"""

from __future__ import annotations

from markupsafe import Markup, escape

BAR_COLOUR = "#0b6e99"  # --khtourism-sea; 5.6:1 against white
TEXT_COLOUR = "#212529"
ROW_HEIGHT = 22
LABEL_WIDTH = 260
BAR_WIDTH = 360
COUNT_WIDTH = 60


def bar_chart(rows: list[tuple[str, str, int]], title: str) -> Markup:
    """Horizontal bars, one per (code, label, count) row."""
    height = max(1, len(rows)) * ROW_HEIGHT + 8
    width = LABEL_WIDTH + BAR_WIDTH + COUNT_WIDTH
    largest = max((count for _, _, count in rows), default=0) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="khtourism-chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="100%" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for index, (_code, label, count) in enumerate(rows):
        y = 4 + index * ROW_HEIGHT
        bar = round(BAR_WIDTH * count / largest) if count else 0
        text_y = y + ROW_HEIGHT * 0.7
        parts.append(
            f"<g><title>{escape(label)}: {count}</title>"
            f'<text x="{LABEL_WIDTH - 6}" y="{text_y:.0f}" text-anchor="end" font-size="13" '
            f'fill="{TEXT_COLOUR}">{escape(_shorten(label))}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y + 3}" width="{bar}" height="{ROW_HEIGHT - 6}" '
            f'fill="{BAR_COLOUR}"/>'
            f'<text x="{LABEL_WIDTH + bar + 4}" y="{text_y:.0f}" font-size="13" '
            f'fill="{TEXT_COLOUR}">{count}</text></g>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def _shorten(label: str, limit: int = 36) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"
