"""New records imported in batches (stages.claim, base.import_new_batch, bulk.create_many)."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

from ckanext.activity.model import Activity
from ckanext.harvest import queue
from ckanext.harvest.model import HarvestJob, HarvestObject

from ckanext.khtourism.changelog.changes import change_table
from ckanext.khtourism.harvesters import indexing, stages
from ckanext.khtourism.search import index as search_index
from tests.harvesters.harvest_fixtures import create_source, indexed_accommodations, start_job

HOTELS = {"record_type": "accommodation", "publish": "direct"}
REVIEWED_HOTELS = {"record_type": "accommodation", "publish": "review"}


def _hotel_source(fixture_server, config=HOTELS, fixture="spreadsheets/hotels-utf8.csv"):
    # fixed attributes: the equivalence test compares two databases' rows
    org = factories.Organization(
        name="so-du-lich", title="Sở Du lịch", description="", image_url=""
    )
    source = create_source(
        "khtourism_spreadsheet",
        fixture_server.file("/dk.csv", fixture),
        config,
        owner_org=org["id"],
    )
    return org, source


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_one_message_imports_the_batch_indexed_with_activities_and_changes(fixture_server):
    _org, source = _hotel_source(fixture_server)
    harvester, job, ids = start_job(source)
    assert len(ids) == 3

    from ckan.lib import jobs

    jobs.get_queue().empty()
    queue.fetch_and_import_stages(harvester, HarvestObject.get(ids[0]))
    model.Session.remove()
    # the registry dataset of the type is refreshed once its records are indexed
    queued = {(j.func_name.rsplit(".", 1)[-1], tuple(j.args)) for j in jobs.get_queue().jobs}
    assert ("refresh_registry_job", ("accommodation",)) in queued

    objects = HarvestObject.filter(harvest_job_id=job.id).all()
    assert {(o.state, o.report_status, o.current) for o in objects} == {("COMPLETE", "added", True)}
    package_ids = {o.package_id for o in objects}
    assert len(package_ids) == 3
    # indexed with their batch: searchable before the job is finished, nothing left pending
    assert indexed_accommodations() & package_ids == package_ids
    assert indexing.pending_count(job.id) == 0
    for package_id in package_ids:
        activities = model.Session.query(Activity).filter_by(object_id=package_id).all()
        assert [a.activity_type for a in activities] == ["new package"]
        shown = helpers.call_action("package_show", {"ignore_auth": True}, id=package_id)
        assert activities[0].data["package"] == shown
        changes = model.Session.execute(
            sa.select(change_table.c.change).where(change_table.c.package_id == package_id)
        ).all()
        assert [row.change for row in changes] == ["created"]

    # the other objects' messages arrive: their objects are done, nothing happens
    for obj_id in ids[1:]:
        queue.fetch_and_import_stages(harvester, HarvestObject.get(obj_id))
    model.Session.remove()
    assert model.Session.query(Activity).filter(Activity.object_id.in_(package_ids)).count() == 3
    tk.get_action("harvest_jobs_run")({"ignore_auth": True}, {"source_id": source["id"]})
    assert HarvestJob.get(job.id).status == "Finished"


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_two_consumers_never_claim_the_same_object(fixture_server):
    _org, source = _hotel_source(fixture_server)
    _harvester, job, ids = start_job(source)
    job_id = job.id
    first = stages.claim(HarvestObject.get(ids[0]), 2)
    assert len(first) == 2 and ids[0] in first
    # a message for an object of that batch: taken already
    taken = next(i for i in first if i != ids[0])
    assert stages.claim(HarvestObject.get(taken), 2) == []
    rest = [i for i in ids if i not in first]
    second = stages.claim(HarvestObject.get(rest[0]), 2)
    assert sorted(second) == sorted(rest)  # only what was left
    model.Session.expire_all()
    assert {HarvestObject.get(i).state for i in ids} == {"FETCH"}

    # the consumers died: after the claim timeout the objects wait again (resubmitted by
    # ckanext-harvest) and a new message imports them
    long_ago = dt.datetime.utcnow() - stages.CLAIM_TIMEOUT - dt.timedelta(minutes=1)
    for obj in HarvestObject.filter(harvest_job_id=job_id):
        obj.fetch_started = long_ago
    model.Session.commit()
    assert stages.release_abandoned_claims() == 3
    model.Session.expire_all()
    assert {HarvestObject.get(i).state for i in ids} == {"WAITING"}
    harvester = queue.get_harvester("khtourism_spreadsheet")
    for obj_id in ids:
        queue.fetch_and_import_stages(harvester, HarvestObject.get(obj_id))
        model.Session.remove()
    reports = [o.report_status for o in HarvestObject.filter(harvest_job_id=job_id)]
    assert sorted(reports) == ["added"] * 3


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_a_bad_row_fails_alone_and_a_duplicate_is_matched_after_the_batch(fixture_server):
    _org, source = _hotel_source(fixture_server, fixture="spreadsheets/hotels-bad-rows.csv")
    harvester, job, ids = start_job(source)
    queue.fetch_and_import_stages(harvester, HarvestObject.get(ids[0]))
    model.Session.remove()
    objects = HarvestObject.filter(harvest_job_id=job.id).all()
    errored = [o for o in objects if o.state == "ERROR"]
    assert errored, "the fixture has rows with bad values"
    for obj in errored:
        assert obj.report_status == "errored"
        assert obj.package_id is None
        messages = [e.message for e in obj.errors]
        assert messages and all(m for m in messages)
    created = [o for o in objects if o.report_status == "added"]
    assert created
    for obj in created:
        assert model.Package.get(obj.package_id).state == "active"
    # nothing half-written: every package of the job is a record some object created
    packages = model.Session.query(model.Package.id).filter(model.Package.type == "accommodation")
    assert {row.id for row in packages} == {o.package_id for o in created}


# --- a batch writes what package_create writes --------------------------------------------
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_HEX32 = re.compile(r"\b[0-9a-f]{32}\b")
_TIME = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(\.\d+)?(\+00:00|Z)?", re.IGNORECASE)
# establishment identifiers: numbers from a sequence the database reset does not rewind
_ESTABLISHMENT_ID = re.compile(r"\bKH-[A-Z]{2}-\d{6}\b", re.IGNORECASE)


def _rows(statement: str, **params) -> list[dict]:
    return [dict(row._mapping) for row in model.Session.execute(sa.text(statement), params)]


HARVEST_EXTRAS = ("harvest_object_id", "harvest_source_id", "harvest_source_title")


def _without_harvest_extras(activity: dict) -> dict:
    """The one known difference. The activity holds package_show's answer when it is
    created: through package_create that is before the record is indexed or linked to its
    harvest object; in a batch, after both, so package_show (its cached copy) includes the
    three extras ckanext-harvest adds to indexed records — as it does in every later activity
    of a harvested record."""
    data = activity["data"]
    data = json.loads(data) if isinstance(data, str) else data
    package = data["package"]
    package["extras"] = [e for e in package.get("extras", []) if e["key"] not in HARVEST_EXTRAS]
    return {**activity, "data": data}


def _snapshot(dataset_type: str) -> str:
    """Every row a harvested record leaves, in record-name order, ids and times replaced by
    placeholders (numbered in order of appearance)."""
    names = [
        row["name"]
        for row in _rows(
            "SELECT name FROM package WHERE type = :type ORDER BY name", type=dataset_type
        )
    ]
    records = []
    for name in names:
        (package,) = _rows("SELECT * FROM package WHERE name = :name", name=name)
        pid = package["id"]
        records.append(
            {
                "package": package,
                "extras": _rows(
                    "SELECT key, value, state FROM package_extra WHERE package_id = :pid "
                    "ORDER BY key",
                    pid=pid,
                ),
                "members": _rows(
                    "SELECT table_name, capacity, state, group_id FROM member "
                    "WHERE table_id = :pid ORDER BY capacity",
                    pid=pid,
                ),
                "activities": [
                    _without_harvest_extras(row)
                    for row in _rows(
                        "SELECT activity_type, user_id, data, permission_labels FROM activity "
                        "WHERE object_id = :pid ORDER BY timestamp",
                        pid=pid,
                    )
                ],
                # doc_key: the table's sequence; tsv: the words of text_fields (compared)
                "index": [
                    {k: v for k, v in row.items() if k not in ("doc_key", "tsv")}
                    for row in _rows(f"SELECT * FROM {search_index.TABLE} WHERE id = :pid", pid=pid)
                ],
                "changes": [
                    {k: v for k, v in row.items() if k not in ("seq",)}
                    for row in _rows(
                        "SELECT * FROM khtourism_api_change WHERE package_id = :pid", pid=pid
                    )
                ],
            }
        )
    text = json.dumps(records, sort_keys=True, default=str, ensure_ascii=False)
    text = _TIME.sub("TIME", text)
    seen: dict[str, str] = {}
    for pattern in (_UUID, _HEX32, _ESTABLISHMENT_ID):
        text = pattern.sub(lambda m: seen.setdefault(m.group(0), f"ID{len(seen)}"), text)
    return text


def _harvest_all(source: dict, *, batched: bool) -> None:
    """Import every object of a new job: through the fetch stages (batches), or each object
    alone through package_create (``stages.run``, the path of ``import_batch_size = 1``)."""
    harvester, job, ids = start_job(source)
    job_id = job.id
    for obj_id in ids:
        if batched:
            queue.fetch_and_import_stages(harvester, HarvestObject.get(obj_id))
        else:
            stages.run(harvester, HarvestObject.get(obj_id))
        model.Session.remove()
    assert {o.report_status for o in HarvestObject.filter(harvest_job_id=job_id)} == {"added"}
    # one by one, indexing waits for the end of the job; a batch indexed its records
    assert (indexing.pending_count(job_id) == 0) is batched
    if not batched:
        tk.get_action("harvest_jobs_run")({"ignore_auth": True}, {"source_id": source["id"]})
        assert indexing.pending_count(job_id) == 0


GUIDES_CSV = (
    "Họ và tên,Số thẻ,Loại thẻ,Ngày cấp thẻ,Ngày hết hạn,Ngoại ngữ,Ngày sinh,Số CCCD,"
    "Điện thoại cá nhân\n"
    'Nguyễn Văn An,156123456,Quốc tế,15/03/2022,14/03/2027,"Tiếng Anh, Tiếng Nga",'
    "12/05/1990,056090001234,0905 111 222\n"
    "Trần Thị Bình,156123457,Nội địa,01/07/2023,30/06/2028,,03/11/1995,056195004321,"
    "0914 333 444\n"
).encode()
GUIDES = {
    "record_type": "tour-guide",
    "publish": "direct",
    "mapping": {
        "Ngày sinh": "date_of_birth",
        "Số CCCD": "id_number",
        "Điện thoại cá nhân": "personal_phone",
    },
}


def _guide_source(fixture_server):
    from tests.harvesters.harvest_fixtures import Reply

    org = factories.Organization(
        name="so-du-lich", title="Sở Du lịch", description="", image_url=""
    )
    url = fixture_server.handler(
        "/guides.csv", lambda _q: Reply(GUIDES_CSV, content_type="text/csv")
    )
    return create_source("khtourism_spreadsheet", url, GUIDES, owner_org=org["id"])


@pytest.mark.usefixtures("with_plugins")
@pytest.mark.parametrize(
    ("dataset_type", "config"),
    [("accommodation", HOTELS), ("accommodation", REVIEWED_HOTELS), ("tour-guide", GUIDES)],
    ids=["hotels-direct", "hotels-review", "guides-personal-data"],
)
def test_a_batch_writes_the_rows_package_create_writes(
    fixture_server, clean_db, reset_db, migrate_db_for, dataset_type, config
):
    snapshots = {}
    for batched in (False, True):
        if batched:
            # the same database state as before the first run
            reset_db()
            for plugin in ("activity", "harvest", "khtourism"):
                migrate_db_for(plugin)
            from ckanext.khtourism.changelog.changes import clear_changes
            from ckanext.khtourism.search import reset_index

            reset_index()
            clear_changes()
        if dataset_type == "tour-guide":
            source = _guide_source(fixture_server)
        else:
            _org, source = _hotel_source(fixture_server, config=config)
        _harvest_all(source, batched=batched)
        snapshots[batched] = _snapshot(dataset_type)
    one_by_one, batch = snapshots[False], snapshots[True]
    assert one_by_one.count('"activity_type": "new package"') >= 2
    if dataset_type == "tour-guide":
        # stored with the record, kept out of its activity and of the search index
        assert '"value": "056090001234"' in one_by_one
        assert one_by_one.count("056090001234") == 1
    assert batch == one_by_one


class _Channel:
    """Stands in for the queue transport: records the acknowledged messages."""

    def __init__(self) -> None:
        self.acked: list[object] = []

    def basic_ack(self, delivery_tag) -> None:
        self.acked.append(delivery_tag)


class _Method:
    def __init__(self, tag: int) -> None:
        self.delivery_tag = tag


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_fetch_consumer_messages_of_batched_objects_are_acknowledged_at_once(fixture_server):
    _org, source = _hotel_source(fixture_server)
    _harvester, job, ids = start_job(source)
    job_id = job.id
    channel = _Channel()
    for tag, obj_id in enumerate(ids):
        queue.fetch_callback(channel, _Method(tag), None, json.dumps({"harvest_object_id": obj_id}))
    assert channel.acked == list(range(len(ids)))  # every message acknowledged
    objects = HarvestObject.filter(harvest_job_id=job_id).all()
    assert sorted(o.report_status for o in objects) == ["added"] * len(ids)
    # the first message imported the batch (ckanext-harvest counted its delivery); the
    # others found their objects done and were acknowledged without touching them
    assert sorted(o.retry_times for o in objects) == [0] * (len(ids) - 1) + [1]
