"""Real clients against /ogc/: OWSLib's OGC API – Features client over HTTP, and the
portal's own ``khtourism_ogcapi`` harvester harvesting the portal's collections into a
clean portal with nothing lost."""

from __future__ import annotations

import contextlib
import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from werkzeug.serving import make_server

import ckan.plugins.toolkit as tk
from ckan.tests import factories

from ckanext.khtourism.core import record_types
from ckanext.khtourism.core.record_types import RECORD_TYPES
from ckanext.khtourism.ogc.collections import property_names, public_collections
from tests.api.conftest import create_record
from tests.harvesters.harvest_fixtures import create_source, run_job
from tests.serving import serve_in_thread

PRIVATE = ("079000000001", "1990-01-01", "0900000000")
EXAMPLES = Path(__file__).parent.parent / "fixtures" / "record_types"


@contextlib.contextmanager
def live_portal(app, monkeypatch):
    """The test app served over HTTP on 127.0.0.1 (its links name that address)."""
    server = make_server("127.0.0.1", 0, app.flask_app, threaded=False)
    url = f"http://127.0.0.1:{server.server_port}"
    monkeypatch.setitem(tk.config, "ckan.site_url", url)
    serve_in_thread(server)
    try:
        yield url
    finally:
        server.shutdown()
        server.server_close()


def _expected(record_type: str) -> dict[str, dict]:
    """The published public records of a type, as an anonymous visitor finds them."""
    result = tk.get_action("package_search")(
        {"user": "", "ignore_auth": False},
        {"fq": f"+dataset_type:{record_type}", "rows": 1000},
    )
    return {pkg["id"]: pkg for pkg in result["results"]}


@pytest.fixture
def every_type(sample):
    """The API's sample, plus a published record of each declared type it has none of (the
    type's valid example, ``tests/fixtures/record_types/<type>/good.json``)."""
    for record_type in RECORD_TYPES:
        if _expected(record_type):
            continue
        example = json.loads((EXAMPLES / record_type / "good.json").read_text(encoding="utf-8"))
        example.pop("type", None)
        curator_only = record_types.get(record_type).curator_only
        owner = sample.department if curator_only else sample.business_a
        create_record(sample.sysadmin, record_type, owner, name=f"vi-du-{record_type}", **example)
    return sample


def test_owslib_reads_every_collection(api, every_type, monkeypatch):
    from owslib.ogcapi.features import Features

    with live_portal(api, monkeypatch) as url:
        client = Features(f"{url}/ogc/")
        assert client.feature_collections() == list(RECORD_TYPES)
        conformance = client.conformance()["conformsTo"]
        assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in conformance
        assert client.api()["openapi"].startswith("3.0")
        checked = 0
        for collection_id, collection in public_collections().items():
            assert client.collection(collection_id)["id"] == collection_id
            expected = _expected(collection.dataset_type)
            assert expected, collection_id  # every type has published records in the sample
            page = client.collection_items(collection_id, limit=1000)
            assert page["numberMatched"] == len(expected) == page["numberReturned"]
            assert {f["id"] for f in page["features"]} == set(expected)
            for feature in page["features"]:
                record = expected[feature["id"]]
                assert list(feature["properties"]) == property_names(collection)
                assert feature["properties"]["name"] == record["name"]
                assert feature["properties"]["title"] == record["title"]
                for name in collection.fields:
                    stored, given = record.get(name), feature["properties"][name]
                    if stored in (None, "", []):
                        assert given is None, (name, given)
                    elif isinstance(stored, list):
                        assert given == [str(v) for v in stored], (name, given, stored)
                    else:
                        assert str(given) == str(stored), (name, given, stored)
                if record.get("spatial"):
                    coordinates = json.loads(record["spatial"])["coordinates"]
                    assert feature["geometry"]["coordinates"] == coordinates
                else:
                    assert feature["geometry"] is None
                checked += 1
            # the same through paging (limit, offset and next links as OWSLib sends them)
            paged = [
                client.collection_items(collection_id, limit=1, offset=n)
                for n in range(len(expected))
            ]
            assert {p["features"][0]["id"] for p in paged} == set(expected)
            # bbox as OWSLib sends it
            if collection_id == "accommodation":
                near = client.collection_items(collection_id, bbox=[109.1, 12.2, 109.3, 12.3])
                assert [f["properties"]["name"] for f in near["features"]] == [
                    "khach-san-bien-xanh"
                ]
            text = json.dumps(page, ensure_ascii=False)
            for value in PRIVATE:
                assert value not in text
        assert checked == sum(len(_expected(t)) for t in RECORD_TYPES)


class _Pages(BaseHTTPRequestHandler):
    pages: dict[str, bytes] = {}

    def do_GET(self) -> None:  # noqa: N802 - http.server API
        body = self.pages.get(self.path)
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/geo+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


# Fields the harvest of an OGC collection gives back: every public field of the type,
# the place fields, the texts, and the point (what the tourism API calls an item).
COMPARED = (
    "title",
    "title_en",
    "notes",
    "notes_en",
    "admin_unit",
    "former_district",
    "operating_status",
    "street_address",
    "phone",
    "email",
    "website",
)


def _public(record: dict, collection) -> dict:
    view = {
        name: record.get(name) or None
        for name in (*COMPARED, *collection.fields)
        if name != "establishment_id"
    }
    for name, value in list(view.items()):
        if isinstance(value, str) and value.startswith("["):
            with contextlib.suppress(ValueError):
                view[name] = json.loads(value)
    if record.get("spatial"):
        view["spatial"] = json.loads(record["spatial"])["coordinates"]
    return view


@pytest.mark.parametrize("record_type", list(RECORD_TYPES))
def test_own_harvester_gets_every_public_field_back(
    api, every_type, monkeypatch, reset_db, migrate_db_for, record_type
):
    collection = public_collections()[record_type]
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    local = f"http://127.0.0.1:{server.server_address[1]}"
    serve_in_thread(server)
    try:
        # 1. the portal's collection, page by page (2 a page: next links exercised), with
        #    its links naming the fixture server that will serve the pages
        monkeypatch.setitem(tk.config, "ckan.site_url", local)
        source_records = {
            pkg["id"]: tk.get_action("package_show")({"user": ""}, {"id": pkg["id"]})
            for pkg in _expected(record_type).values()
        }
        path = f"/ogc/collections/{record_type}/items?limit=2&f=json"
        pages: dict[str, bytes] = {}
        while path:
            response = api.get(path)
            page = json.loads(response.body)
            pages[path] = response.body.encode("utf-8")
            following = [link["href"] for link in page["links"] if link["rel"] == "next"]
            path = following[0][len(local) :] if following else ""
        # the harvester asks for the first page with its own query string
        first = f"/ogc/collections/{record_type}/items?limit=2&f=json"
        _Pages.pages = dict(pages)
        _Pages.pages[f"/ogc/collections/{record_type}/items?limit=500&f=json"] = pages[first]
        assert len(pages) >= 2 or len(source_records) <= 2

        # 2. a clean portal harvests the collection with the stock configuration
        reset_db()
        for plugin in ("activity", "harvest", "khtourism"):
            migrate_db_for(plugin)
        org = factories.Organization(name="cong-thu-hoach")
        source = create_source(
            "khtourism_ogcapi",
            f"{local}/ogc/collections/{record_type}",
            {"record_type": record_type, "publish": "direct"},
            owner_org=org["id"],
        )
        result = run_job(source)
    finally:
        server.shutdown()
        server.server_close()
    assert result.gather_errors == []
    assert result.object_errors() == []
    assert sorted(result.statuses().values()) == ["added"] * len(source_records)

    # 3. nothing lost (the establishment identifier is each portal's own: the harvesting
    #    portal gives its own; the source's feature id is kept as source_record_id)
    harvested = {}
    for outcome in result.objects.values():
        record = tk.get_action("package_show")({"ignore_auth": True}, {"id": outcome["package_id"]})
        harvested[record["title"]] = record
    assert len(harvested) == len(source_records)
    for record_id, record in source_records.items():
        copy = harvested[record["title"]]
        assert copy["source_record_id"] in (
            record_id,
            record.get("licence_number"),
            record.get("card_number"),
        )
        assert _public(copy, collection) == _public(record, collection), record_id
