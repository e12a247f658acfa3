"""Two people editing one record at once: no change is lost (logic/concurrency.py)."""

from __future__ import annotations

import threading

import pytest

from ckan import model
from ckan.tests import factories, helpers

from tests import factories as record_factories

FIELDS = ("notes", "period", "managing_body", "opening_hours", "ranking_decision_number")


def _heritage(sysadmin: dict) -> dict:
    return record_factories.HeritageSite(user=sysadmin, name="thap-ba-ponagar")


def _in_threads(app, calls: list[tuple[str, dict]], token: str) -> list[int]:
    """POST each (action, body) at the same moment, one thread each; the HTTP statuses."""
    start = threading.Barrier(len(calls))
    statuses: list[int] = [0] * len(calls)

    def post(index: int, action: str, body: dict) -> None:
        start.wait()
        response = app.post(
            f"/api/3/action/{action}", json=body, headers={"Authorization": token}, status=None
        )
        statuses[index] = response.status_code

    threads = [
        threading.Thread(target=post, args=(i, action, body))
        for i, (action, body) in enumerate(calls)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return statuses


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_simultaneous_patches_of_different_fields_all_land(app):
    sysadmin = factories.Sysadmin()
    token = factories.APIToken(user=sysadmin["name"])["token"]
    record = _heritage(sysadmin)
    for round_number in range(6):  # 30 patches, 5 at a time
        values = {field: f"{field} vòng {round_number}" for field in FIELDS}
        statuses = _in_threads(
            app,
            [
                ("package_patch", {"id": record["id"], field: value})
                for field, value in values.items()
            ],
            token,
        )
        assert statuses == [200] * len(FIELDS)
        model.Session.remove()  # this thread's session still holds the record as created
        shown = helpers.call_action("package_show", {"user": sysadmin["name"]}, id=record["id"])
        assert {field: shown[field] for field in FIELDS} == values


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_an_edit_from_a_stale_read_is_refused_with_a_clear_message(app):
    sysadmin = factories.Sysadmin()
    token = factories.APIToken(user=sysadmin["name"])["token"]
    record = _heritage(sysadmin)
    read = helpers.call_action("package_show", {"user": sysadmin["name"]}, id=record["id"])

    # two people opened the same version; each changes one field and saves the whole record
    edits = [
        dict(read, period=f"Thế kỷ {n}", if_unmodified_since=read["metadata_modified"])
        for n in ("VIII", "XIII")
    ]
    statuses = _in_threads(app, [("package_update", edit) for edit in edits], token)
    assert sorted(statuses) == [200, 409]

    # the one refused is told why; nothing of the first save was overwritten
    refused = app.post(
        "/api/3/action/package_update",
        json=edits[0],
        headers={"Authorization": token},
        status=None,
    )
    assert refused.status_code == 409
    message = refused.json["error"]["if_unmodified_since"][0]
    assert read["metadata_modified"] in message
    model.Session.remove()
    shown = helpers.call_action("package_show", {"user": sysadmin["name"]}, id=record["id"])
    assert shown["period"] in ("Thế kỷ VIII", "Thế kỷ XIII")

    # from a fresh read, the edit goes through
    fresh = dict(shown, period="Thế kỷ XIV", if_unmodified_since=shown["metadata_modified"])
    assert (
        app.post(
            "/api/3/action/package_update", json=fresh, headers={"Authorization": token}
        ).status_code
        == 200
    )


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_the_edit_form_sends_what_it_read(app):
    sysadmin = factories.Sysadmin()
    record = _heritage(sysadmin)
    page = app.get(
        f"/heritage-site/edit/{record['name']}",
        headers={"Authorization": factories.APIToken(user=sysadmin["name"])["token"]},
    )
    assert 'name="if_unmodified_since"' in page.body
    assert record["metadata_modified"] in page.body
