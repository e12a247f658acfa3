"""Bar charts as inline SVG, drawn on the server (no script, no CDN, CSP-safe).

Colours are SVG presentation attributes, not ``style`` attributes; each bar
carries a ``<title>`` and the page prints the same numbers as a table.
"""

from __future__ import annotations

import textwrap

from markupsafe import Markup, escape

from ckanext.khtourism.core.formats import display_count

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
            f"<g><title>{escape(label)}: {display_count(count)}</title>"
            f'<text x="{LABEL_WIDTH - 6}" y="{text_y:.0f}" text-anchor="end" font-size="13" '
            f'fill="{TEXT_COLOUR}">{escape(_shorten(label))}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y + 3}" width="{bar}" height="{ROW_HEIGHT - 6}" '
            f'fill="{BAR_COLOUR}"/>'
            f'<text x="{LABEL_WIDTH + bar + 4}" y="{text_y:.0f}" font-size="13" '
            f'fill="{TEXT_COLOUR}">{display_count(count)}</text></g>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def _shorten(label: str, limit: int = 36) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


# --- records by commune on a map ---------------------------------------------------------
# No openly licensed boundaries of the 2025 communes ship with the portal
# (records/communes.py), so the map is a proportional-symbol map, not a choropleth: one
# circle per commune at its centre (records/vocabularies/khanh-hoa-commune-centres-2025.csv),
# its area and shade growing with the count, over the vendored province outline.
MAP_HEIGHT = 520
MAP_MARGIN = 12
PAD = 0.05  # degrees around the mainland outline
INSET_WIDTH = 150
# the legend title: average width of a 12px character (in the SVG's units) and line height
LEGEND_CHAR = 7.0
LEGEND_LINE = 15
MAX_RADIUS = 18.0
MIN_RADIUS = 3.0
SHADES = ("#9ecae1", "#4292c6", "#1f6fa8", "#0b4f7a", "#08306b")  # light → dark
EMPTY_COLOUR = "#8a8f94"
OUTLINE_FILL = "#eef3f5"
OUTLINE_STROKE = "#5b6770"
OUTLINE_FILE = "public/vendor/khanh-hoa-outline/khanh-hoa.geojson"


def _outline_polygons() -> list[list[list[tuple[float, float]]]]:
    """The province outline's polygons (rings of (lon, lat)), from the vendored GeoJSON."""
    import json
    from importlib import resources

    text = resources.files("ckanext.khtourism.theme").joinpath(OUTLINE_FILE).read_text("utf-8")
    data = json.loads(text)
    features = data.get("features") or [data]
    polygons: list[list[list[tuple[float, float]]]] = []
    for feature in features:
        geometry = feature.get("geometry") or {}
        parts = geometry.get("coordinates") or []
        if geometry.get("type") == "Polygon":
            parts = [parts]
        for polygon in parts:
            polygons.append([[(float(x), float(y)) for x, y, *_ in ring] for ring in polygon])
    return polygons


def commune_map(
    rows: list[tuple[str, str, int]],
    centres: dict[str, tuple[float, float]],
    names: dict[str, str],
    title: str,
    legend_title: str,
) -> Markup:
    """An SVG map: the province outline and one circle per commune centre, sized and
    shaded by its count (rows: (code, label, count)); communes without records are small
    grey dots. Each circle has a ``<title>`` (label: count)."""
    import math

    polygons = _outline_polygons()
    points = [point for polygon in polygons for ring in polygon for point in ring]
    lons = [p[0] for p in points]
    lats = [p[1] for p in points]
    # the mainland's extent; a unit far offshore (the Trường Sa special zone) is drawn in a
    # box of its own in the corner, not to scale, so that the mainland keeps its size
    west, east = min(lons) - PAD, max(lons) + PAD
    south, north = min(lats) - PAD, max(lats) + PAD
    inside = {
        code: point
        for code, point in centres.items()
        if west <= point[0] <= east and south <= point[1] <= north
    }
    offshore = [code for code in centres if code not in inside]
    squeeze = math.cos(math.radians((south + north) / 2))
    scale = (MAP_HEIGHT - 2 * MAP_MARGIN) / (north - south)
    width = round((east - west) * squeeze * scale + 2 * MAP_MARGIN) + INSET_WIDTH
    height = MAP_HEIGHT

    def xy(lon: float, lat: float) -> tuple[float, float]:
        return (
            MAP_MARGIN + (lon - west) * squeeze * scale,
            MAP_MARGIN + (north - lat) * scale,
        )

    inset_x = width - INSET_WIDTH + 8
    inset_positions: dict[str, tuple[float, float]] = {
        code: (inset_x + INSET_WIDTH / 2 - 8, float(MAP_MARGIN + 40 + 60 * index))
        for index, code in enumerate(offshore)
    }

    counts = {code: count for code, _label, count in rows}
    labels = {**names, **{code: label for code, label, _count in rows}}
    largest = max(counts.values(), default=0) or 1
    # the legend's title in lines that fit the map's width (SVG text does not wrap: a long
    # title, the Vietnamese one, was cut off at the right edge)
    legend_lines = textwrap.wrap(legend_title, max(20, int((width - 2 * MAP_MARGIN) / LEGEND_CHAR)))
    legend_height = 64 + LEGEND_LINE * (len(legend_lines) - 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="khtourism-chart khtourism-commune-map" '
        f'role="img" viewBox="0 0 {width} {height + legend_height}" width="100%" '
        f'aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for polygon in polygons:
        path = " ".join(
            "M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in (xy(*p) for p in ring)) + " Z"
            for ring in polygon
        )
        parts.append(
            f'<path d="{path}" fill="{OUTLINE_FILL}" stroke="{OUTLINE_STROKE}" '
            f'stroke-width="1" fill-rule="evenodd"/>'
        )

    def radius(count: int) -> float:
        return MIN_RADIUS + (MAX_RADIUS - MIN_RADIUS) * math.sqrt(count / largest)

    def shade(count: int) -> str:
        index = min(len(SHADES) - 1, int(len(SHADES) * count / (largest + 1)))
        return SHADES[index]

    if offshore:
        parts.append(
            f'<rect x="{inset_x - 4}" y="{MAP_MARGIN}" width="{INSET_WIDTH - 8}" '
            f'height="{40 + 60 * len(offshore)}" fill="none" stroke="{OUTLINE_STROKE}" '
            f'stroke-dasharray="4 3"/>'
        )
        for code in offshore:
            x, y = inset_positions[code]
            parts.append(
                f'<text x="{x:.1f}" y="{y - 22:.1f}" text-anchor="middle" font-size="10" '
                f'fill="{TEXT_COLOUR}">{escape(_shorten(labels.get(code) or code, 28))}</text>'
            )
    # larger circles first, so that small ones stay visible on top
    order = sorted(centres, key=lambda code: -counts.get(code, 0))
    for code in order:
        x, y = inset_positions[code] if code in inset_positions else xy(*centres[code])
        count = counts.get(code, 0)
        name = labels.get(code) or code
        if count:
            parts.append(
                f'<circle data-code="{escape(code)}" data-count="{count}" cx="{x:.1f}" '
                f'cy="{y:.1f}" r="{radius(count):.1f}" fill="{shade(count)}" fill-opacity="0.85" '
                f'stroke="#ffffff" stroke-width="1"><title>{escape(name)}: {count}</title></circle>'
            )
        else:
            parts.append(
                f'<circle data-code="{escape(code)}" data-count="0" cx="{x:.1f}" cy="{y:.1f}" '
                f'r="2" fill="{EMPTY_COLOUR}"><title>{escape(name)}: 0</title></circle>'
            )
    # legend: its title, then three reference circles
    y0 = height + 34 + LEGEND_LINE * (len(legend_lines) - 1)
    parts.append(
        f'<text class="khtourism-map-legend" x="{MAP_MARGIN}" y="{height + 14}" font-size="12" '
        f'fill="{TEXT_COLOUR}">'
        + "".join(
            f'<tspan x="{MAP_MARGIN}" dy="{0 if index == 0 else LEGEND_LINE}">{escape(line)}</tspan>'
            for index, line in enumerate(legend_lines)
        )
        + "</text>"
    )
    x = float(MAP_MARGIN + 10)
    for value in sorted({1, max(1, largest // 2), largest}):
        r = radius(value)
        parts.append(
            f'<circle cx="{x + r:.1f}" cy="{y0:.1f}" r="{r:.1f}" fill="{shade(value)}" '
            f'fill-opacity="0.85"/><text x="{x + 2 * r + 4:.1f}" y="{y0 + 4:.1f}" '
            f'font-size="12" fill="{TEXT_COLOUR}">{value}</text>'
        )
        x += 2 * r + 40
    parts.append("</svg>")
    return Markup("".join(parts))
