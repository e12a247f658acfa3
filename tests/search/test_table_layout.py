"""The search table's layout: what every hit reads stays in the heap row (issue 20).

``khts_0001`` sent the documents to TOAST with ``toast_tuple_target = 512`` and,
unintended, the small columns too: the permission labels every hit checks were
stored out of line for nearly every row (one TOAST page read per hit). The
``khts_0008`` migration keeps them inline.
"""

from __future__ import annotations

import importlib

import sqlalchemy as sa

from ckan import model

from tests.search.search_helpers import search_config

migration = importlib.import_module(
    "ckanext.khtourism.migration.khtourism.versions.khts_0008_search_inline_columns"
)

# long, varied text: the row is far over the TOAST threshold, as real records are
NOTES = " ".join(
    f"Khách sạn số {n} gần biển Nha Trang, phòng {n * 7} có ban công và hồ bơi {n * 13}."
    for n in range(120)
)


def _server_version() -> int:
    return int(model.Session.execute(sa.text("SHOW server_version_num")).scalar())


def _out_of_line(dataset_id: str) -> list[str]:
    """The hot columns of the dataset's row stored out of line (in TOAST)."""
    checks = ", ".join(
        f"pg_column_toast_chunk_id({column}) IS NOT NULL AS {column}"
        for column in migration.INLINE_COLUMNS
    )
    row = (
        model.Session.execute(
            sa.text(f"SELECT {checks} FROM khtourism_search_doc WHERE id = :id"),
            {"id": dataset_id},
        )
        .mappings()
        .one()
    )
    return [column for column, toasted in row.items() if toasted]


def _storage() -> dict[str, str]:
    rows = model.Session.execute(
        sa.text(
            "SELECT attname, attstorage FROM pg_attribute"
            " WHERE attrelid = 'khtourism_search_doc'::regclass AND attnum > 0"
        )
    )
    return dict(rows.fetchall())


@search_config
def test_the_columns_every_hit_reads_are_stored_inline(portal):
    record = portal.create("Khách sạn Biển Xanh", notes=NOTES, tags=[{"name": "biển"}])
    storage = _storage()
    assert {column: storage[column] for column in migration.INLINE_COLUMNS} == {
        column: "m" for column in migration.INLINE_COLUMNS
    }
    # the big columns still go to TOAST
    assert storage["doc"] == "e" and storage["data_dict"] == "e"
    if _server_version() >= 170000:  # pg_column_toast_chunk_id: PostgreSQL 17 and later
        assert _out_of_line(record["id"]) == []
        toasted_doc = model.Session.execute(
            sa.text(
                "SELECT pg_column_toast_chunk_id(doc) IS NOT NULL FROM khtourism_search_doc"
                " WHERE id = :id"
            ),
            {"id": record["id"]},
        ).scalar()
        assert toasted_doc


@search_config
def test_the_migration_moves_rows_written_before_back_inline(portal):
    if _server_version() < 170000:
        # on PostgreSQL 15/16 only the storage settings can be checked (test above)
        assert _storage()["permission_labels"] == "m"
        return
    record = portal.create("Homestay Vĩnh Hy", notes=NOTES)
    # the layout before the migration: default storage, and a row written under it
    for statement in migration.storage_statements("EXTENDED"):
        model.Session.execute(sa.text(statement))
    model.Session.execute(
        sa.text(
            "UPDATE khtourism_search_doc SET permission_labels = permission_labels || '{}',"
            " suggest = suggest || ' ', title_sort = title_sort || ' ', id = id || ''"
            " WHERE id = :id"
        ),
        {"id": record["id"]},
    )
    before = _out_of_line(record["id"])
    assert "permission_labels" in before and "suggest" in before

    for statement in migration.storage_statements("MAIN") + migration.rewrite_statements():
        model.Session.execute(sa.text(statement))
    assert _out_of_line(record["id"]) == []
    # the rewritten row is still found, visible and whole
    found = portal.search(q="vinh hy")
    assert [r["id"] for r in found["results"]] == [record["id"]]
    model.Session.rollback()


@search_config
def test_the_doctor_reports_the_layout_and_what_to_do(portal, cli):
    from ckan.cli.cli import ckan

    from ckanext.khtourism import doctor
    from ckanext.khtourism.search import layout

    assert layout.INLINE_COLUMNS == migration.INLINE_COLUMNS
    record = portal.create("Khách sạn Hòn Chồng", notes=NOTES)
    model.Session.commit()
    output = cli.invoke(ckan, ["khtourism", "doctor"]).output
    assert "[OK  ] search table: the columns every hit reads are stored in the heap row" in output

    # the layout before khts_0008, and a row written under it
    for statement in migration.storage_statements("EXTENDED"):
        model.Session.execute(sa.text(statement))
    model.Session.execute(
        sa.text(
            "UPDATE khtourism_search_doc SET permission_labels = permission_labels || '{}',"
            " suggest = suggest || ' ', title_sort = title_sort || ' ', id = id || ''"
            " WHERE id = :id"
        ),
        {"id": record["id"]},
    )
    [finding] = doctor.check_search_layout()
    assert finding.status == doctor.WARNING
    assert "storage not MAIN: id, site_id, name" in finding.message
    if _server_version() >= 170000:
        assert "stored in TOAST (" in finding.message
        assert (
            "permission_labels in 1" in finding.message and "of 1 rows checked" in finding.message
        )
    assert "Repair: ckan db upgrade -p khtourism" in finding.message
    model.Session.rollback()
