"""Per-record graphs of the four record types against the official DCAT-AP 3 shapes."""

from __future__ import annotations

import pytest

from ckanext.dcat.processors import RDFSerializer

from ckanext.khtourism.core.record_types import RECORD_TYPES
from tests.dcat.dcat_known_failures import KNOWN_FAILURES, MANDATORY_COMPONENTS, classify
from tests.dcat.dcat_shacl import violations


def _report(items) -> str:
    return "\n".join(str(v) for v in items)


def test_known_failures_are_never_mandatory():
    assert all(key[2] not in MANDATORY_COMPONENTS for key in KNOWN_FAILURES)
    assert all(len(reason) > 40 for reason in KNOWN_FAILURES.values())


@pytest.mark.usefixtures("with_plugins", "clean_db")
@pytest.mark.parametrize("record_type", RECORD_TYPES)
def test_record_graph_against_dcat_ap_3_shapes(record_type, sample_records, dcat_shapes):
    serializer = RDFSerializer()
    serializer.graph_from_dataset(sample_records[record_type])
    found = violations(serializer.g, dcat_shapes)
    mandatory, unexpected, _seen = classify(found)
    assert mandatory == [], "mandatory constraints violated:\n" + _report(mandatory)
    assert unexpected == [], "violations not in the known-failures list:\n" + _report(unexpected)
    assert found == [], _report(found)  # no known failure is left either
    if sample_records[record_type].get("spatial"):
        # the location is published (as dcat:centroid / dcat:bbox), not dropped
        assert any(p.endswith("centroid") for p in map(str, serializer.g.predicates()))


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_every_known_failure_still_occurs(sample_records, dcat_shapes):
    """A known failure that no longer happens must leave the list."""
    serializer = RDFSerializer()
    for record in sample_records.values():
        serializer.graph_from_dataset(record)
    _mandatory, _unexpected, seen = classify(violations(serializer.g, dcat_shapes))
    assert seen == set(KNOWN_FAILURES)


def test_missing_shapes_fail_loudly(monkeypatch, tmp_path):
    """Neither the shared reference nor $KHTOURISM_DCAT_SHACL_DIR: a clear failure, no skip."""
    import tests.dcat.dcat_fixtures as dcat_fixtures

    monkeypatch.setattr(dcat_fixtures, "REPO_ROOT", tmp_path / "repo")
    monkeypatch.setenv(dcat_fixtures.SHACL_ENV, str(tmp_path / "nowhere"))
    with pytest.raises(pytest.fail.Exception) as failure:
        dcat_fixtures.shacl_dir()
    assert "KHTOURISM_DCAT_SHACL_DIR" in str(failure.value)
    assert "nowhere" in str(failure.value)


def test_shapes_directory_from_environment(monkeypatch, tmp_path):
    import tests.dcat.dcat_fixtures as dcat_fixtures

    (tmp_path / dcat_fixtures.SHAPES_FILE).write_text("")
    monkeypatch.setenv(dcat_fixtures.SHACL_ENV, str(tmp_path))
    assert dcat_fixtures.shacl_dir() == tmp_path
