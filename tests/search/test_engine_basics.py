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
    # Every description is given: the factory's default is random English text, and
    # "hotel" is one of its words (about 1 description in 130 has it), which made the
    # "hotel" search below also find the Museum now and then.
    org = factories.Organization()
    for number in range(5):
        factories.Dataset(
            owner_org=org["id"],
            title=f"Hotel {number}",
            notes=f"Rooms by the sea, number {number}",
            tags=[{"name": "beach"}] + ([{"name": "spa"}] if number % 2 else []),
        )
    factories.Dataset(
        owner_org=org["id"],
        title="Museum",
        notes="Ceramics of the Cham period",
        tags=[{"name": "culture"}],
    )

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


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_facet_counts_count_datasets_not_values():
    """A dataset with two PDF resources counts once under PDF, as in Solr."""
    org = factories.Organization()
    two_pdfs = factories.Dataset(owner_org=org["id"], title="Two PDFs")
    for number in range(2):
        factories.Resource(package_id=two_pdfs["id"], format="PDF", url=f"http://x/{number}.pdf")
    one_pdf = factories.Dataset(owner_org=org["id"], title="One PDF and a CSV")
    factories.Resource(package_id=one_pdf["id"], format="PDF", url="http://x/a.pdf")
    factories.Resource(package_id=one_pdf["id"], format="CSV", url="http://x/a.csv")

    result = helpers.call_action("package_search", **{"facet.field": ["res_format"]})
    assert result["count"] == 2
    assert result["facets"]["res_format"] == {"PDF": 2, "CSV": 1}
    assert helpers.call_action("package_search", fq="res_format:PDF")["count"] == 2


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_migration_removes_repeated_values_from_rows_indexed_before(monkeypatch):
    import importlib

    import sqlalchemy as sa

    import ckan.model as model

    from ckanext.khtourism.search import cache

    migration = importlib.import_module(
        "ckanext.khtourism.migration.khtourism.versions.khts_0005_distinct_facet_terms"
    )
    org = factories.Organization()
    dataset = factories.Dataset(owner_org=org["id"], title="Indexed before")
    # what the index held before this fix: the value once per resource
    model.Session.execute(
        sa.text(
            "UPDATE khtourism_search_doc SET facet_terms = facet_terms || "
            """'{"res_format": ["PDF", "PDF", "CSV"]}'::jsonb WHERE id = :id"""
        ),
        {"id": dataset["id"]},
    )
    model.Session.commit()
    # the SQL count counted the repeats (the facet bitmaps count each document once
    # whatever the row holds: facet_bitmaps.py)
    from ckan.common import config

    from ckanext.khtourism.search import facet_bitmaps

    monkeypatch.setitem(config, facet_bitmaps.OPTION, False)
    before = helpers.call_action("package_search", **{"facet.field": ["res_format"]})
    assert before["facets"]["res_format"] == {"PDF": 2, "CSV": 1}
    model.Session.execute(sa.text(migration._distinct("facet_terms")))
    model.Session.commit()
    cache.invalidate()  # as the migration does
    after = helpers.call_action("package_search", **{"facet.field": ["res_format"]})
    assert after["facets"]["res_format"] == {"PDF": 1, "CSV": 1}
