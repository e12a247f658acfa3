"""The PostgreSQL engine behind CKAN's search: the basics every page needs."""

from __future__ import annotations

import pytest

from ckan.tests import factories, helpers


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_home_page_and_dataset_search_page_work_without_solr(app):
    org = factories.Organization()
    dataset = factories.Dataset(owner_org=org["id"], title="Khách sạn Biển Xanh")
    assert app.get("/").status_code == 200
    response = app.get("/dataset/")
    assert response.status_code == 200
    assert "Khách sạn Biển Xanh" in response.body
    assert app.get(f"/dataset/{dataset['name']}").status_code == 200


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_package_search_counts_filters_facets_and_paging():
    org = factories.Organization()
    for number in range(5):
        factories.Dataset(
            owner_org=org["id"],
            title=f"Hotel {number}",
            tags=[{"name": "beach"}] + ([{"name": "spa"}] if number % 2 else []),
        )
    factories.Dataset(owner_org=org["id"], title="Museum", tags=[{"name": "culture"}])

    everything = helpers.call_action("package_search", q="*:*")
    assert everything["count"] == 6

    filtered = helpers.call_action(
        "package_search",
        fq="tags:beach",
        rows=2,
        start=0,
        sort="title_string asc",
        **{"facet.field": ["tags", "organization"]},
    )
    assert filtered["count"] == 5
    assert [d["title"] for d in filtered["results"]] == ["Hotel 0", "Hotel 1"]
    assert filtered["facets"]["tags"] == {"beach": 5, "spa": 2}
    assert filtered["facets"]["organization"] == {org["name"]: 5}
    assert everything["facets"] == {} or "organization" not in everything["facets"]

    second_page = helpers.call_action(
        "package_search", fq="tags:beach", rows=2, start=2, sort="title_string asc"
    )
    assert [d["title"] for d in second_page["results"]] == ["Hotel 2", "Hotel 3"]

    text = helpers.call_action("package_search", q="museum")
    assert [d["title"] for d in text["results"]] == ["Museum"]

    names = helpers.call_action("package_search", q="hotel", fl=["name", "title"], rows=100)
    assert {d["title"] for d in names["results"]} == {f"Hotel {n}" for n in range(5)}


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_deleted_dataset_leaves_the_index():
    org = factories.Organization()
    dataset = factories.Dataset(owner_org=org["id"], title="Tháp Bà Ponagar")
    assert helpers.call_action("package_search", q="ponagar")["count"] == 1
    sysadmin = factories.Sysadmin()
    helpers.call_action("package_delete", context={"user": sysadmin["name"]}, id=dataset["id"])
    assert helpers.call_action("package_search", q="ponagar")["count"] == 0


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_doctor_reports_search_healthy(cli):
    from ckan.cli.cli import ckan

    factories.Dataset(owner_org=factories.Organization()["id"])
    result = cli.invoke(ckan, ["khtourism", "doctor"])
    assert result.exit_code == 0, result.output
    assert "[OK  ] search: search engine answers; 1 datasets indexed" in result.output
    assert "FAIL" not in result.output
