"""One record per real establishment: source keys, matching, provenance (issue 13).

Realistic registers served on 127.0.0.1 through the real harvest stages, action API and
PostgreSQL: one company running two hotels, a household homestay without an enterprise
code, a key that repeats, rows removed from the middle of an 80-row register, ArcGIS
features without their id field, the same establishment from a register and a GIS layer.
"""

from __future__ import annotations

import json

import pytest

import ckan.model as model
from ckan.tests import factories, helpers

from tests.harvesters.harvest_fixtures import Reply, create_source, fixture_reply, run_job

DIRECT = {"record_type": "accommodation", "publish": "direct"}
KEYED = dict(DIRECT, key_field="Số đăng ký")
GIS_CONFIG = dict(
    DIRECT,
    mapping={"TEN": "title", "DIA_CHI": "street_address"},
    defaults={"accommodation_type": "khach_san"},
)


def _decisions(result) -> dict[str, str]:
    """The match decision recorded on each harvest object of a job: {guid: decision}."""
    from ckanext.harvest.model import HarvestObject

    return {
        obj.guid: next((e.value for e in obj.extras if e.key == "match"), "")
        for obj in HarvestObject.filter(harvest_job_id=result.job.id).all()
    }


def _show(package_id: str) -> dict:
    return helpers.call_action("package_show", id=package_id)


def _active_accommodations() -> list[model.Package]:
    return model.Session.query(model.Package).filter_by(type="accommodation", state="active").all()


def _modified_times() -> dict[str, object]:
    """Every active accommodation's ``metadata_modified`` (what ``package_show`` reports),
    read in one query."""
    model.Session.expire_all()
    return dict(
        model.Session.query(model.Package.id, model.Package.metadata_modified)
        .filter_by(type="accommodation", state="active")
        .all()
    )


def _by_title() -> dict[str, dict]:
    return {p.title: _show(p.id) for p in _active_accommodations()}


@pytest.fixture
def register(fixture_server):
    class Register:
        current = "spreadsheets/company-register.csv"
        reply_override: Reply | None = None

        def serve(self, relative: str) -> None:
            self.current = relative
            self.reply_override = None

    state = Register()
    state.url = fixture_server.handler(
        "/so-du-lich/so-dang-ky-luu-tru.csv",
        lambda _q: state.reply_override or fixture_reply(state.current),
    )
    return state


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_default_settings_keep_both_hotels_of_one_company_and_the_homestay(register):
    org = factories.Organization()
    result = run_job(
        create_source("khtourism_spreadsheet", register.url, DIRECT, owner_org=org["id"])
    )
    assert result.gather_errors == [] or all(
        e.startswith("warning") for e in result.gather_errors
    ), result.gather_errors
    assert sorted(result.statuses().values()) == ["added"] * 4, (
        result.gather_errors,
        result.object_errors(),
    )
    records = _by_title()
    assert sorted(records) == [
        "Homestay Cỏ Hạnh",
        "Khách sạn Hoàng Hôn A",
        "Khách sạn Hoàng Hôn B",
        "Nhà nghỉ Sao Biển",
    ]
    assert records["Khách sạn Hoàng Hôn A"]["enterprise_code"] == "4209876543"
    assert records["Khách sạn Hoàng Hôn B"]["enterprise_code"] == "4209876543"
    assert not records["Homestay Cỏ Hạnh"].get("enterprise_code")
    # the provenance key is not the row number
    for record in records.values():
        assert "#row=" not in (record["source_url"] or "")
        assert not record["source_record_id"].isdigit()


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_key_column_stt_never_lets_one_hotel_overwrite_another(register):
    org = factories.Organization()
    result = run_job(
        create_source(
            "khtourism_spreadsheet",
            register.url,
            dict(DIRECT, key_field="STT"),
            owner_org=org["id"],
        )
    )
    assert result.statuses() == {"1": "added", "2": "added", "3": "added", "4": "added"}, (
        result.object_errors()
    )
    ids = {outcome["package_id"] for outcome in result.objects.values()}
    assert len(ids) == 4
    assert _show(result.objects["1"]["package_id"])["title"] == "Khách sạn Hoàng Hôn A"
    assert _show(result.objects["2"]["package_id"])["title"] == "Khách sạn Hoàng Hôn B"


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_register_with_a_repeated_key_then_unchanged_withdrawn_and_updated(register):
    """The issue's register test: 3 records and 1 row error naming both rows; re-run
    unchanged; one row deleted → exactly that record withdrawn; one address changed →
    that record updated."""
    from ckanext.harvest.model import HarvestObject

    org = factories.Organization()
    register.serve("spreadsheets/company-register-keyed.csv")
    source = create_source("khtourism_spreadsheet", register.url, KEYED, owner_org=org["id"])

    first = run_job(source)
    assert first.statuses() == {
        "LT-0101": "added",
        "LT-0102": "added",
        "LT-0103": "added",
    }, (first.gather_errors, first.object_errors())
    repeats = [e for e in first.gather_errors if "LT-0102" in e]
    assert len(repeats) == 1, first.gather_errors
    assert "row 5" in repeats[0] and "row 3" in repeats[0]
    records = _by_title()
    assert sorted(records) == [
        "Homestay Cỏ Hạnh",
        "Khách sạn Hoàng Hôn A",
        "Khách sạn Hoàng Hôn B",
    ]  # nothing overwritten: the repeated row did not replace hotel B
    assert str(records["Khách sạn Hoàng Hôn B"]["rooms"]) == "45"
    # every match decision is recorded on its harvest object
    decisions = {
        obj.guid: dict((e.key, e.value) for e in obj.extras)
        for obj in HarvestObject.filter(harvest_job_id=first.job.id).all()
    }
    assert decisions["LT-0101"]["match"].startswith("bản ghi mới")
    assert " / new record" in decisions["LT-0101"]["match"]

    second = run_job(source)
    assert set(second.statuses().values()) == {"not modified"}, second.statuses()

    register.serve("spreadsheets/company-register-keyed-row-deleted.csv")
    third = run_job(source)
    assert third.statuses() == {
        "LT-0101": "not modified",
        "LT-0102": "not modified",
        "LT-0103": "withdrawn" if "withdrawn" in third.statuses().values() else "updated",
    }, (third.statuses(), third.gather_errors)
    records = _by_title()
    assert records["Homestay Cỏ Hạnh"]["operating_status"] == "withdrawn"
    assert records["Khách sạn Hoàng Hôn A"]["operating_status"] == "operating"
    assert records["Khách sạn Hoàng Hôn B"]["operating_status"] == "operating"

    register.serve("spreadsheets/company-register-keyed-address-changed.csv")
    fourth = run_job(source)
    changed = {guid: s for guid, s in fourth.statuses().items() if s != "not modified"}
    assert changed == {"LT-0101": "updated"}, fourth.statuses()
    assert _by_title()["Khách sạn Hoàng Hôn A"]["street_address"].startswith("22 Trần Phú")
    assert len(_active_accommodations()) == 3


def _eighty_rows(skip: set[int] = frozenset()) -> bytes:
    lines = ["Tên cơ sở,Địa chỉ,Loại hình,Số phòng,Mã số doanh nghiệp,Kinh độ,Vĩ độ"]
    for n in range(1, 81):
        if n in skip:
            continue
        code = f"42{n % 7:08d}"  # seven companies run the 80 establishments
        lines.append(
            f'Cơ sở lưu trú số {n},"{n} Trần Phú, phường Nha Trang",Khách sạn,{10 + n},'
            f"{code},{109.15 + n / 1000:.4f},{12.2 + n / 1000:.4f}"
        )
    return ("\r\n".join(lines) + "\r\n").encode()


@pytest.mark.usefixtures("with_plugins", "clean_db")
@pytest.mark.parametrize("publish", ["direct", "review"])
def test_rows_removed_from_the_middle_withdraw_only_those(register, publish):
    from ckanext.khtourism.workflow.model import PendingRevision

    org = factories.Organization()
    curator = factories.Sysadmin()
    register.reply_override = Reply(_eighty_rows(), 200, "text/csv")
    source = create_source(
        "khtourism_spreadsheet",
        register.url,
        {"record_type": "accommodation", "publish": publish},
        owner_org=org["id"],
    )
    first = run_job(source)
    assert sorted(set(first.statuses().values())) == ["added"], first.object_errors()
    assert len(first.objects) == 80
    if publish == "review":
        for outcome in first.objects.values():
            helpers.call_action(
                "khtourism_record_approve", {"user": curator["name"]}, id=outcome["package_id"]
            )
    before = _modified_times()

    register.reply_override = Reply(_eighty_rows(skip={40, 41}), 200, "text/csv")
    second = run_job(source)
    touched = {guid: s for guid, s in second.statuses().items() if s != "not modified"}
    assert len(touched) == 2, touched
    removed = {first.objects[guid]["package_id"] for guid in touched}
    titles = {_show(pid)["title"] for pid in removed}
    assert titles == {"Cơ sở lưu trú số 40", "Cơ sở lưu trú số 41"}
    pending = model.Session.query(PendingRevision).filter_by(state="pending").all()
    if publish == "review":
        # the withdrawals wait for a curator; nothing else does
        assert {p.package_id for p in pending} == removed
        for p in pending:
            assert p.proposed["data_dict"]["operating_status"] == "withdrawn"
    else:
        assert pending == []
        assert {_show(pid)["operating_status"] for pid in removed} == {"withdrawn"}
    after = _modified_times()
    assert len(after) == 80
    assert {pid: after[pid] for pid in before if pid not in removed} == {
        pid: modified for pid, modified in before.items() if pid not in removed
    }


def _arcgis_layer(fixture_server, path: str, features: list[dict], oid_field="OBJECTID") -> str:
    layer = {
        "name": "Cơ sở lưu trú",
        "objectIdField": oid_field,
        "maxRecordCount": 1000,
        "advancedQueryCapabilities": {"supportsPagination": True},
        "extent": {"spatialReference": {"wkid": 4326}},
        "fields": [
            {"name": oid_field, "type": "esriFieldTypeOID"},
            {"name": "TEN", "type": "esriFieldTypeString"},
            {"name": "DIA_CHI", "type": "esriFieldTypeString"},
            {"name": "MA_DN", "type": "esriFieldTypeString"},
        ],
    }
    state = {"features": features}
    fixture_server.handler(path, lambda _q: Reply(json.dumps(layer).encode()))
    fixture_server.handler(
        path + "/query",
        lambda _q: Reply(
            json.dumps(
                {
                    "spatialReference": {"wkid": 4326},
                    "features": state["features"],
                    "exceededTransferLimit": False,
                }
            ).encode()
        ),
    )
    url = fixture_server.url(path)
    return url, state


def _feature(oid, name, address, code, lon, lat) -> dict:
    attributes = {"TEN": name, "DIA_CHI": address, "MA_DN": code}
    if oid is not None:
        attributes["OBJECTID"] = oid
    return {"attributes": attributes, "geometry": {"x": lon, "y": lat}}


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_arcgis_features_without_their_id_are_errors_and_nothing_is_withdrawn(fixture_server):
    org = factories.Organization()
    features = [
        _feature(n, f"Khách sạn {n}", f"{n} Trần Phú", f"42000000{n:02d}", 109.19, 12.24 + n / 100)
        for n in range(1, 6)
    ]
    url, state = _arcgis_layer(
        fixture_server, "/arcgis/rest/services/LuuTru/FeatureServer/0", features
    )
    source = create_source(
        "khtourism_arcgis",
        url,
        GIS_CONFIG,
        owner_org=org["id"],
    )
    first = run_job(source)
    assert first.statuses() == dict.fromkeys("12345", "added"), first.object_errors()
    # the next page lacks the id field on four features out of five
    state["features"] = [features[0]] + [
        _feature(None, f"Khách sạn {n}", f"{n} Trần Phú", f"42000000{n:02d}", 109.19, 12.3)
        for n in range(2, 6)
    ]
    second = run_job(source)
    assert "None" not in second.objects
    missing = [e for e in second.gather_errors if "no identifier" in e]
    assert len(missing) == 4, second.gather_errors
    assert any("NOT withdrawn" in e for e in second.gather_errors), (
        second.gather_errors,
        second.objects,
    )
    assert all(p.extras.get("operating_status") == "operating" for p in _active_accommodations())
    assert len(_active_accommodations()) == 5


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_same_establishment_from_a_register_and_an_arcgis_layer(register, fixture_server):
    from ckanext.khtourism.harvesters import matching as harvest_matching

    # both sources of the Department: an import only updates records its own organization
    # owns (docs/security.md, "Roles × actions")
    department = factories.Organization()
    register.serve("spreadsheets/company-register.csv")
    run_job(
        create_source(
            "khtourism_spreadsheet", register.url, DIRECT, owner_org=department["id"], name="so-dk"
        )
    )
    hotel_a = _by_title()["Khách sạn Hoàng Hôn A"]
    sao_bien = _by_title()["Nhà nghỉ Sao Biển"]
    features = [
        # identifier + point (within 50 m) agree: the same hotel
        _feature(11, "KS Hoàng Hôn A", "20 Trần Phú, Nha Trang", "4209876543", 109.1962, 12.2401),
        # only the name agrees (no identifier, 30 m away): a duplicate candidate
        _feature(12, "Nhà nghỉ Sao Biển", "15 Biệt Thự", None, 109.1942, 12.2392),
    ]
    url, _state = _arcgis_layer(
        fixture_server, "/arcgis/rest/services/GIS/FeatureServer/0", features
    )
    result = run_job(
        create_source(
            "khtourism_arcgis",
            url,
            GIS_CONFIG,
            owner_org=department["id"],
            name="gis-luu-tru",
        )
    )
    assert result.objects["11"]["package_id"] == hotel_a["id"], (
        result.objects,
        result.gather_errors,
    )
    provenances = harvest_matching.provenances(hotel_a["id"])
    assert {p["source_name"] for p in provenances} == {"so-dk", "gis-luu-tru"}
    assert len(_active_accommodations()) == 5  # 4 from the register + the name-only one
    candidate = result.objects["12"]["package_id"]
    assert candidate != sao_bien["id"], _decisions(result)
    decisions = _decisions(result)
    # Vietnamese first, then English (core/messages.py)
    assert decisions["11"].startswith("khớp theo enterprise_code=4209876543 + vị trí cách")
    assert " / matched by enterprise_code=4209876543 + a point" in decisions["11"]
    assert "duplicate candidate" in decisions["12"]
    # a candidate waits in the curators' queue, whatever the source's "publish" says
    assert _show(candidate)["workflow_state"] == "submitted"
    assert _show(hotel_a["id"])["establishment_id"].startswith("KH-LT-")
    pairs = helpers.call_action("khtourism_duplicate_list", {"user": factories.Sysadmin()["name"]})[
        "results"
    ]
    assert any({p["a"]["id"], p["b"]["id"]} == {candidate, sao_bien["id"]} for p in pairs), pairs


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_the_job_report_shows_the_match_decisions(app, register):
    org = factories.Organization()
    sysadmin = factories.Sysadmin()
    register.serve("spreadsheets/company-register-keyed.csv")
    source = create_source("khtourism_spreadsheet", register.url, KEYED, owner_org=org["id"])
    result = run_job(source)
    page = app.get(
        f"/harvest/{source['name']}/job/{result.job.id}",
        headers={"Authorization": _token(sysadmin)},
    )
    assert page.status_code == 200
    assert "Match decisions" in page.body or "Quyết định đối chiếu" in page.body
    assert "new record" in page.body and "LT-0101" in page.body


def _token(user: dict) -> str:
    return helpers.call_action(
        "api_token_create", {"user": user["name"]}, user=user["name"], name="test"
    )["token"]


@pytest.mark.usefixtures("with_plugins", "clean_db")
@pytest.mark.ckan_config("ckanext.khtourism.matching.point_tolerance_m", "10")
@pytest.mark.ckan_config("ckanext.khtourism.duplicates.name_radius_m", "20")
def test_narrower_matching_settings_change_the_decisions(register, fixture_server):
    """The same layer as above, with point tolerance 10 m and name radius 20 m: the hotel
    24 m away is another establishment of the same business, the guesthouse 31 m away is
    no duplicate candidate (defaults, 50 m / 100 m: matched / candidate, test above)."""
    department = factories.Organization()
    register.serve("spreadsheets/company-register.csv")
    run_job(
        create_source(
            "khtourism_spreadsheet", register.url, DIRECT, owner_org=department["id"], name="so-dk"
        )
    )
    hotel_a = _by_title()["Khách sạn Hoàng Hôn A"]
    features = [
        _feature(11, "KS Hoàng Hôn A", "20 Trần Phú, Nha Trang", "4209876543", 109.1962, 12.2401),
        _feature(12, "Nhà nghỉ Sao Biển", "15 Biệt Thự", None, 109.1942, 12.2392),
    ]
    url, _state = _arcgis_layer(
        fixture_server, "/arcgis/rest/services/GIS/FeatureServer/0", features
    )
    result = run_job(
        create_source(
            "khtourism_arcgis", url, GIS_CONFIG, owner_org=department["id"], name="gis-luu-tru"
        )
    )
    decisions = _decisions(result)
    assert result.objects["11"]["package_id"] != hotel_a["id"], decisions
    assert decisions["11"].startswith("bản ghi mới: "), decisions
    assert " / new record: " in decisions["11"], decisions
    assert "but not the address or the point" in decisions["11"]
    assert "duplicate candidate" not in decisions["12"], decisions
    assert len(_active_accommodations()) == 6
    pairs = helpers.call_action("khtourism_duplicate_list", {"user": factories.Sysadmin()["name"]})[
        "results"
    ]
    assert not any("same name" in reason for p in pairs for reason in p["reasons"]), pairs


@pytest.mark.usefixtures("with_plugins", "clean_db")
@pytest.mark.parametrize("radius, listed", [(None, False), ("200", True)])
def test_the_duplicates_view_uses_the_name_radius_setting(ckan_config, monkeypatch, radius, listed):
    """Two hotels with one name 150 m apart: no pair at the default 100 m, a pair at 200 m."""
    if radius is not None:
        monkeypatch.setitem(ckan_config, "ckanext.khtourism.duplicates.name_radius_m", radius)
    sysadmin = factories.Sysadmin()
    org = factories.Organization()
    context = {"user": sysadmin["name"]}
    ids = []
    for name, lon in (("ks-mot-ten", 109.1960), ("ks-mot-ten-2", 109.19738)):
        record = helpers.call_action(
            "package_create",
            context,
            type="accommodation",
            name=name,
            title="Khách sạn Một Tên",
            owner_org=org["id"],
            accommodation_type="khach_san",
            spatial=json.dumps({"type": "Point", "coordinates": [lon, 12.2400]}),
        )
        ids.append(record["id"])
    pairs = helpers.call_action("khtourism_duplicate_list", context)["results"]
    same_name = [
        reason
        for p in pairs
        if {p["a"]["id"], p["b"]["id"]} == set(ids)
        for reason in p["reasons"]
        if reason.startswith("same name")
    ]
    assert same_name == (["same name, 150 m apart"] if listed else []), pairs


@pytest.mark.usefixtures("with_plugins", "clean_db")
@pytest.mark.parametrize("batch_size", ["100", "1"])
def test_harvested_records_get_their_commune_from_the_point(
    register, ckan_config, monkeypatch, batch_size
):
    """A register without a commune column: each record's commune is found from its point
    (the nearest of the shipped commune centres, flagged ``nearest_centre``), said in the
    decision log, and indexed for the commune filter; a commune the register gives (column
    ``Mã xã``) is kept. Batched and one-by-one imports alike."""
    monkeypatch.setitem(ckan_config, "ckanext.khtourism.harvest.import_batch_size", batch_size)
    org = factories.Organization()
    text = fixture_reply("spreadsheets/company-register.csv").body.decode("utf-8")
    lines = text.splitlines()
    # the register gives the homestay's commune itself
    lines[0] += ",Mã xã"
    lines[1:] = [line + (",22333" if "Cỏ Hạnh" in line else ",") for line in lines[1:]]
    register.reply_override = Reply(
        ("\n".join(lines) + "\n").encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    source = create_source("khtourism_spreadsheet", register.url, DIRECT, owner_org=org["id"])
    result = run_job(source)
    assert set(result.statuses().values()) == {"added"}, result.object_errors()
    records = _by_title()
    hotel = records["Khách sạn Hoàng Hôn A"]
    assert (hotel["admin_unit"], hotel["admin_unit_method"]) == ("22366", "nearest_centre")
    homestay = records["Homestay Cỏ Hạnh"]
    assert (homestay["admin_unit"], homestay["admin_unit_method"]) == ("22333", "")
    decisions = _decisions(result)
    by_package = {result.objects[guid]["package_id"]: text for guid, text in decisions.items()}
    assert "estimated from the point: the nearest commune centre" in by_package[hotel["id"]]
    assert "ước tính từ vị trí" in by_package[hotel["id"]]
    assert "commune" not in by_package[homestay["id"]]
    assert all(
        record["admin_unit"] and record["admin_unit_method"] == "nearest_centre"
        for title, record in records.items()
        if title != "Homestay Cỏ Hạnh"
    )
    found = helpers.call_action(
        "package_search", {"ignore_auth": True}, fq="admin_unit:22366", include_private=True
    )
    assert hotel["id"] in {r["id"] for r in found["results"]}
    again = run_job(source)
    assert set(again.statuses().values()) == {"not modified"}, again.object_errors()
