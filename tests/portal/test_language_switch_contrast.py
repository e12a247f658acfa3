"""The header's language switch is readable (issue 16, WCAG AA): the contrast of the
inactive VI/EN link and of the current language against CKAN's dark account bar, computed
from the stylesheets the page loads (ours and CKAN's), is at least 4.5:1."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import ckan

ROOT = Path(__file__).resolve().parents[2]
OURS = ROOT / "theme" / "assets" / "css" / "khtourism.css"
CKAN_CSS = Path(ckan.__file__).parent / "public" / "base" / "css" / "main.css"
AA = 4.5

pytestmark = pytest.mark.usefixtures("with_plugins")


def _rules(css: str) -> list[tuple[list[str], dict[str, str]]]:
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    rules = []
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        declarations = dict(
            (name.strip().lower(), value.strip())
            for name, value in re.findall(r"([\w-]+)\s*:\s*([^;]+)", body)
        )
        rules.append(([s.strip() for s in selectors.split(",")], declarations))
    return rules


def _declared(css: str, selector: str, prop: str) -> str:
    found = [d[prop] for selectors, d in _rules(css) if selector in selectors and prop in d]
    assert found, f"{selector} declares no {prop}"
    return found[-1]


def _hex(value: str) -> tuple[int, int, int]:
    match = re.search(r"#([0-9a-fA-F]{6}|[0-9a-fA-F]{3})\b", value)
    assert match, value
    digits = match.group(1)
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return tuple(int(digits[i : i + 2], 16) for i in (0, 2, 4))  # type: ignore[return-value]


def _luminance(rgb: tuple[int, int, int]) -> float:
    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_the_contrast_formula():
    assert round(contrast((0, 0, 0), (255, 255, 255)), 1) == 21.0
    assert round(contrast((255, 255, 255), (255, 255, 255)), 2) == 1.0


def test_language_links_meet_wcag_aa_on_the_account_bar(app):
    ours, theirs = OURS.read_text("utf-8"), CKAN_CSS.read_text("utf-8")
    bar = _hex(_declared(theirs, ".account-masthead", "background"))
    inactive = _hex(_declared(ours, ".account-masthead .khtourism-language-switch a", "color"))
    current = _hex(_declared(ours, ".account-masthead .khtourism-language-switch .active", "color"))
    hover = _hex(_declared(ours, ".account-masthead .khtourism-language-switch a:hover", "color"))
    for name, colour in (("inactive", inactive), ("current", current), ("hover", hover)):
        ratio = contrast(colour, bar)
        assert ratio >= AA, f"{name} language link: {ratio:.2f}:1 on {bar}"
    # the page really puts the switch inside the account bar and loads our stylesheet after
    # CKAN's (so that our colour wins over Bootstrap's link colour)
    body = app.get("/").get_data(as_text=True)
    masthead = body.index('class="account-masthead"')
    assert masthead < body.index('class="khtourism-language-switch"') < body.index("</header>")
    assert re.search(r'<a href="[^"]*" lang="en" hreflang="en"', body)
    main_css = re.search(r'href="[^"]*/base/[^"]*main\.css"', body)
    our_css = re.search(r'href="[^"]*_khtourism\.css"', body)
    assert main_css and our_css and main_css.start() < our_css.start()
