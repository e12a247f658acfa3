"""The compat room: every listed patch matches the installed upstream; a mismatch stops
start-up (or warns, per ``ckanext.khtourism.compat.on_mismatch``); the doctor lists them."""

from __future__ import annotations

import dataclasses
import importlib.util
import logging
import sys
import textwrap

import pytest

from ckanext.khtourism import compat, doctor
from ckanext.khtourism.compat import check, fingerprint, registry

OPTION = check.OPTION


@pytest.mark.parametrize("entry", registry.ENTRIES, ids=lambda e: e.name)
def test_every_fingerprint_matches_the_installed_upstream(entry):
    status = check.status_of(entry)
    assert status.state == check.OK, status.describe()


@pytest.mark.parametrize("entry", registry.ENTRIES, ids=lambda e: e.name)
def test_every_entry_is_described_completely(entry):
    assert entry.action in registry.ACTIONS
    assert len(entry.fingerprint) == 64
    assert entry.written_against and entry.package and entry.why
    # ``by`` is a module of ours
    module = "ckanext.khtourism." + entry.by.removesuffix(".py").replace("/", ".")
    module = module.removesuffix(".__init__")
    assert importlib.util.find_spec(module) is not None, entry.by


def test_a_patch_that_is_not_listed_is_refused():
    with pytest.raises(KeyError, match="not a compat entry"):
        compat.replace("harvest.something_unlisted", lambda: None)


def test_the_patches_are_applied_through_the_registry():
    """What the rooms install is in place and the original is kept by the compat room."""
    from ckan.lib import search as ckan_search
    from ckan.lib.search import common

    from ckanext.khtourism import search

    assert common.make_connection is search.make_connection
    assert ckan_search.rebuild is search.rebuild
    original = compat.original("search.make_connection")
    assert original is not None and original.__module__ == "ckan.lib.search.common"


def _wrong(entry: registry.Entry) -> registry.Entry:
    return dataclasses.replace(entry, fingerprint="0" * 64)


def test_a_changed_upstream_stops_start_up_naming_the_entry():
    entry = registry.entry("harvest.fetch_and_import_stages.single_commit")
    with pytest.raises(compat.CompatMismatch) as raised:
        compat.check_at_startup({OPTION: "error"}, entries=(_wrong(entry),))
    message = str(raised.value)
    assert "'harvest.fetch_and_import_stages.single_commit'" in message
    assert "ckanext.harvest.queue.fetch_and_import_stages" in message
    assert "mismatch" in message and "harvesters/stages.py" in message
    assert "ckanext-harvest 1.6.3" in message  # installed version and the one written for


def test_error_is_the_default():
    entry = _wrong(registry.ENTRIES[0])
    with pytest.raises(compat.CompatMismatch):
        compat.check_at_startup({}, entries=(entry,))


@pytest.mark.ckan_config(OPTION, "warn")
def test_warn_logs_the_entry_and_starts(caplog):
    entry = _wrong(registry.entry("api.check_uptodate"))
    logger = logging.getLogger("ckanext.khtourism.compat.check")
    # CKAN's logging configuration (loaded by a CLI test) may disable or not propagate it
    disabled, logger.disabled = logger.disabled, False
    logger.addHandler(caplog.handler)
    try:
        with caplog.at_level(logging.WARNING, logger=logger.name):
            problems = compat.check_at_startup(entries=(entry,))  # the setting: CKAN's config
    finally:
        logger.removeHandler(caplog.handler)
        logger.disabled = disabled
    assert [p.entry.name for p in problems] == ["api.check_uptodate"]
    assert "'api.check_uptodate'" in caplog.text and "mismatch" in caplog.text


def test_the_doctor_run_only_warns():
    entry = _wrong(registry.ENTRIES[0])
    problems = compat.check_at_startup({OPTION: "error"}, entries=(entry,), fail=False)
    assert [p.state for p in problems] == [check.MISMATCH]


def test_an_upstream_that_is_gone_is_reported():
    entry = dataclasses.replace(
        registry.entry("search.rebuild"), upstream="ckan.lib.search.rebuild_gone"
    )
    assert check.status_of(entry).state == check.MISSING
    with pytest.raises(compat.CompatMismatch, match="upstream missing"):
        compat.check_at_startup({OPTION: "error"}, entries=(entry,))


def test_an_unknown_mode_is_refused():
    with pytest.raises(compat.CompatMismatch, match=OPTION):
        compat.check_at_startup({OPTION: "ignore"}, entries=(_wrong(registry.ENTRIES[0]),))


def test_the_fingerprint_ignores_layout_and_comments_not_code(tmp_path, monkeypatch):
    def module(name: str, source: str) -> str:
        (tmp_path / f"{name}.py").write_text(textwrap.dedent(source), encoding="utf-8")
        return f"{name}.Thing.run"

    monkeypatch.syspath_prepend(str(tmp_path))
    base = module(
        "compat_fp_a",
        """
        class Thing:
            def run(self, x):
                return x + 1
        """,
    )
    relaid = module(
        "compat_fp_b",
        f"""
        class Thing:
            # a comment

            def run(self, x):{"   "}
                # another

                return x + 1
        """,
    )
    changed = module(
        "compat_fp_c",
        """
        class Thing:
            def run(self, x):
                return x + 2
        """,
    )

    def of(path: str) -> str:
        return fingerprint.fingerprint_of(fingerprint.resolve(path))

    assert of(base) == of(relaid)
    assert of(base) != of(changed)
    for name in ("compat_fp_a", "compat_fp_b", "compat_fp_c"):
        sys.modules.pop(name, None)


def test_the_fingerprint_is_of_the_upstream_object_not_our_patch():
    """make_connection is replaced in ckan.lib.search.common; the fingerprint is CKAN's."""
    from ckan.lib.search import common

    from ckanext.khtourism import search
    from ckanext.khtourism.compat import patching

    assert common.make_connection is search.make_connection  # patched
    upstream = patching.upstream_object(registry.entry("search.make_connection"))
    assert upstream is not search.make_connection
    source = fingerprint.source_of(upstream)
    assert source.startswith("def make_connection(") and "PostgresConnection" not in source


def test_the_doctor_lists_every_entry_green():
    findings = doctor.check_compat()
    assert len(findings) == len(registry.ENTRIES)
    assert {f.status for f in findings} == {doctor.OK}
    for finding, entry in zip(findings, registry.ENTRIES, strict=True):
        assert finding.check == "compat"
        assert entry.name in finding.message and entry.upstream in finding.message


def test_the_doctor_reports_a_mismatch_as_an_error():
    entry = _wrong(registry.entry("dcat.parse_date"))
    [finding] = doctor.check_compat(entries=(entry,))
    assert finding.status == doctor.ERROR
    assert "'dcat.parse_date'" in finding.message and "mismatch" in finding.message
