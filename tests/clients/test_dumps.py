"""Bulk dumps: every published record per type in CSV, GeoJSON and JSON-LD (gzip) with a
manifest; a dump plus the change feed from its cursor equals the live API; no personal
data; published as distributions of the registry datasets (api/dumps.py)."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json

import pytest

from ckan.tests.helpers import call_action

from ckanext.khtourism.api import dumps
from ckanext.khtourism.api.collections import COLLECTIONS
from ckanext.khtourism.dcat import registry as dcat_registry
from tests.record_fixtures import PRIVATE_GUIDE_FIELDS

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

BASE = "/api/tourism/v1"
PRIVATE_VALUES = ("056090012345", "0905 123 456", "thu.private@example.vn", "Đường Bí Mật")


@pytest.fixture
def dump_dir(tmp_path, ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "ckanext.khtourism.dumps.path", str(tmp_path))
    return tmp_path


def _publish(world, record_type: str, owner: str = "a", **fields) -> dict:
    return world.create("sysadmin", record_type, owner, workflow_state="published", **fields)


def _features(path) -> dict[str, dict]:
    data = json.loads(gzip.decompress(path.read_bytes()))
    return {feature["id"]: feature["properties"] for feature in data["features"]}


def _live(app, collection: str) -> dict[str, dict]:
    found: dict[str, dict] = {}
    page = 1
    while True:
        body = app.get(f"{BASE}/{collection}?format=geojson&limit=100&page={page}").json
        found.update({f["id"]: f["properties"] for f in body["features"]})
        if len(body["features"]) < 100:
            return found
        page += 1


def test_dumps_with_manifest_checksums_and_no_personal_data(app, world, dump_dir):
    hotel = _publish(world, "accommodation", name="ks-dump-1")
    _publish(world, "accommodation", name="ks-dump-2")
    guide = _publish(world, "tour-guide", name="hdv-dump")
    draft = world.create("member_a", "accommodation", name="ks-nhap")  # not published
    manifest = dumps.build()
    assert (dump_dir / "manifest.json").is_file()
    assert set(manifest["types"]) == {c.dataset_type for c in COLLECTIONS.values()}
    assert manifest["types"]["accommodation"]["count"] == 2
    assert manifest["types"]["tour-guide"]["count"] == 1
    assert manifest["types"]["heritage-site"]["count"] == 0
    assert int(manifest["cursor"]) > 0
    for dataset_type, entry in manifest["types"].items():
        assert set(entry["files"]) == {"csv", "geojson", "jsonld"}
        for fmt, described in entry["files"].items():
            path = dump_dir / f"{dataset_type}.{fmt}.gz"
            raw = path.read_bytes()
            assert hashlib.sha256(raw).hexdigest() == described["sha256"]
            assert described["bytes"] == len(raw)
            text = gzip.decompress(raw).decode("utf-8-sig")
            for value in PRIVATE_VALUES:
                assert value not in text, (dataset_type, fmt, value)
            assert draft["id"] not in text
    rows = list(
        csv.DictReader(
            io.StringIO(
                gzip.decompress((dump_dir / "accommodation.csv.gz").read_bytes()).decode(
                    "utf-8-sig"
                )
            )
        )
    )
    assert sorted(row["id"] for row in rows) == sorted(
        [hotel["id"], manifest_id(manifest, app, "ks-dump-2")]
    )
    guides = _features(dump_dir / "tour-guide.geojson.gz")
    assert list(guides) == [guide["id"]]
    assert not set(PRIVATE_GUIDE_FIELDS) & set(guides[guide["id"]])
    jsonld = json.loads(gzip.decompress((dump_dir / "accommodation.jsonld.gz").read_bytes()))
    assert hotel["id"] in json.dumps(jsonld)


def _path(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def manifest_id(manifest, app, name: str) -> str:
    return app.get(f"{BASE}/accommodations/{name}").json["id"]


def test_dump_then_the_feed_from_its_cursor_equals_the_live_api(app, world, dump_dir):
    kept = _publish(world, "accommodation", name="ks-giu")
    changed = _publish(world, "accommodation", name="ks-doi")
    removed = _publish(world, "accommodation", name="ks-xoa")
    withdrawn = _publish(world, "accommodation", name="ks-ngung")
    manifest = dumps.build()
    local = _features(dump_dir / "accommodation.geojson.gz")
    assert set(local) == {kept["id"], changed["id"], removed["id"], withdrawn["id"]}
    # changes after the dump
    added = _publish(world, "accommodation", name="ks-moi")
    world.call("sysadmin", "package_patch", id=changed["id"], notes="Đã đổi sau bản kết xuất")
    world.call("sysadmin", "package_delete", id=removed["id"])
    world.call("sysadmin", "package_patch", id=withdrawn["id"], operating_status="withdrawn")
    # a consumer follows the feed from the manifest's cursor
    cursor = manifest["cursor"]
    while True:
        feed = app.get(f"{BASE}/changes?type=accommodation&cursor={cursor}").json
        for change in feed["changes"]:
            if change["removal"]:
                local.pop(change["id"], None)
            else:
                item = app.get(f"{BASE}/accommodations/{change['id']}?format=geojson").json
                local[item["id"]] = item["properties"]
        cursor = feed["next_cursor"]
        if not feed["has_more"]:
            break
    # the API still lists a withdrawn record (with its status); for the feed it is a removal
    listed = _live(app, "accommodations")
    assert listed[withdrawn["id"]]["operating_status"] == "withdrawn"
    live = {k: v for k, v in listed.items() if v.get("operating_status") != "withdrawn"}
    names = {kept["id"]: "kept", changed["id"]: "changed", added["id"]: "added"}
    assert sorted(names.get(i, i) for i in live) == ["added", "changed", "kept"]
    assert set(local) == set(live)
    for record_id, properties in live.items():
        for key in ("name", "title", "notes", "metadata_modified", "operating_status"):
            assert local[record_id].get(key) == properties.get(key), (record_id, key)


def test_dumps_are_served_and_published_in_the_registry_datasets(app, world, dump_dir):
    _publish(world, "accommodation", name="ks-dcat")
    assert app.get(f"{BASE}/dumps/").status_code == 404  # nothing built yet
    manifest = dumps.build()
    served = app.get(f"{BASE}/dumps/")
    assert served.status_code == 200 and served.json["cursor"] == manifest["cursor"]
    entry = manifest["types"]["accommodation"]["files"]["csv"]
    got = app.get(_path(entry["url"]))
    assert got.status_code == 200
    assert got.headers["Content-Type"] == "application/gzip"
    assert hashlib.sha256(got.data).hexdigest() == entry["sha256"]
    for bad in ("..%2Fmanifest.json", "secrets.json", "accommodation.csv"):
        assert app.get(f"{BASE}/dumps/{bad}").status_code == 404, bad
    registry = dcat_registry.refresh_registry("accommodation")
    shown = call_action("package_show", {"ignore_auth": True}, id=registry["id"])
    dump_resources = [r for r in shown["resources"] if r["url"].endswith(".gz")]
    assert sorted(r["format"] for r in dump_resources) == ["CSV", "GeoJSON", "JSON-LD"]
    for resource in dump_resources:
        assert app.get(_path(resource["url"])).status_code == 200, resource["url"]
    turtle = app.get(f"/dataset/{registry['name']}.ttl").body
    assert "accommodation.geojson.gz" in turtle
    assert "compressFormat" in turtle


def test_the_cli_builds_the_dumps_and_refreshes_the_registry(app, world, cli, dump_dir):
    from ckanext.khtourism.cli import dumps as dumps_group

    _publish(world, "heritage-site", owner="curator", name="di-tich-cli")
    result = cli.invoke(dumps_group, ["build"])
    assert result.exit_code == 0, result.output
    assert "heritage-site: 1 records" in result.output
    manifest = json.loads((dump_dir / "manifest.json").read_text())
    assert manifest["types"]["heritage-site"]["count"] == 1
    shown = call_action("package_show", {"ignore_auth": True}, id="registry-heritage-site")
    assert any(r["url"].endswith("heritage-site.jsonld.gz") for r in shown["resources"])
