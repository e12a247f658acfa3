"""Every output of the metadata quality (records/quality.py), for every declared type: the
record page (vi, en), the search facet and sort, the tourism API (item field, filter, sort,
OpenAPI), DCAT's W3C DQV and the dashboards' lists of records not verified for 12 months."""

from __future__ import annotations

import datetime as dt

import pytest
from rdflib import Literal, URIRef

from ckan.tests.helpers import call_action

from ckanext.dcat.processors import RDFSerializer

from ckanext.khtourism.api.collections import BY_DATASET_TYPE
from ckanext.khtourism.core import record_types
from ckanext.khtourism.core.record_types import RECORD_TYPES
from ckanext.khtourism.records import quality

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

DQV = "http://www.w3.org/ns/dqv#"
RECENT = (dt.date.today() - dt.timedelta(days=30)).isoformat()
OLD = (dt.date.today() - dt.timedelta(days=500)).isoformat()


def _publish(world, record_type: str, **overrides) -> dict:
    """A record of ``record_type`` published through the workflow, with no website (a fix)."""
    declared = record_types.get(record_type)
    role, owner = ("curator", "curator") if declared.curator_only else ("member_a", "a")
    overrides.setdefault("website", "")
    overrides.setdefault("last_verified", RECENT)
    overrides.setdefault("license_id", "cc-by-4.0")
    record = world.create(role, record_type, owner=owner, **overrides)
    world.call(role, "khtourism_record_submit", id=record["id"])
    world.call("curator", "khtourism_record_approve", id=record["id"])
    return world.call("curator", "package_show", id=record["id"])


def _missing_label(record_type: str, lang: str) -> tuple[str, str]:
    declared = record_types.get(record_type)
    field = "website" if "website" in declared.quality_recommended else None
    assert field or "notes" in declared.quality_recommended
    field = field or "notes"
    return field, quality.field_labels(record_type)[field][lang]


@pytest.mark.parametrize("record_type", RECORD_TYPES)
def test_record_page_shows_the_score_and_the_fixes_in_both_languages(app, world, record_type):
    field, _label = _missing_label(record_type, "vi")
    record = _publish(world, record_type, **{field: ""})
    found = quality.assess(record)
    assert found is not None
    page = app.get(f"/{record_type}/{record['name']}")
    assert page.status_code == 200
    assert 'id="metadata-quality"' in page.body
    assert "Chất lượng siêu dữ liệu" in page.body and f"{found.score}/100" in page.body
    assert f"Bổ sung “{_missing_label(record_type, 'vi')[1]}”" in page.body
    english = app.get(f"/en/{record_type}/{record['name']}")
    assert "Metadata quality" in english.body and "How to improve this record" in english.body
    assert f"Fill in “{_missing_label(record_type, 'en')[1]}”" in english.body


@pytest.mark.parametrize("record_type", RECORD_TYPES)
def test_search_index_facet_and_sort(app, world, record_type):
    better = _publish(world, record_type, last_verified=RECENT)
    worse = _publish(world, record_type, last_verified=OLD, title_en="", notes_en="")
    scores = {r["name"]: quality.assess(r).score for r in (better, worse)}
    assert scores[better["name"]] > scores[worse["name"]]
    result = call_action(
        "package_search",
        fq=f"+dataset_type:{record_type}",
        sort="quality_sort desc",
        **{"facet.field": '["quality_band"]'},
    )
    names = [r["name"] for r in result["results"]]
    assert names.index(better["name"]) < names.index(worse["name"])
    bands = {
        item["name"]: item["count"] for item in result["search_facets"]["quality_band"]["items"]
    }
    expected: dict[str, int] = {}
    for name in (better["name"], worse["name"]):
        band = quality.band_of(scores[name])
        expected[band] = expected.get(band, 0) + 1
    assert bands == expected
    band = quality.band_of(scores[worse["name"]])
    only = call_action("package_search", fq=f"+dataset_type:{record_type} +quality_band:{band}")
    assert worse["name"] in [r["name"] for r in only["results"]]
    stale = call_action("package_search", fq=f"+dataset_type:{record_type} +quality_stale:true")
    assert [r["name"] for r in stale["results"]] == [worse["name"]]
    page = app.get(f"/{record_type}/")
    assert "Chất lượng siêu dữ liệu" in page.body  # the facet's title
    assert "quality_sort desc" in page.body  # the sort option


@pytest.mark.parametrize("record_type", RECORD_TYPES)
def test_api_item_field_filter_and_sort(app, world, record_type):
    better = _publish(world, record_type, last_verified=RECENT)
    worse = _publish(world, record_type, last_verified=OLD, title_en="", notes_en="")
    path = f"/api/tourism/v1/{BY_DATASET_TYPE[record_type].path}"
    item = app.get(f"{path}/{worse['name']}?lang=en").json
    expected = quality.assess(worse)
    assert item["quality"]["score"] == expected.score
    assert item["quality"]["band"] == expected.band and item["quality"]["stale"] is True
    assert item["quality"]["fixes"] == expected.fix_texts("en")
    vi = app.get(f"{path}/{worse['name']}?lang=vi").json
    assert vi["quality"]["fixes"] == expected.fix_texts("vi")
    listed = app.get(f"{path}?sort=-quality").json["items"]
    names = [i["name"] for i in listed]
    assert names.index(better["name"]) < names.index(worse["name"])
    band = expected.band
    filtered = app.get(f"{path}?quality_band={band}").json["items"]
    assert worse["name"] in [i["name"] for i in filtered]
    assert all(i["quality"]["band"] == band for i in filtered)
    chosen = app.get(f"{path}/{worse['name']}?fields=name").json
    assert "quality" not in chosen  # not computed when fields= leaves it out
    assert (
        app.get(f"{path}/{worse['name']}?fields=quality").json["quality"]["score"] == expected.score
    )
    refused = app.get(f"{path}?quality_band=excellent", status=400)
    assert "quality_band" in refused.body


def test_openapi_declares_the_quality_field_filter_and_sort(app):
    document = app.get("/api/tourism/v1/openapi.json").json
    text = str(document)
    assert "quality_band" in text and "'-quality'" in text
    for record_type in RECORD_TYPES:
        path = f"/{BY_DATASET_TYPE[record_type].path}"
        names = [p.get("name") for p in document["paths"][path]["get"].get("parameters", [])]
        names += [
            document["components"]["parameters"][p["$ref"].split("/")[-1]]["name"]
            for p in document["paths"][path]["get"].get("parameters", [])
            if "$ref" in p and "parameters" in document.get("components", {})
        ]
        assert "quality_band" in names, record_type
    assert "'quality': {'type': ['object', 'null']" in text


@pytest.mark.parametrize("record_type", RECORD_TYPES)
def test_dcat_publishes_dqv_measurements(world, record_type):
    record = _publish(world, record_type)
    found = quality.assess(record)
    serializer = RDFSerializer()
    ref = serializer.graph_from_dataset(record)
    g = serializer.g
    measurements = list(g.objects(ref, URIRef(DQV + "hasQualityMeasurement")))
    applicable = [n for n, v in found.dimensions.items() if v is not None]
    assert len(measurements) == 1 + len(applicable)
    by_metric = {
        str(g.value(m, URIRef(DQV + "isMeasurementOf"))).rsplit("#", 1)[1]: g.value(
            m, URIRef(DQV + "value")
        )
        for m in measurements
    }
    assert by_metric["score"] == Literal(found.score)
    for name in applicable:
        assert float(by_metric[name]) == pytest.approx(found.dimensions[name], abs=0.001)
    metric = g.value(measurements[0], URIRef(DQV + "isMeasurementOf"))
    assert (metric, None, URIRef(DQV + "Metric")) in g


def test_dashboards_list_records_not_verified_for_twelve_months(app, world):
    old = _publish(world, "accommodation", last_verified=OLD)
    fresh = _publish(world, "accommodation", last_verified=RECENT)
    never = _publish(world, "tour-operator", last_verified="")
    dashboard = app.get("/khtourism/my-records", headers=world.people["member_a"].headers).body
    section = dashboard[dashboard.index('id="not-verified"') :]
    assert old["name"] in section and never["name"] in section
    assert fresh["name"] not in section
    assert 'id="metadata-quality"' in dashboard and f"{quality.assess(old).score}/100" in dashboard
    other = app.get("/khtourism/my-records", headers=world.people["member_b"].headers).body
    assert old["name"] not in other  # another business's records are not listed
    review = app.get("/khtourism/review", headers=world.people["curator"].headers).body
    section = review[review.index('id="not-verified"') :]
    assert old["name"] in section and never["name"] in section and fresh["name"] not in section
    names = [r["name"] for r in quality.stale_records()]
    assert names.index(never["name"]) < names.index(old["name"])  # never verified first


def test_quality_reindex_command_follows_the_calendar(world, cli, monkeypatch):
    """A record verified 365 days ago is fresh today and stale tomorrow: the nightly command
    re-indexes it, and the facet and filter follow; an expired guide card likewise."""
    from ckan.cli.cli import ckan

    today = dt.date.today()
    yesterday = today - dt.timedelta(days=1)
    monkeypatch.setattr(quality, "_today", lambda: yesterday)  # indexed as of yesterday
    turning = _publish(
        world, "accommodation", last_verified=(yesterday - dt.timedelta(days=365)).isoformat()
    )
    guide = _publish(world, "tour-guide", card_expiry_date=yesterday.isoformat())
    steady = _publish(world, "accommodation", last_verified=RECENT)

    def stale_names() -> set[str]:
        found = call_action("package_search", fq="+quality_stale:true", rows=100)
        return {r["name"] for r in found["results"]}

    assert turning["name"] not in stale_names()
    monkeypatch.setattr(quality, "_today", lambda: today)
    assert set(quality.calendar_changed(1)) == {turning["id"], guide["id"]}
    assert steady["id"] not in quality.calendar_changed(30)
    result = cli.invoke(ckan, ["khtourism", "records", "quality-reindex"])
    assert result.exit_code == 0, result.output
    assert "2 records re-indexed." in result.output
    assert turning["name"] in stale_names() and steady["name"] not in stale_names()
    fresh = quality.assess(call_action("package_show", id=guide["id"]))
    assert fresh.dimensions["credentials"] == 0.0  # the card expired yesterday
    sort_key = quality.index_fields(fresh)["quality_sort"]
    card = call_action("package_search", fq=f"+name:{guide['name']} +quality_sort:{sort_key}")
    assert [r["name"] for r in card["results"]] == [guide["name"]]  # the index has today's score
