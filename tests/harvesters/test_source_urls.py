"""A harvest source's URL is checked against the other sources in one query, with
ckanext-harvest's answers (harvesters/source_urls.py, compat entry
``harvest.source_url_validator``)."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

from ckanext.khtourism import compat
from ckanext.khtourism.harvesters import source_urls
from tests.harvesters.harvest_fixtures import create_source

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

CONFIG = json.dumps({"record_type": "accommodation"})
OTHER_CONFIG = json.dumps({"record_type": "tour-operator"})


@pytest.fixture
def sources() -> list[dict]:
    org = factories.Organization()
    return [
        create_source(
            "khtourism_spreadsheet",
            f"http://127.0.0.1:9/dang-ky-{number}.csv",
            {"record_type": "accommodation"},
            owner_org=org["id"],
            name=f"nguon-{number}",
        )
        for number in range(6)
    ]


def _statements(run) -> tuple[object, int]:
    """What ``run()`` returned (or raised) and how many statements it sent."""
    sent: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        sent.append(statement)

    sa.event.listen(model.meta.engine, "before_cursor_execute", count)
    try:
        try:
            outcome: object = run()
        except tk.Invalid as error:
            outcome = ("Invalid", error.error)
    finally:
        sa.event.remove(model.meta.engine, "before_cursor_execute", count)
    return outcome, len(sent)


def _data(url: str, config: str, source_id: str | None = None) -> dict:
    data = {("url",): url, ("config",): config}
    if source_id:
        data[("id",)] = source_id
    return data


def test_the_answers_are_ckanext_harvests_with_one_query(sources):
    upstream = compat.original("harvest.source_url_validator")
    assert upstream is not None and upstream is not source_urls.harvest_source_url_validator
    first = sources[0]
    cases = {
        # the same URL (a default port and a query string are ignored) and configuration
        "duplicate": _data("http://127.0.0.1:9/dang-ky-0.csv?page=2", CONFIG),
        # the same URL, another configuration: another source
        "other config": _data(first["url"], OTHER_CONFIG),
        "new url": _data("http://127.0.0.1:9/moi.csv", CONFIG),
        # a source edited keeps its own URL
        "itself": _data(first["url"], CONFIG, source_id=first["id"]),
    }
    outcomes = {}
    for name, data in cases.items():
        model.Session.remove()
        theirs, their_statements = _statements(
            lambda data=data: upstream(("url",), dict(data), {}, {})
        )
        model.Session.remove()
        ours, our_statements = _statements(
            lambda data=data: source_urls.harvest_source_url_validator(("url",), dict(data), {}, {})
        )
        assert ours == theirs, name
        outcomes[name] = ours
        assert our_statements == 1, name
        if name != "duplicate":  # (upstream stops at the duplicate)
            assert their_statements == len(sources) + 1 - (name == "itself"), name
    assert outcomes["duplicate"][0] == "Invalid"
    assert {name: outcomes[name] for name in ("other config", "new url", "itself")} == {
        name: cases[name][("url",)] for name in ("other config", "new url", "itself")
    }


def test_a_duplicate_source_is_refused_through_the_action(sources):
    from ckanext.harvest.logic import schema

    assert schema.harvest_source_url_validator is source_urls.harvest_source_url_validator
    with pytest.raises(tk.ValidationError) as refused:
        helpers.call_action(
            "harvest_source_create",
            {"user": factories.Sysadmin()["name"]},
            name="nguon-trung",
            title="Nguồn trùng",
            url=sources[2]["url"],
            source_type="khtourism_spreadsheet",
            config=CONFIG,
            owner_org=sources[2]["owner_org"],
        )
    assert "There already is a Harvest Source for this URL" in str(refused.value.error_dict)
