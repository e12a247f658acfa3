"""Who may harvest, what a business's source may do, and who reads harvest surfaces
(issue 14, "curation can be bypassed through harvesting").

Roles: anonymous, another business (member_b), the owning business (member_a), a curator
and a sysadmin (tests/record_fixtures.py), through the HTTP action API and pages with each
role's API token. Harvest sources and jobs run for real (local HTTP server, the harvest
stages in this process).
"""

from __future__ import annotations

import json

import pytest

import ckan.model as model
from ckan.tests import helpers

from tests.harvesters.harvest_fixtures import Reply, create_source, run_job

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

ROLES = ("anonymous", "member_b", "member_a", "curator", "sysadmin")
Y, N = True, False
BUSINESS_SOURCES = "ckanext.khtourism.harvest.business_sources"
REVIEWED_HOTELS = {"record_type": "accommodation", "publish": "review"}


def _post(app, world, role, action, data):
    person = world.person(role)
    headers = person.headers if person else {}
    response = app.post(f"/api/3/action/{action}", json=data, headers=headers)
    return response.status_code, response.json


def _get(app, world, role, url):
    person = world.person(role)
    return app.get(url, headers=person.headers if person else {}, follow_redirects=False)


@pytest.fixture
def hotels_url(fixture_server):
    return fixture_server.file("/so-du-lich/co-so-luu-tru.csv", "spreadsheets/hotels-utf8.csv")


def _source_data(world, url, name, owner="a", config=None, source_type="khtourism_spreadsheet"):
    org = {"a": world.business_a, "b": world.business_b, "curator": world.curator_org}[owner]
    return {
        "name": name,
        "title": name,
        "url": url,
        "source_type": source_type,
        "config": json.dumps(config if config is not None else REVIEWED_HOTELS),
        "owner_org": org["id"],
        "frequency": "MANUAL",
    }


def _accommodations() -> list[model.Package]:
    return model.Session.query(model.Package).filter_by(type="accommodation", state="active").all()


# --- who may create and configure sources -----------------------------------------------------
def test_a_business_cannot_create_a_harvest_source_by_default(app, world, hotels_url):
    for action, extra in (("harvest_source_create", {}), ("package_create", {"type": "harvest"})):
        data = dict(_source_data(world, hotels_url, f"nguon-b-{action}", owner="b"), **extra)
        status, body = _post(app, world, "member_b", action, data)
        assert status == 403, (action, body)
    assert not model.Session.query(model.Package).filter_by(type="harvest").count()
    # curators may (in the Department's organization)
    status, body = _post(
        app,
        world,
        "curator",
        "harvest_source_create",
        _source_data(world, hotels_url, "nguon-so", owner="curator"),
    )
    assert status == 200, body


@pytest.mark.ckan_config(BUSINESS_SOURCES, "true")
def test_a_business_source_is_review_only_own_types_and_own_organization(app, world, hotels_url):
    def create(name, **kwargs):
        return _post(
            app,
            world,
            "member_b",
            "harvest_source_create",
            _source_data(world, hotels_url, name, **kwargs),
        )

    status, body = create("truc-tiep", owner="b", config={**REVIEWED_HOTELS, "publish": "direct"})
    assert status == 409, body
    (message,) = body["error"]["config"]
    assert "publish" in message and "review" in message and "direct" in message

    status, body = create("di-tich", owner="b", config={"record_type": "heritage-site"})
    assert status == 409 and "record_type" in body["error"]["config"][0], body
    status, body = create("bo-du-lieu", owner="b", config={})  # plain datasets
    assert status == 409 and "record_type" in body["error"]["config"][0], body
    status, body = create("ckan-thuong", owner="b", config={}, source_type="ckan")
    assert status == 409 and "source_type" in body["error"], body
    status, body = create("cua-a", owner="a")  # another business's organization
    assert status == 403, body

    status, body = create("nguon-b", owner="b")
    assert status == 200, body
    source = body["result"]
    # switching an existing source to direct publishing is refused too, by every write path
    for action in ("harvest_source_patch", "package_patch"):
        status, body = _post(
            app,
            world,
            "member_b",
            action,
            {"id": source["id"], "config": json.dumps({**REVIEWED_HOTELS, "publish": "direct"})},
        )
        assert status == 409 and "publish" in body["error"]["config"][0], (action, body)
    # another business may not touch it
    status, _ = _post(app, world, "member_a", "harvest_source_patch", {"id": source["id"]})
    assert status == 403

    # a curator may set it to direct; a source a business created still imports for review
    status, body = _post(
        app,
        world,
        "curator",
        "harvest_source_patch",
        {"id": source["id"], "config": json.dumps({**REVIEWED_HOTELS, "publish": "direct"})},
    )
    assert status == 200, body
    result = run_job(source)
    assert set(result.statuses().values()) == {"added"}, result.objects
    for outcome in result.objects.values():
        record = helpers.call_action("package_show", id=outcome["package_id"])
        assert (record["workflow_state"], record["private"]) == ("submitted", True)
        assert record["owner_org"] == world.business_b["id"]
    # … and the anonymous API sees none of them
    public = helpers.call_action(
        "package_search", {"user": "", "ignore_auth": False}, fq="dataset_type:accommodation"
    )
    assert public["count"] == 0


@pytest.mark.ckan_config(BUSINESS_SOURCES, "true")
def test_a_business_source_changing_a_url_keeps_a_curators_direct_config_refused(
    app, world, hotels_url
):
    """A curator's direct-publishing source in a business's organization: the business may
    not keep it direct by changing only its URL (the configuration it leaves counts)."""
    helpers.call_action(
        "harvest_source_create",
        {"user": world.person("sysadmin").name},
        **_source_data(
            world,
            hotels_url,
            "nguon-cua-so",
            owner="b",
            config={**REVIEWED_HOTELS, "publish": "direct"},
        ),
    )
    status, body = _post(
        app,
        world,
        "member_b",
        "harvest_source_patch",
        {"id": "nguon-cua-so", "url": hotels_url + "?moi=1"},
    )
    assert status == 409, body
    assert "config" in body["error"]


# --- what an import may change ----------------------------------------------------------------
def _published(world, **overrides):
    record = world.create("member_a", "accommodation", **overrides)
    world.call("member_a", "khtourism_record_submit", id=record["id"])
    world.call("curator", "khtourism_record_approve", id=record["id"])
    return world.call("member_a", "package_show", id=record["id"])


def test_another_organizations_source_never_changes_a_published_record(world, fixture_server):
    """B's source (whoever configured it, even with publish: direct) matches A's published
    record by its enterprise code: an object error, nothing written, no value of A quoted."""
    mine = _published(world, name="ks-cua-a", title_en="", website="")
    # the same enterprise code at the same address: the row is A's establishment (matching,
    # docs/harvesting.md "Identity and matching")
    csv = (
        "Tên cơ sở,Tên tiếng Anh,Mã số doanh nghiệp,Địa chỉ,Website,Loại hình\r\n"
        f"KS PWNED,PWNED-by-B,4201234567,{mine['street_address']},"
        "https://evil.example/phish,Khách sạn\r\n"
    )
    url = fixture_server.handler(
        "/b/hotels.csv", lambda _q: Reply(csv.encode(), 200, "text/csv; charset=utf-8")
    )
    config = {
        "record_type": "accommodation",
        "publish": "direct",
        "mapping": {"Tên tiếng Anh": "title_en", "Website": "website"},
    }
    source = create_source(
        "khtourism_spreadsheet", url, config, owner_org=world.business_b["id"], name="nguon-b"
    )
    result = run_job(source)

    after = world.call("curator", "package_show", id=mine["id"])
    assert not after.get("title_en") and not after.get("website")
    assert after["metadata_modified"] == mine["metadata_modified"]
    assert [p.id for p in _accommodations()] == [mine["id"]]  # nothing created either
    (outcome,) = result.objects.values()
    assert outcome["state"] == "ERROR" and outcome["package_id"] in (None, "")
    (error,) = outcome["errors"]
    assert "enterprise_code=4201234567" in error and "another organization" in error
    for value in (mine["name"], mine["title"], mine["phone"], mine["street_address"]):
        assert value not in error
    from ckanext.khtourism.workflow.model import PendingRevision

    assert PendingRevision.pending_for(mine["id"]) is None


def test_a_source_only_updates_its_own_organizations_records(world, fixture_server):
    """The same register as two sources of one organization still fills gaps (the matching
    feature); a record moved to another organization is no longer updated by the source."""
    register = fixture_server.file("/a/hotels.csv", "spreadsheets/hotels-utf8.csv")
    source = create_source(
        "khtourism_spreadsheet",
        register,
        # keyed by enterprise code (the register's default key is name + address)
        {"record_type": "accommodation", "publish": "direct", "key_field": "enterprise_code"},
        owner_org=world.business_a["id"],
        name="nguon-a",
    )
    first = run_job(source)
    moved_id = first.objects["4201234567"]["package_id"]
    # a curator moves the record to business B
    helpers.call_action(
        "package_owner_org_update",
        {"user": world.person("sysadmin").name},
        id=moved_id,
        organization_id=world.business_b["id"],
    )
    fixture_server.file("/a/hotels.csv", "spreadsheets/hotels-updated.csv")
    second = run_job(source)
    assert second.objects["4201234567"]["state"] == "ERROR"
    assert "another organization" in second.objects["4201234567"]["errors"][0]
    moved = helpers.call_action("package_show", id=moved_id)
    assert moved["rooms"] == "120"  # hotels-updated.csv says 125: not applied
    assert moved["operating_status"] != "withdrawn"


@pytest.mark.ckan_config(BUSINESS_SOURCES, "true")
def test_a_business_source_filling_gaps_of_its_published_record_waits_for_review(
    world, fixture_server
):
    """_merge_into_other: gaps a business's source fills in a published record become a
    pending revision, not a direct change of the public record."""
    mine = _published(world, name="ks-cua-a", website="", owner="a")
    # the same enterprise code at the same address: this establishment (matching)
    csv = (
        "Tên cơ sở,Mã số doanh nghiệp,Địa chỉ,Website,Loại hình\r\n"
        f"KS A,4201234567,{mine['street_address']},https://a.example,Khách sạn\r\n"
    )
    url = fixture_server.handler(
        "/a/hotels.csv", lambda _q: Reply(csv.encode(), 200, "text/csv; charset=utf-8")
    )
    source = helpers.call_action(
        "harvest_source_create",
        {"user": world.person("member_a").name},
        name="nguon-a",
        title="Nguồn A",
        url=url,
        source_type="khtourism_spreadsheet",
        config=json.dumps({**REVIEWED_HOTELS, "mapping": {"Website": "website"}}),
        owner_org=world.business_a["id"],
        frequency="MANUAL",
    )
    run_job(source)
    public = helpers.call_action("package_show", {"user": "", "ignore_auth": False}, id=mine["id"])
    assert not public.get("website")
    from ckanext.khtourism.workflow.model import PendingRevision

    revision = PendingRevision.pending_for(mine["id"])
    assert revision is not None
    assert revision.proposed["proposed_values"]["website"] == "https://a.example"


@pytest.mark.ckan_config(BUSINESS_SOURCES, "true")
def test_a_business_source_edited_to_heritage_sites_gathers_nothing(world, hotels_url):
    source = helpers.call_action(
        "harvest_source_create",
        {"user": world.person("member_a").name},
        **_source_data(world, hotels_url, "nguon-a"),
    )
    # a curator (or a bug) turns it into a heritage-site source: the import refuses it
    from ckanext.harvest.model import HarvestSource

    stored = HarvestSource.get(source["id"])
    stored.config = json.dumps({"record_type": "heritage-site"})
    model.Session.commit()
    result = run_job(source)
    assert not result.objects
    assert any("heritage-site" in error for error in result.gather_errors), result.gather_errors
    assert not model.Session.query(model.Package).filter_by(type="heritage-site").count()


# --- who reads harvest surfaces ----------------------------------------------------------------
class HarvestScene:
    """Business A's source (created by a sysadmin), run once: a job, objects, an error."""

    def __init__(self, world, fixture_server):
        csv = (
            "Tên cơ sở,Số phòng,Mã số doanh nghiệp,Loại hình\r\n"
            "KS Một,12,4201111111,Khách sạn\r\n"
            "KS Hai,mười,4201111112,Khách sạn\r\n"
        )
        url = fixture_server.handler(
            "/a/register.csv", lambda _q: Reply(csv.encode(), 200, "text/csv; charset=utf-8")
        )
        self.source = helpers.call_action(
            "harvest_source_create",
            {"user": world.person("sysadmin").name},
            **_source_data(world, url, "nguon-a-bi-mat"),
        )
        from ckanext.harvest.model import HarvestObject

        self.result = run_job(self.source)
        self.job_id = self.result.job.id
        self.object_id = (
            model.Session.query(HarvestObject)
            .filter_by(harvest_job_id=self.job_id, current=True)
            .first()
            .id
        )
        assert self.result.object_errors()  # the report has something to hide


READ_ACTIONS = {
    # action -> (data, expected per role in ROLES order: anonymous, B, A, curator, sysadmin)
    "harvest_source_list": (lambda s: {}, (N, N, Y, Y, Y)),
    "harvest_source_show": (lambda s: {"id": s.source["id"]}, (N, N, Y, Y, Y)),
    "harvest_source_show_status": (lambda s: {"id": s.source["id"]}, (N, N, Y, Y, Y)),
    "package_show": (lambda s: {"id": s.source["id"]}, (N, N, Y, Y, Y)),
    "package_search": (lambda s: {"fq": "dataset_type:harvest"}, (N, N, Y, Y, Y)),
    "harvest_job_list": (lambda s: {"source_id": s.source["id"]}, (N, N, Y, Y, Y)),
    "harvest_job_show": (lambda s: {"id": s.job_id}, (N, N, Y, Y, Y)),
    "harvest_job_report": (lambda s: {"id": s.job_id}, (N, N, Y, Y, Y)),
    "harvest_object_list": (lambda s: {"source_id": s.source["id"]}, (N, N, Y, Y, Y)),
    "harvest_object_list (all sources)": (lambda s: {}, (N, N, N, Y, Y)),
    "harvest_object_show": (lambda s: {"id": s.object_id}, (N, N, Y, Y, Y)),
    "harvest_job_list (all sources)": (lambda s: {}, (N, N, N, Y, Y)),
    "harvest_log_list": (lambda s: {}, (N, N, N, Y, Y)),
    # the installed harvester types: public, harmless
    "harvesters_info_show": (lambda s: {}, (Y, Y, Y, Y, Y)),
}


def _read(app, world, scene, operation, role) -> bool:
    action = operation.split(" ")[0]
    data, _expected = READ_ACTIONS[operation]
    status, body = _post(app, world, role, action, data(scene))
    if status != 200:
        return False
    result = body["result"]
    if action in ("harvest_source_list",):
        return any(source["id"] == scene.source["id"] for source in result)
    if action == "package_search":
        return any(pkg["id"] == scene.source["id"] for pkg in result["results"])
    if action in ("harvest_object_list",):
        return scene.object_id in result
    if action == "harvest_job_list":
        return any(job["id"] == scene.job_id for job in result)
    return True


def test_harvest_read_actions_by_role(app, world, fixture_server):
    scene = HarvestScene(world, fixture_server)
    wrong = {}
    for operation, (_data, expected) in READ_ACTIONS.items():
        for index, role in enumerate(ROLES):
            allowed = _read(app, world, scene, operation, role)
            if allowed != expected[index]:
                wrong[(operation, role)] = allowed
    assert not wrong, wrong


READ_PAGES = {
    # page -> expected per role (anonymous, B, A, curator, sysadmin)
    "/harvest": (N, N, Y, Y, Y),  # the list shows the source
    "/harvest/{name}": (N, N, Y, Y, Y),
    "/harvest/about/{name}": (N, N, Y, Y, Y),
    "/harvest/{name}/job": (N, N, Y, Y, Y),
    "/harvest/{name}/job/{job}": (N, N, Y, Y, Y),
    "/harvest/{name}/job/last": (N, N, Y, Y, Y),
    "/harvest/object/{object}": (N, N, Y, Y, Y),
    "/dataset/harvest_object/{record}": (N, N, Y, Y, Y),
    "/harvest/admin/{name}": (N, N, N, Y, Y),  # managing: curators (business sources off)
}


def test_harvest_pages_by_role(app, world, fixture_server):
    scene = HarvestScene(world, fixture_server)
    record_id = next(o["package_id"] for o in scene.result.objects.values() if o["package_id"])
    wrong = {}
    for template, expected in READ_PAGES.items():
        url = template.format(
            name=scene.source["name"],
            job=scene.job_id,
            object=scene.object_id,
            record=record_id,
        )
        for index, role in enumerate(ROLES):
            response = _get(app, world, role, url)
            shown = response.status_code == 200
            if template == "/harvest":
                shown = shown and scene.source["name"] in response.body
            if shown != expected[index]:
                wrong[(template, role)] = response.status_code
    assert not wrong, wrong


# --- who runs and manages sources --------------------------------------------------------------
def _fresh_source(world, fixture_server, name):
    url = fixture_server.file(f"/a/{name}.csv", "spreadsheets/hotels-utf8.csv")
    return helpers.call_action(
        "harvest_source_create",
        {"user": world.person("sysadmin").name},
        **_source_data(world, url, name),
    )


def _job(source) -> dict:
    return helpers.call_action(
        "harvest_job_create", {"ignore_auth": True}, source_id=source["id"], run=False
    )


WRITE_ACTIONS = {
    # action on business A's source -> expected per role (anonymous, B, A, curator, sysadmin)
    # with business sources off (default) and on: A manages its own organization's source
    # only when on. Curators manage every source.
    "harvest_source_update": ((N, N, N, Y, Y), (N, N, Y, Y, Y)),
    "harvest_source_patch": ((N, N, N, Y, Y), (N, N, Y, Y, Y)),
    "package_patch": ((N, N, N, Y, Y), (N, N, Y, Y, Y)),
    "harvest_job_create": ((N, N, N, Y, Y), (N, N, Y, Y, Y)),
    "harvest_send_job_to_gather_queue": ((N, N, N, Y, Y), (N, N, Y, Y, Y)),
    "harvest_job_abort": ((N, N, N, Y, Y), (N, N, Y, Y, Y)),
    "harvest_source_clear": ((N, N, N, Y, Y), (N, N, Y, Y, Y)),
    "harvest_source_reindex": ((N, N, N, Y, Y), (N, N, Y, Y, Y)),
    "harvest_objects_import": ((N, N, N, Y, Y), (N, N, Y, Y, Y)),
    "harvest_source_job_history_clear": ((N, N, N, Y, Y), (N, N, Y, Y, Y)),
    "harvest_source_index_clear": ((N, N, N, Y, Y), (N, N, Y, Y, Y)),
    "harvest_source_delete": ((N, N, N, Y, Y), (N, N, Y, Y, Y)),
    "package_delete": ((N, N, N, Y, Y), (N, N, Y, Y, Y)),
    # every source at once: sysadmins only, as in ckanext-harvest
    "harvest_job_create_all": ((N, N, N, N, Y), (N, N, N, N, Y)),
    "harvest_jobs_run": ((N, N, N, N, Y), (N, N, N, N, Y)),
    "harvest_objects_import (all)": ((N, N, N, N, Y), (N, N, N, N, Y)),
    "harvest_sources_reindex": ((N, N, N, N, Y), (N, N, N, N, Y)),
    "harvest_sources_job_history_clear": ((N, N, N, N, Y), (N, N, N, N, Y)),
    "harvest_abort_failed_jobs": ((N, N, N, N, Y), (N, N, N, N, Y)),
    "harvest_object_create": ((N, N, N, N, Y), (N, N, N, N, Y)),
    "harvest_get_notifications_recipients": ((N, N, N, N, Y), (N, N, N, N, Y)),
}


# operations that use their source up (or leave a job behind): a fresh source per role
STATEFUL = {
    "harvest_source_delete",
    "package_delete",
    "harvest_job_create",
    "harvest_send_job_to_gather_queue",
    "harvest_job_abort",
    "harvest_object_create",
}


def _write(app, world, operation, role, source) -> bool:
    action = operation.split(" ")[0]
    data: dict = {"id": source["id"]}
    if action in ("harvest_source_update",):
        data = dict(
            _source_data(world, source["url"], source["name"]), id=source["id"], title="Mới"
        )
    elif action in ("harvest_source_patch", "package_patch"):
        data = {"id": source["id"], "title": "Mới"}
    elif action == "harvest_job_create":
        data = {"source_id": source["id"], "run": False}
    elif action in ("harvest_send_job_to_gather_queue", "harvest_job_abort"):
        data = {"id": _job(source)["id"]}
    elif operation == "harvest_objects_import":
        data = {"source_id": source["id"]}
    elif action == "harvest_abort_failed_jobs":
        data = {"life_span": 7}
    elif action == "harvest_object_create":
        data = {"job_id": _job(source)["id"], "guid": "x", "content": "{}"}
    elif action == "harvest_get_notifications_recipients":
        data = {"source_id": source["id"]}
    elif action in (
        "harvest_job_create_all",
        "harvest_jobs_run",
        "harvest_sources_reindex",
        "harvest_sources_job_history_clear",
    ) or operation.endswith("(all)"):
        data = {}
    status, body = _post(app, world, role, action, data)
    return status == 200


@pytest.mark.parametrize("business_sources", [False, True], ids=["default", "business_sources"])
def test_harvest_write_actions_by_role(app, world, fixture_server, business_sources):
    from ckan.tests.helpers import changed_config

    wrong = {}
    counter = 0
    with changed_config(BUSINESS_SOURCES, str(business_sources).lower()):
        for operation, expected_by_setting in WRITE_ACTIONS.items():
            expected = expected_by_setting[1 if business_sources else 0]
            source = None
            for index, role in enumerate(ROLES):
                if source is None or operation in STATEFUL:
                    counter += 1
                    source = _fresh_source(world, fixture_server, f"nguon-{counter}")
                allowed = _write(app, world, operation, role, source)
                if allowed != expected[index]:
                    wrong[(operation, role)] = allowed
    assert not wrong, wrong


def test_harvest_source_create_by_role(app, world, hotels_url):
    """Creating a source (business sources off): in business A's organization, in the
    Department's. Curators create sources in the Department's organization: CKAN's
    validation lets only those who may create datasets in an organization put a dataset
    there."""
    expected = {"a": (N, N, N, N, Y), "curator": (N, N, N, Y, Y)}
    wrong = {}
    for owner, outcomes in expected.items():
        for index, role in enumerate(ROLES):
            for action in ("harvest_source_create", "package_create"):
                name = f"nguon-{owner}-{role}-{action.replace('_', '-')}".replace("_", "-")
                # (ckanext-harvest refuses a second source with the same URL)
                url = hotels_url.replace(".csv", f"-{name}.csv")
                data = _source_data(world, url, name, owner=owner)
                if action == "package_create":
                    data["type"] = "harvest"
                status, body = _post(app, world, role, action, data)
                if (status == 200) != outcomes[index]:
                    wrong[(owner, action, role)] = (status, body.get("error"))
    assert not wrong, wrong
