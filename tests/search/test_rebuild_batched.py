"""The batched ``search-index rebuild`` gives exactly what CKAN's per-dataset path gives."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import sqlalchemy as sa

from ckan import model
from ckan.cli.cli import ckan
from ckan.lib.search import rebuild
from ckan.tests import factories, helpers

import ckanext.khtourism.search as search
from ckanext.khtourism.search import dictize, reindex
from ckanext.khtourism.search.index import TABLE
from tests.record_fixtures import world  # noqa: F401 - the fixture
from tests.search.test_integrity import failing_index_writes  # noqa: F401 - the fixture

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

# what differs between two indexings of the same dataset: when it happened
TIMESTAMP_COLUMNS = ("indexed_at", "doc_key")


def _rows() -> dict[str, dict[str, Any]]:
    """Every index row (all columns as JSON, tsvectors as text), by dataset id."""
    model.Session.remove()
    drop = " ".join(f"- '{c}'" for c in TIMESTAMP_COLUMNS)
    rows = model.Session.execute(
        sa.text(f"SELECT id, to_jsonb(d) {drop} AS row FROM {TABLE} d ORDER BY id")
    ).fetchall()
    return {r.id: r.row for r in rows}


def _wipe() -> None:
    model.Session.execute(sa.text(f"DELETE FROM {TABLE}"))
    model.Session.commit()
    model.Session.remove()


class _Statements:
    """Counts the SQL statements that read a table (how many ``package_dictize`` ran)."""

    def __init__(self, marker: str) -> None:
        self.marker = marker
        self.count = 0

    def __call__(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if self.marker in statement:
            self.count += 1

    def __enter__(self) -> _Statements:
        sa.event.listen(sa.engine.Engine, "before_cursor_execute", self)
        return self

    def __exit__(self, *_exc: Any) -> None:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", self)


def _varied_datasets(world) -> list[str]:  # noqa: F811 - the fixture
    """All four record types, plain datasets, private ones, groups, tags, a harvest source …"""
    context = world.context("sysadmin")
    sysadmin = world.person("sysadmin").name
    groups = [
        factories.Group(title="Biển đảo", user={"name": sysadmin}),
        factories.Group(title="Ẩm thực", user={"name": sysadmin}),
        factories.Group(title="Biển đảo", name="bien-dao-2", user={"name": sysadmin}),
    ]
    vocab = helpers.call_action(
        "vocabulary_create",
        context=dict(context),
        name="mua",
        tags=[{"name": "he"}, {"name": "dong"}],
    )
    created = []
    for record_type in ("accommodation", "tour-operator", "tour-guide", "heritage-site"):
        for private in (False, True):
            created.append(
                world.create(
                    "sysadmin",
                    record_type,
                    private=private,
                    name=f"{record_type}-{'private' if private else 'public'}",
                    groups=[{"name": groups[0]["name"]}, {"name": groups[1]["name"]}]
                    if record_type == "accommodation"
                    else [],
                    resources=[
                        {
                            "url": "https://example.vn/data.csv",
                            "name": "Dữ liệu",
                            "format": "CSV",
                            "description": "Bảng giá",
                        }
                    ],
                )
            )
    plain = helpers.call_action(
        "package_create",
        context=dict(context),
        name="plain-dataset",
        type="dataset",
        title="  Bộ dữ liệu\x0b thường ",
        notes="Mô tả *markdown*",
        owner_org=world.business_a["id"],
        license_id="cc-by",
        tag_string="biển,đảo,ẩm thực",
        version="1.0",
        groups=[{"name": groups[0]["name"]}, {"name": groups[1]["name"]}],
        extras=[
            {"key": "nguon", "value": "Sở Du lịch"},
            {"key": "cap_nhat_date", "value": "2024-05-01"},
            {
                "key": "spatial",
                "value": json.dumps({"type": "Point", "coordinates": [109.19, 12.25]}),
            },
        ],
        resources=[
            {"url": "example.vn/no-scheme.json", "name": "B", "format": "JSON"},
            {"url": "https://example.vn/a.xlsx", "name": "A", "format": "XLSX"},
        ],
    )
    created.append(plain)
    # two groups with the same title: a tie in package_dictize's sort
    created.append(
        helpers.call_action(
            "package_create",
            context=dict(context),
            name="tie-groups",
            type="dataset",
            title="Nhóm trùng tên",
            notes="Mô tả (DCAT-AP: bắt buộc)",
            owner_org=world.business_a["id"],
            groups=[{"name": g["name"]} for g in groups],
        )
    )
    with_vocab = helpers.call_action(
        "package_create",
        context=dict(context),
        name="vocab-dataset",
        type="dataset",
        title="Vocabulary tags",
        notes="Mô tả (DCAT-AP: bắt buộc)",
        owner_org=world.business_b["id"],
        private=True,
        tags=[{"name": "he", "vocabulary_id": vocab["id"]}, {"name": "free"}],
    )
    created.append(with_vocab)
    no_org = helpers.call_action(
        "package_create",
        context=dict(context),
        name="no-org",
        type="dataset",
        title="Không tổ chức",
        notes="Mô tả (DCAT-AP: bắt buộc)",
        owner_org=world.business_b["id"],
    )
    created.append(no_org)
    # datasets made before organizations were required have none
    model.Session.execute(
        sa.text("UPDATE package SET owner_org = NULL WHERE id = :id"), {"id": no_org["id"]}
    )
    model.Session.commit()
    helpers.call_action(
        "package_relationship_create",
        context=dict(context),
        subject=plain["id"],
        object=no_org["id"],
        type="depends_on",
    )
    source = helpers.call_action(
        "harvest_source_create",
        context=dict(context),
        name="nguon-so-du-lich",
        title="Nguồn Sở Du lịch",
        url="http://127.0.0.1:9/catalog",
        source_type="ckan",
        owner_org=world.curator_org["id"],
    )
    from ckanext.harvest.model import HarvestJob, HarvestObject

    job = HarvestJob(source_id=source["id"], status="Finished")
    job.save()
    HarvestObject(
        guid="hotel-1",
        job=job,
        source=job.source,
        package_id=created[0]["id"],
        current=True,
        import_finished=dt.datetime.utcnow(),
        state="COMPLETE",
    ).save()
    deleted = helpers.call_action(
        "package_create",
        context=dict(context),
        name="deleted-one",
        type="dataset",
        title="Đã xoá",
        notes="Mô tả (DCAT-AP: bắt buộc)",
        owner_org=world.business_a["id"],
    )
    helpers.call_action("package_delete", context=dict(context), id=deleted["id"])
    model.Session.remove()
    return [d["id"] for d in created] + [source["id"]]


def _per_dataset_rows(ids: list[str]) -> dict[str, dict[str, Any]]:
    """Index through CKAN's own per-dataset rebuild (``package_show`` + ``update_dict``)."""
    _wipe()
    search._original_rebuild(package_ids=ids, defer_commit=True)
    model.Session.commit()
    return _rows()


def test_batched_show_equals_package_show(world):  # noqa: F811 - the fixture
    ids = _varied_datasets(world)
    expected = {
        i: helpers.call_action(
            "package_show",
            context={"ignore_auth": True, "validate": False, "use_cache": False},
            id=i,
        )
        for i in ids
    }
    model.Session.remove()
    assert dictize.batchable()
    packages = dictize.load_packages(ids)
    shown = dict((pkg.id, result) for pkg, result in dictize.show_many(packages))
    assert list(shown) == ids
    for dataset_id in ids:
        assert json.dumps(shown[dataset_id]) == json.dumps(expected[dataset_id]), dataset_id


def test_batched_rebuild_writes_the_rows_of_the_per_dataset_path(world, monkeypatch, cli):  # noqa: F811
    ids = _varied_datasets(world)
    expected = _per_dataset_rows(ids)
    assert sorted(expected) == sorted(ids)  # the deleted dataset is not indexed

    _wipe()
    monkeypatch.setattr(reindex, "BATCH_SIZE", 4)  # several batches, one not full
    with _Statements("FROM resource") as reads:
        rebuild(quiet=True)
    # one read of the resources per batch (package_show would read them per dataset), and
    # package_show for "tie-groups": two of its groups have the same title, and the
    # order of such a tie is the per-dataset statement's
    assert reads.count == -(-len(ids) // 4) + 1
    assert _rows() == expected

    # the command line, --clear included: the same rows again
    result = cli.invoke(ckan, ["search-index", "rebuild", "--clear"])
    assert result.exit_code == 0, result.output
    assert f"{len(ids)}/{len(ids)}" in result.output
    assert _rows() == expected

    # package_ids= (ckanext-harvest's call) takes the batched path as well
    _wipe()
    rebuild(package_ids=ids[:5])
    assert _rows() == {i: expected[i] for i in ids[:5]}


@pytest.mark.parametrize("workers", [1, 2])
def test_force_skips_and_reports_a_broken_dataset(world, monkeypatch, cli, workers):  # noqa: F811
    from ckan.common import config

    monkeypatch.setitem(config, reindex.WORKERS_OPTION, workers)
    first = world.create("sysadmin", "accommodation", name="hotel-1")
    broken = world.create("sysadmin", "heritage-site", name="broken-site")
    third = world.create("sysadmin", "tour-operator", name="operator-3")
    before = _rows()
    assert sorted(before) == sorted([first["id"], broken["id"], third["id"]])
    # a dataset package_show cannot dictize (no modification date)
    model.Session.execute(
        sa.text("UPDATE package SET metadata_modified = NULL WHERE id = :id"), {"id": broken["id"]}
    )
    model.Session.commit()
    model.Session.remove()
    monkeypatch.setattr(reindex, "BATCH_SIZE", 2)

    # without --force: the rebuild fails, and in one transaction: the old index is intact
    result = cli.invoke(ckan, ["search-index", "rebuild", "--clear", "-q"])
    assert result.exit_code == 1
    assert _rows() == before

    # with --force: the others are indexed, the broken one is skipped and named
    _wipe()
    with _Statements("FROM resource") as reads:
        result = cli.invoke(ckan, ["search-index", "rebuild", "--force", "-q"])
    assert result.exit_code == 0, result.output
    # this process read the resources of: with builders, only the broken dataset's batch
    # (one by one); alone, each batch once plus the broken dataset's batch one by one
    assert reads.count <= 2 if workers == 2 else reads.count >= 3
    assert f"Datasets not indexed (1): {broken['id']}" in result.output
    after = _rows()
    assert sorted(after) == sorted([first["id"], third["id"]])
    assert after[first["id"]] == before[first["id"]]
    assert after[third["id"]] == before[third["id"]]


@pytest.mark.ckan_config("ckanext.khtourism.search.rebuild_workers", "2")
def test_row_builder_processes_give_the_same_rows(world, monkeypatch):  # noqa: F811
    ids = _varied_datasets(world)
    expected = _per_dataset_rows(ids)

    _wipe()
    monkeypatch.setattr(reindex, "BATCH_SIZE", 4)
    with _Statements("FROM resource") as reads:
        rebuild(quiet=True)
    # the datasets were read by the builder processes, not by this one
    assert reads.count == 0
    assert _rows() == expected

    # called inside a transaction (not the command line): built in this process
    _wipe()
    model.Session.execute(sa.text("SELECT 1"))
    with _Statements("FROM resource") as reads:
        rebuild(quiet=True)
    assert reads.count == -(-len(ids) // 4) + 1
    assert _rows() == expected


@pytest.mark.parametrize("workers", [1, 2])
def test_a_rejected_row_write(world, monkeypatch, cli, workers, request):  # noqa: F811
    from ckan.common import config

    monkeypatch.setitem(config, reindex.WORKERS_OPTION, workers)
    good = [world.create("sysadmin", "accommodation", name=f"hotel-{n}") for n in range(3)]
    bad = world.create("sysadmin", "accommodation", name="hotel-bad", title="FAIL-INDEX hotel")
    before = _rows()
    request.getfixturevalue("failing_index_writes")  # from now on its row is rejected
    model.Session.remove()
    monkeypatch.setattr(reindex, "BATCH_SIZE", 2)

    # without --force: the multi-row write fails, nothing is written, the old index stays
    result = cli.invoke(ckan, ["search-index", "rebuild", "--clear", "-q"])
    assert result.exit_code == 1
    assert "PostgreSQL search index write failed: index write rejected" in result.output
    assert _rows() == before

    # with --force: its batch is retried one dataset at a time; only it is left out
    _wipe()
    result = cli.invoke(ckan, ["search-index", "rebuild", "--force", "-q"])
    assert result.exit_code == 0, result.output
    assert f"Datasets not indexed (1): {bad['id']}" in result.output
    assert _rows() == {d["id"]: before[d["id"]] for d in good}
