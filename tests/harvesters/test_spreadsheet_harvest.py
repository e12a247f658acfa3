"""Spreadsheet registers end to end: create, unchanged, update, withdrawn, review, duplicates,
faults — through the real harvest stages, action API, PostgreSQL and search engine."""

from __future__ import annotations

import json
import re

import pytest

import ckan.model as model
from ckan.tests import factories, helpers

from tests.harvesters.harvest_fixtures import Reply, create_source, fixture_reply, run_job

# Each establishment of these registers has its own enterprise code, so the column can be the
# source key (the default key of a register without one is name + address: test_identity.py).
ACCOMMODATION = {
    "record_type": "accommodation",
    "publish": "direct",
    "key_field": "enterprise_code",
}


def _show(package_id: str) -> dict:
    return helpers.call_action("package_show", id=package_id)


def _accommodations() -> list[model.Package]:
    return model.Session.query(model.Package).filter_by(type="accommodation", state="active").all()


@pytest.fixture
def register(fixture_server):
    """A register URL whose content the test switches: register.serve("file.csv")."""

    class Register:
        current = "spreadsheets/hotels-utf8.csv"
        reply_override: Reply | None = None

        def serve(self, relative: str) -> None:
            self.current = relative

    state = Register()
    url = fixture_server.handler(
        "/so-du-lich/co-so-luu-tru.csv",
        lambda _q: state.reply_override or fixture_reply(state.current),
    )
    state.url = url
    return state


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_create_then_unchanged_then_update_and_withdraw(register):
    org = factories.Organization(name="so-vhttdl")
    source = create_source(
        "khtourism_spreadsheet",
        register.url,
        ACCOMMODATION,
        owner_org=org["id"],
        name="so-dang-ky-luu-tru",
    )

    first = run_job(source)
    assert first.job.status == "Finished"
    assert first.statuses() == {
        "4201234567": "added",
        "4201234568": "added",
        "4201234569": "added",
    }, first.object_errors()
    hotel = _show(first.objects["4201234567"]["package_id"])
    assert hotel["type"] == "accommodation"
    assert hotel["title"] == "Khách sạn Biển Xanh"
    assert hotel["accommodation_type"] == "khach_san"
    assert hotel["star_rating"] == "4"
    assert str(hotel["rooms"]) == "120"
    assert hotel["operating_status"] == "operating"
    assert json.loads(hotel["spatial"]) == {"type": "Point", "coordinates": [109.1967, 12.2431]}
    # provenance
    assert hotel["source_name"] == "so-dang-ky-luu-tru"
    assert hotel["source_record_id"] == "4201234567"
    assert hotel["source_url"] == register.url  # the register itself: rows move
    assert hotel["harvested_at"].startswith("20")
    # published directly
    assert hotel["workflow_state"] == "published" and hotel["private"] is False
    assert _show(first.objects["4201234568"]["package_id"])["rooms"] in (1200, "1200")

    second = run_job(source)
    assert set(second.statuses().values()) == {"not modified"}
    assert _show(hotel["id"])["metadata_modified"] == hotel["metadata_modified"]

    register.serve("spreadsheets/hotels-updated.csv")
    third = run_job(source)
    assert third.statuses() == {
        "4201234567": "updated",
        "4201234568": "not modified",
        "4201234569": "withdrawn",  # counted apart from updates
    }, third.object_errors()
    stats = helpers.call_action("harvest_job_show", id=third.job.id)["stats"]
    assert (stats["updated"], stats["withdrawn"]) == (1, 1), stats
    assert str(_show(hotel["id"])["rooms"]) == "125"
    gone = _show(first.objects["4201234569"]["package_id"])
    assert gone["state"] == "active"  # not deleted…
    assert gone["operating_status"] == "withdrawn"  # …withdrawn
    assert len(_accommodations()) == 3

    fourth = run_job(source)  # nothing changed since: nothing is written
    assert set(fourth.statuses().values()) == {"not modified"}, fourth.statuses()


@pytest.mark.usefixtures("with_plugins", "clean_db")
@pytest.mark.parametrize(
    "name", ["hotels-utf8-bom.csv", "hotels-utf16.csv", "hotels-cp1258.csv", "hotels.xlsx"]
)
def test_every_encoding_lands_as_the_same_records(register, name):
    org = factories.Organization()
    register.serve(f"spreadsheets/{name}")
    result = run_job(
        create_source("khtourism_spreadsheet", register.url, ACCOMMODATION, owner_org=org["id"])
    )
    titles = sorted(_show(o["package_id"])["title"] for o in result.objects.values())
    assert titles == ["Khách sạn Biển Xanh", "Khách sạn Hòn Chồng", "Nhà nghỉ Đồi Dừa"]
    addresses = {_show(o["package_id"])["street_address"] for o in result.objects.values()}
    assert "5 Phạm Văn Đồng, phường Bắc Nha Trang" in addresses


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_review_queue_option_creates_submitted_private_records(register):
    org = factories.Organization()
    result = run_job(
        create_source(
            "khtourism_spreadsheet",
            register.url,
            {"record_type": "accommodation", "publish": "review"},
            owner_org=org["id"],
        )
    )
    assert len(result.objects) == 3
    for outcome in result.objects.values():
        record = _show(outcome["package_id"])
        assert record["workflow_state"] == "submitted"
        assert record["private"] is True


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_same_business_from_two_sources_is_matched_and_conflicts_reported(fixture_server, register):
    """Two sources of one organization (the Department's register and the tourism
    association's member list it harvests): matched, gaps filled, conflicts reported. (A
    source of *another* organization never touches the record:
    tests/harvesters/test_harvest_authorization.py.)"""
    department = factories.Organization()
    association = department
    run_job(
        create_source(
            "khtourism_spreadsheet",
            register.url,
            ACCOMMODATION,
            owner_org=department["id"],
            name="so-vhttdl-luu-tru",
        )
    )
    other_url = fixture_server.file("/hiep-hoi/hoi-vien.csv", "spreadsheets/association.csv")
    other = create_source(
        "khtourism_spreadsheet",
        other_url,
        ACCOMMODATION,
        owner_org=association["id"],
        name="hiep-hoi-du-lich",
    )
    result = run_job(other)
    assert len(_accommodations()) == 3  # matched, not duplicated
    outcome = result.objects["4201234567"]
    record = _show(outcome["package_id"])
    assert record["source_name"] == "so-vhttdl-luu-tru"  # first source keeps provenance
    assert record["title"] == "Khách sạn Biển Xanh"  # conflicting values are not overwritten
    (conflict,) = outcome["errors"]
    assert "matched existing record" in conflict and "enterprise_code=4201234567" in conflict
    assert re.search(r"rooms: record has '?120'?, this source '?118'?", conflict), conflict
    assert "phone" in conflict and "title" in conflict

    again = run_job(other)
    assert again.statuses() == {"4201234567": "not modified"}


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_bad_rows_are_reported_by_row_and_nothing_is_withdrawn(register):
    org = factories.Organization()
    source = create_source(
        "khtourism_spreadsheet", register.url, ACCOMMODATION, owner_org=org["id"]
    )
    run_job(source)
    register.serve("spreadsheets/hotels-bad-rows.csv")
    result = run_job(source)
    assert result.job.status == "Finished"
    assert result.statuses()["4201234567"] == "not modified"
    assert result.statuses()["4201234568"] == "errored"
    (error,) = result.objects["4201234568"]["errors"]
    assert error.startswith("row 3: column 'Số phòng' = 'mười hai': is not a whole number")
    assert any(
        e.startswith("dòng 4: không có mã định danh") and " / row 4: no identifier" in e
        for e in result.gather_errors
    ), result.gather_errors
    assert any(
        "NOT withdrawn because the listing was incomplete" in e for e in result.gather_errors
    )
    for package in _accommodations():
        assert package.extras.get("operating_status") == "operating"
    assert str(_show(result.objects["4201234568"]["package_id"])["rooms"]) == "1200"


@pytest.mark.usefixtures("with_plugins", "clean_db")
@pytest.mark.parametrize(
    "fault, message",
    [
        (Reply(b"<h1>503 Service Unavailable</h1>", 503, "text/html"), "HTTP 503"),
        (Reply(b"Ten,Dia chi\r\n", delay=3), "timed out after 1 s"),
        ("truncated-connection", "truncated"),
        ("truncated-xlsx", "malformed or truncated XLSX"),
        (Reply(b"", 200, "text/csv"), "the file is empty"),
    ],
)
def test_source_faults_end_the_job_and_keep_published_records(register, fault, message):
    org = factories.Organization()
    source = create_source(
        "khtourism_spreadsheet", register.url, dict(ACCOMMODATION, timeout=1), owner_org=org["id"]
    )
    before = {o["package_id"]: _show(o["package_id"]) for o in run_job(source).objects.values()}
    if fault == "truncated-connection":
        register.reply_override = fixture_reply("spreadsheets/hotels-utf8.csv", truncate=True)
    elif fault == "truncated-xlsx":
        register.serve("spreadsheets/hotels-truncated.xlsx")
    else:
        register.reply_override = fault
    result = run_job(source)
    assert result.job.status == "Finished"
    assert result.objects == {}
    assert any(message in e for e in result.gather_errors), result.gather_errors
    for package_id, record in before.items():
        after = _show(package_id)
        assert after["metadata_modified"] == record["metadata_modified"]
        assert after["operating_status"] == "operating" and after["private"] is False


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_empty_register_withdraws_nothing_unless_allowed(register, fixture_server):
    org = factories.Organization()
    source = create_source(
        "khtourism_spreadsheet", register.url, ACCOMMODATION, owner_org=org["id"]
    )
    run_job(source)
    register.reply_override = Reply("Tên cơ sở,Mã số doanh nghiệp\r\n".encode(), 200, "text/csv")
    result = run_job(source)
    assert any("returned no records: nothing withdrawn" in e for e in result.gather_errors)
    assert all(p.extras.get("operating_status") == "operating" for p in _accommodations())


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_invalid_record_is_rejected_whole_with_the_field_named(register):
    org = factories.Organization()
    register.reply_override = Reply(
        "Tên cơ sở,Loại hình,Hạng sao,Mã số doanh nghiệp\r\n"
        "Homestay Bãi Dài,Homestay,5 sao,4209999999\r\n".encode(),
        200,
        "text/csv",
    )
    result = run_job(
        create_source("khtourism_spreadsheet", register.url, ACCOMMODATION, owner_org=org["id"])
    )
    assert result.statuses() == {"4209999999": "errored"}
    (error,) = result.objects["4209999999"]["errors"]
    assert error.startswith("row 2: invalid record: star_rating")
    assert _accommodations() == []


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_bad_configuration_is_refused_with_the_key_named(register):
    org = factories.Organization()
    with pytest.raises(Exception) as raised:
        create_source(
            "khtourism_spreadsheet",
            register.url,
            {"record_type": "accommodation", "publish": "sometimes"},
            owner_org=org["id"],
        )
    # in the portal's default language outside a request: "publish: “sometimes” không phải …"
    assert "publish: “sometimes”" in str(raised.value)


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_register_uploaded_as_a_ckan_resource(fixture_server):
    import io

    from werkzeug.datastructures import FileStorage

    from tests.harvesters.harvest_fixtures import FIXTURES

    org = factories.Organization()
    sysadmin = factories.Sysadmin()
    holder = factories.Dataset(owner_org=org["id"])
    upload = FileStorage(
        io.BytesIO((FIXTURES / "spreadsheets/hotels.xlsx").read_bytes()),
        filename="co-so-luu-tru.xlsx",
    )
    resource = helpers.call_action(
        "resource_create",
        {"user": sysadmin["name"]},
        package_id=holder["id"],
        upload=upload,
        url="co-so-luu-tru.xlsx",
    )
    result = run_job(
        create_source(
            "khtourism_spreadsheet",
            resource["url"],
            dict(ACCOMMODATION, resource_id=resource["id"]),
            owner_org=org["id"],
        )
    )
    assert sorted(result.statuses().values()) == ["added"] * 3, result.gather_errors
    record = _show(result.objects["4201234568"]["package_id"])
    assert record["title"] == "Khách sạn Hòn Chồng"
    assert record["source_url"] == resource["url"]


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_review_source_changes_to_published_records_wait_as_pending_revisions(register):
    from ckanext.khtourism.workflow.model import PendingRevision

    org = factories.Organization()
    curator = factories.Sysadmin()
    source = create_source(
        "khtourism_spreadsheet",
        register.url,
        dict(ACCOMMODATION, publish="review"),
        owner_org=org["id"],
    )
    hotel_id = run_job(source).objects["4201234567"]["package_id"]
    helpers.call_action("khtourism_record_approve", {"user": curator["name"]}, id=hotel_id)
    assert _show(hotel_id)["workflow_state"] == "published"

    register.serve("spreadsheets/hotels-updated.csv")
    result = run_job(source)
    assert result.statuses()["4201234567"] == "updated", result.object_errors()
    public = _show(hotel_id)
    assert str(public["rooms"]) == "120"  # the approved version stays public…
    pending = PendingRevision.pending_for(hotel_id)
    assert pending is not None  # …until a curator approves the harvested change
    assert '"rooms": 125' in pending.data or '"rooms": "125"' in pending.data
    helpers.call_action("khtourism_record_approve", {"user": curator["name"]}, id=hotel_id)
    assert str(_show(hotel_id)["rooms"]) == "125"
    assert set(run_job(source).statuses().values()) <= {"not modified", "updated"}
