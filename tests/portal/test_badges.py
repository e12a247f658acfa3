"""Workflow state badges are readable: each state's text/background contrast is WCAG AA."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import ckanext.khtourism.theme as theme

STATES = ("draft", "submitted", "published", "rejected")
CSS = Path(theme.__file__).parent / "assets" / "css" / "khtourism.css"


def _luminance(hex_colour: str) -> float:
    value = hex_colour.lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    channels = [int(value[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(foreground: str, background: str) -> float:
    lighter, darker = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _rule(css: str, state: str) -> dict[str, str]:
    match = re.search(rf"\.badge\.khtourism-state-{state}\s*\{{([^}}]*)\}}", css)
    assert match, state
    return dict(
        (name.strip(), value.strip())
        for name, value in re.findall(r"([\w-]+)\s*:\s*([^;]+);", match.group(1))
    )


def test_contrast_helper_matches_known_values():
    assert contrast("#ffffff", "#ffffff") == pytest.approx(1.0)
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)


@pytest.mark.parametrize("state", STATES)
def test_each_state_badge_has_aa_contrast(state):
    rule = _rule(CSS.read_text("utf-8"), state)
    assert contrast(rule["color"], rule["background-color"]) >= 4.5, rule


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_my_records_badges_use_the_state_classes(app, world):
    world.create("member_a", "accommodation", name="badge-draft")
    body = app.get("/khtourism/my-records", headers=world.people["member_a"].headers).body
    assert 'class="badge khtourism-state-draft"' in body
