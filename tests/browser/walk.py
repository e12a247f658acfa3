"""The steps every browser walk takes on a page: open it, judge it, keep a picture of it.

A walk does not stop at the first wrong page: what is wrong (an HTTP status other than
200, words of a second language) is kept in the page's watch (``conftest.Watch``), every
page is seen, and the test fails at its end with the whole list.

With ``KHTOURISM_SHOTS=<folder>`` in the environment each page a walk shows is also saved
there as a PNG (a walk to look at; the tests judge the pages either way)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from tests.browser.conftest import settled
from tests.browser.languages import one_language_problems

EMPTY_TITLE_PART = re.compile(r"(^\s*-)|(-\s*-)|(-\s*$)")


def open_page(page: Any, url: str) -> None:
    """Open ``url`` and wait until it has settled: a 200 in the page's one language."""
    response = page.goto(url)
    settled(page)
    check_page(page, url, response.status if response else None)


def check_page(page: Any, url: str, status: int | None = 200) -> None:
    """The page shown: a 200 (``status``), in the language of its URL (``/en/…``: English,
    otherwise Vietnamese)."""
    wrong = page.khtourism_watch.wrong_pages
    if status != 200:
        wrong.append(f"{url}: HTTP {status}")
        return
    lang = "en" if "/en/" in url else "vi"
    problems = one_language_problems(page, lang)
    if problems:
        wrong.append(f"{url}: not in {lang}: {problems}")
    # the window's title: "<page> - <section> - <site>", no empty part ("Review queue - - …")
    title = page.title()
    if not title.strip() or EMPTY_TITLE_PART.search(title):
        wrong.append(f"{url}: title with an empty part: {title!r}")


def shot_suffix(prefix: str) -> str:
    """The language part of a picture's name: ``-vi`` for ``""``, ``-en`` for ``"/en"``."""
    return prefix.replace("/", "-") or "-vi"


def shot(page: Any, name: str) -> None:
    """The whole page saved as ``<KHTOURISM_SHOTS>/<name>.png`` when that is set."""
    folder = os.environ.get("KHTOURISM_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)
