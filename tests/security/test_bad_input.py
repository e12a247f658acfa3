"""Bad input is a clear 4xx naming the parameter or field, never a 500."""

from __future__ import annotations

import pytest

from tests.record_fixtures import valid

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

SEARCH = "/api/3/action/package_search"


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"q": "khách\x00sạn"}, "q"),
        ({"q": "(" * 2000 + "a" + ")" * 2000}, "q"),
        ({"fq": "(" * 2000 + "name:a" + ")" * 2000}, "fq"),
        ({"fq": "metadata_modified:[NOW-999999999999YEARS TO NOW]"}, "fq"),
        ({"fq": "metadata_modified:[NOW+999999999999DAYS TO *]"}, "fq"),
        ({"fq": "name:a\x00"}, "fq"),
        ({"sort": "title_string\x00 asc"}, "sort"),
    ],
    ids=[
        "nul-q",
        "nested-q",
        "nested-fq",
        "date-math-years",
        "date-math-days",
        "nul-fq",
        "nul-sort",
    ],
)
def test_package_search_bad_input_is_a_400_naming_the_parameter(app, params, named):
    response = app.get(SEARCH, query_string=params)
    assert response.status_code == 400, (response.status_code, response.body[:300])
    error = response.json["error"]
    assert error["__type"] == "Search Query Error", error
    assert named in str(error), error


@pytest.mark.parametrize("name", ["start", "rows", "facet.mincount"])
def test_package_search_with_an_empty_number_is_not_a_500(app, name):
    """Found by the fuzz test: CKAN's natural_number_validator compared None with 0."""
    response = app.get(SEARCH, query_string={name: ""})
    assert response.status_code == 200, (response.status_code, response.body[:300])
    response = app.get(SEARCH, query_string={name: "-1"})
    assert response.status_code == 409, (response.status_code, response.body[:300])
    assert name in response.json["error"]


def test_tourism_api_nul_in_the_path_is_a_404(app):
    response = app.get("/api/tourism/v1/accommodations/a%00b")
    assert response.status_code in (400, 404), response.status_code
    assert response.json["error"]["code"] in ("not_found", "invalid_parameter")


def _create(app, world, **fields):
    data = valid("accommodation", owner_org=world.business_a["id"], name="bad-input", **fields)
    return app.post(
        "/api/3/action/package_create", json=data, headers=world.people["member_a"].headers
    )


def test_package_create_with_a_nul_in_the_title_is_a_409_naming_the_field(app, world):
    response = _create(app, world, title="Khách\x00sạn")
    assert response.status_code == 409, (response.status_code, response.body[:300])
    assert "title" in response.json["error"], response.json


def test_package_create_with_deeply_nested_spatial_is_a_409_naming_the_field(app, world):
    response = _create(app, world, spatial="[" * 100_000 + "]" * 100_000)
    assert response.status_code == 409, (response.status_code, response.body[:300])
    assert "spatial" in response.json["error"], response.json


# --- field-size limits -----------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "named", "words"),
    [
        ({"title": "A" * 100_000}, "title", "100000"),
        ({"notes": "n" * 5_000_000}, "notes", "5000000"),
        ({"tags": [{"name": f"tag{n}"} for n in range(1000)]}, "tags", "1000"),
        ({"extras": [{"key": f"k{n}", "value": "v"} for n in range(2000)]}, "extras", "2000"),
        ({"street_address": "x" * 300_000}, "street_address", "300000"),
    ],
    ids=["title", "notes", "tags", "extras", "any-text"],
)
def test_oversized_fields_are_refused_naming_the_field(app, world, fields, named, words):
    response = _create(app, world, **fields)
    assert response.status_code == 409, (response.status_code, response.body[:300])
    error = response.json["error"]
    assert named in error, error
    assert words in str(error[named]), error


def test_size_limits_apply_to_updates_and_other_dataset_types(app, world):
    from ckan.tests import factories

    dataset = factories.Dataset(owner_org=world.business_a["id"])
    response = app.post(
        "/api/3/action/package_patch",
        json={"id": dataset["id"], "title": "T" * 501},
        headers=world.people["sysadmin"].headers,
    )
    assert response.status_code == 409, response.status_code
    assert "title" in response.json["error"]
    # the limit itself is fine
    response = app.post(
        "/api/3/action/package_patch",
        json={"id": dataset["id"], "title": "T" * 500},
        headers=world.people["sysadmin"].headers,
    )
    assert response.status_code == 200, response.body[:300]


@pytest.mark.ckan_config("ckanext.khtourism.limits.title_length", "20")
def test_the_limits_are_settings_and_the_message_speaks_english_on_en(world):
    from ckanext.khtourism.security import field_limits

    errors = field_limits.errors_of({"type": "accommodation", "title": "x" * 21})
    assert errors["title"] == ["Tên cơ sở: quá dài: 21 ký tự, tối đa 20"] or errors["title"][
        0
    ].endswith("quá dài: 21 ký tự, tối đa 20"), errors


def test_batched_harvest_imports_apply_the_same_limits(world):
    """Harvested new records are written in batches without package_create
    (harvesters/bulk.py): the limits still apply, per record."""
    from ckanext.khtourism.harvesters import bulk

    good = valid("accommodation", owner_org=world.business_a["id"], name="bulk-good")
    bad = valid("accommodation", owner_org=world.business_a["id"], name="bulk-bad", title="B" * 600)
    records = [bulk.NewRecord(data=good), bulk.NewRecord(data=bad)]
    bulk.create_many(world.people["sysadmin"].name, records)
    assert records[0].package_id and records[0].error is None
    assert records[1].package_id is None
    assert "title" in records[1].error.error_dict


# --- the action API and the harvest pages: a 4xx, never a 500 --------------------------------
def test_package_collaborator_list_as_anonymous_is_a_403(app):
    """CKAN's auth function asserted a signed-in user: an AssertionError, a 500."""
    from ckan.tests import factories

    dataset = factories.Dataset(owner_org=factories.Organization()["id"])
    response = app.get(
        "/api/3/action/package_collaborator_list", query_string={"id": dataset["id"]}
    )
    assert response.status_code == 403, (response.status_code, response.body[:300])


@pytest.mark.parametrize(
    ("action", "params", "named"),
    [
        ("package_show", {"id": "a\x00b"}, "id"),
        ("organization_show", {"id": "a\x00b"}, "id"),
        ("user_show", {"id": "a\x00b"}, "id"),
        ("tag_show", {"id": "a\x00b"}, "id"),
        ("package_autocomplete", {"q": "a\x00b"}, "q"),
    ],
)
def test_a_nul_in_any_action_parameter_is_a_409_naming_it(app, action, params, named):
    response = app.get(f"/api/3/action/{action}", query_string=params)
    assert response.status_code == 409, (response.status_code, response.body[:300])
    assert response.json["error"]["__type"] == "Validation Error", response.json
    assert "NUL" in response.json["error"][named][0], response.json
    response = app.post(f"/api/3/action/{action}", json=params)
    assert response.status_code == 409, (response.status_code, response.body[:300])


@pytest.mark.parametrize("who", ["sysadmin", "anonymous"])
def test_harvest_pages_of_a_missing_id_are_a_404(app, who):
    from ckan.tests import factories

    from tests.harvesters.harvest_fixtures import create_source

    org = factories.Organization()
    source = create_source("ckan", "http://127.0.0.1:9/", {}, owner_org=org["id"])
    headers = {}
    if who == "sysadmin":
        headers = {"Authorization": factories.SysadminWithToken()["token"]}
    for path in (
        "/harvest/object/no-such-object",
        "/harvest/no-such-source",
        f"/harvest/{source['name']}/job/no-such-job",
        f"/harvest/{source['name']}/job/last",
        "/harvest/no-such-source/job/no-such-job",
        "/harvest/no-such-source/job",
        "/harvest/about/no-such-source",
        "/harvest/admin/no-such-source",
    ):
        response = app.get(path, headers=headers)
        assert response.status_code in ((404,) if who == "sysadmin" else (403, 404)), (
            path,
            response.status_code,
        )
