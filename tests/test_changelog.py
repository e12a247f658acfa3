"""The changelog is versioned: dated releases, newest first, the newest is the package's version."""

from __future__ import annotations

import datetime as dt
import re
from importlib import metadata
from pathlib import Path

CHANGELOG = Path(__file__).resolve().parents[1] / "CHANGELOG.md"
RELEASE = re.compile(r"^## (\d+\.\d+\.\d+) — (\d{4}-\d{2}-\d{2})$")


def _sections() -> list[tuple[str, list[str]]]:
    sections: list[tuple[str, list[str]]] = []
    for line in CHANGELOG.read_text("utf-8").splitlines():
        if line.startswith("## "):
            sections.append((line, []))
        elif sections and line.startswith("- "):
            sections[-1][1].append(line)
    return sections


def test_releases_are_dated_newest_first_and_not_empty() -> None:
    sections = _sections()
    assert sections[0][0] == "## Unreleased", "the first section collects what is not released"
    releases = [(RELEASE.match(heading), entries) for heading, entries in sections[1:]]
    assert releases and all(match for match, _ in releases), [h for h, _ in sections[1:]]
    versions = [tuple(int(p) for p in match.group(1).split(".")) for match, _ in releases]
    dates = [dt.date.fromisoformat(match.group(2)) for match, _ in releases]
    assert versions == sorted(versions, reverse=True) and len(set(versions)) == len(versions)
    assert dates == sorted(dates, reverse=True)
    assert all(entries for _, entries in releases), "a release without entries"


def test_the_newest_release_is_the_installed_version() -> None:
    newest = next(RELEASE.match(h) for h, _ in _sections()[1:] if RELEASE.match(h))
    assert newest is not None
    assert metadata.version("ckanext-khtourism") == newest.group(1)
