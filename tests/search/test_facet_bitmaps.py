"""Facet counts from per-value bitmaps (search/facet_bitmaps.py, issue 20).

The bitmaps must give exactly the counts the SQL count gives, and stay current when
another process — or a transaction that commits after a later one — changes the index.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import sqlalchemy as sa

from ckan import model
from ckan.common import config
from ckan.tests import helpers

from ckanext.khtourism import doctor
from ckanext.khtourism.search import facet_bitmaps, index
from ckanext.khtourism.search.facet_bitmaps import BITMAPS, FacetBitmaps
from tests.search.search_helpers import search_config

NO_CACHE = pytest.mark.ckan_config("ckanext.khtourism.search.cache_ttl", "0")
FACETS = ["tags", "accommodation_type", "amenities", "organization"]


def _facets(portal: Any, **params: Any) -> tuple[int, dict[str, dict[str, int]]]:
    params.setdefault("facet.field", json.dumps(FACETS))
    result = portal.search(**params)
    return result["count"], result["facets"]


def _both_ways(portal: Any, monkeypatch: pytest.MonkeyPatch, **params: Any):
    BITMAPS.reset()
    monkeypatch.setitem(config, facet_bitmaps.OPTION, True)
    from_bitmaps = _facets(portal, **params)
    loaded = set(BITMAPS._fields)
    monkeypatch.setitem(config, facet_bitmaps.OPTION, False)
    from_sql = _facets(portal, **params)
    monkeypatch.setitem(config, facet_bitmaps.OPTION, True)
    return from_bitmaps, from_sql, loaded


def _records(portal: Any) -> list[dict[str, Any]]:
    made = []
    for number in range(9):
        made.append(
            portal.create(
                f"Khách sạn Biển {number}",
                notes="Gần biển Nha Trang",
                tag_string="biển"
                + (",spa" if number % 2 else "")
                + (",đảo" if number % 3 == 0 else ""),
                accommodation_type=["khach_san", "homestay", "biet_thu_du_lich"][number % 3],
                amenities=["pool", "wifi"] if number % 2 else ["wifi"],
            )
        )
    made.append(portal.create("Homestay Riêng", tag_string="biển,bí mật", private=True))
    return made


@NO_CACHE
@search_config
def test_counts_from_bitmaps_equal_the_sql_counts_and_the_hand_counts(portal, monkeypatch):
    _records(portal)
    (count, facets), from_sql, loaded = _both_ways(portal, monkeypatch, q="khach san")
    assert loaded == set(FACETS)  # the bitmaps did answer
    assert (count, facets) == from_sql
    assert count == 9
    # counted by hand from the records above (a dataset counts once per value; the
    # private record is not a hit for an anonymous… here a sysadmin sees it, but it
    # does not match "khach san")
    assert facets["tags"] == {"biển": 9, "spa": 4, "đảo": 3}
    assert facets["accommodation_type"] == {"khach_san": 3, "homestay": 3, "biet_thu_du_lich": 3}
    assert facets["amenities"] == {"wifi": 9, "pool": 4}

    for params in (
        {"q": "*:*"},
        {"fq": "tags:spa"},
        {"q": "bien", "facet.limit": "2"},
        {"q": "bien", "facet.limit": "-1"},
        {"q": "bien", "facet.mincount": "4"},
        {"fq": "-tags:spa", "q": "khach"},
    ):
        from_bitmaps, from_sql, _ = _both_ways(portal, monkeypatch, **params)
        assert from_bitmaps == from_sql, params


@NO_CACHE
@search_config
def test_only_what_the_visitor_may_see_is_counted(portal, monkeypatch):
    _records(portal)
    BITMAPS.reset()
    anonymous = helpers.call_action(
        "package_search",
        context={"user": "", "ignore_auth": False},
        q="bien",
        **{"facet.field": json.dumps(["tags"])},
    )
    assert "bí mật" not in anonymous["facets"]["tags"]  # only the private record has it
    assert "tags" in BITMAPS._fields and "bí mật" in BITMAPS._fields["tags"]


def _other_connection() -> sa.engine.Connection:
    """A connection of its own, as another web process or a harvest job has."""
    return model.meta.engine.connect()


def _tag_document(connection: Any, dataset_id: str, tags: list[str]) -> None:
    connection.execute(
        sa.text(
            f"UPDATE {index.TABLE} SET facet_terms = jsonb_set(facet_terms, '{{tags}}',"
            " CAST(:tags AS jsonb)) WHERE id = :id"
        ),
        {"tags": json.dumps(tags), "id": dataset_id},
    )


@NO_CACHE
@search_config
def test_a_change_committed_by_another_process_is_counted_at_once(portal):
    first, second, *_ = _records(portal)
    BITMAPS.reset()
    assert _facets(portal, q="khach san")[1]["tags"]["biển"] == 9
    with _other_connection() as connection, connection.begin():
        _tag_document(connection, first["id"], ["núi"])
    assert _facets(portal, q="khach san")[1]["tags"] == {
        "biển": 8,
        "spa": 4,
        "đảo": 2,
        "núi": 1,
    }
    with _other_connection() as connection, connection.begin():
        connection.execute(
            sa.text(f"DELETE FROM {index.TABLE} WHERE id = :id"), {"id": second["id"]}
        )
    count, facets = _facets(portal, q="khach san")
    assert count == 8
    assert facets["tags"] == {"biển": 7, "spa": 3, "đảo": 2, "núi": 1}


@NO_CACHE
@search_config
def test_a_transaction_that_commits_after_a_later_one_is_not_missed(portal):
    first, second, *_ = _records(portal)
    BITMAPS.reset()
    _facets(portal, q="khach san")  # bitmaps loaded, the log read
    slow = _other_connection()
    slow_transaction = slow.begin()
    _tag_document(slow, first["id"], ["chậm"])  # its log row comes first…
    with _other_connection() as quick, quick.begin():
        _tag_document(quick, second["id"], ["nhanh"])  # …this one commits first
    assert _facets(portal, q="khach san")[1]["tags"].get("nhanh") == 1
    assert "chậm" not in _facets(portal, q="khach san")[1]["tags"]
    slow_transaction.commit()
    slow.close()
    assert _facets(portal, q="khach san")[1]["tags"].get("chậm") == 1


@NO_CACHE
@search_config
def test_a_rolled_back_change_is_never_counted(portal):
    first, *_ = _records(portal)
    BITMAPS.reset()
    before = _facets(portal, q="khach san")
    with _other_connection() as connection:
        transaction = connection.begin()
        _tag_document(connection, first["id"], ["bỏ"])
        transaction.rollback()
    assert _facets(portal, q="khach san") == before


@NO_CACHE
@search_config
def test_a_sessions_own_uncommitted_index_change_is_not_put_into_the_bitmaps(portal):
    first, *_ = _records(portal)
    BITMAPS.reset()
    _facets(portal, q="khach san")
    stored = model.Session.execute(
        sa.text(f"SELECT doc FROM {index.TABLE} WHERE id = :id"), {"id": first["id"]}
    ).scalar()
    document = dict(stored, id="copy-of-first", name="copy-of-first", tags=["riêng-tư"])
    index.upsert(model.Session, [document])  # not committed
    # the session's own search sees its change, counted in SQL
    assert _facets(portal, q="khach san")[1]["tags"].get("riêng-tư") == 1
    model.Session.rollback()
    assert "riêng-tư" not in _facets(portal, q="khach san")[1]["tags"]
    assert all("riêng-tư" not in values for values in [BITMAPS._fields.get("tags", {})])


def _all_keys() -> Any:
    keys = model.Session.execute(sa.text(f"SELECT doc_key FROM {index.TABLE}")).scalars().all()
    return facet_bitmaps.BitMap(keys)


def _counts(bitmaps: FacetBitmaps, sort: str = "count") -> dict[str, int]:
    counted = bitmaps.counts(model.Session, _all_keys(), ["tags"], limit=-1, mincount=1, sort=sort)[
        "tags"
    ]
    return {value: count for value, count in counted}


@search_config
def test_a_process_that_read_the_log_since_the_previous_trim_keeps_its_bitmaps(portal):
    """A trim used to make every busy process reload: each had a transaction of its last
    read below the trim's oldest running one (measured: a full reload per process every
    ten minutes at most, issue 20)."""
    first, *_ = _records(portal)
    process = FacetBitmaps()
    assert process.usable(model.Session, ["tags"]) == ["tags"]
    BITMAPS.trim(model.Session, force=True, age="0 seconds")  # the previous trim
    model.Session.commit()
    # the process reads the log while another transaction is writing: it reads that
    # transaction's rows again at its next read
    slow = _other_connection()
    slow_transaction = slow.begin()
    _tag_document(slow, first["id"], ["chậm"])
    assert "chậm" not in _counts(process)
    slow_transaction.commit()
    slow.close()
    loaded = process._fields
    # the rows of the records made before the previous trim go; the process keeps its
    # bitmaps and counts the transaction it waited for
    assert BITMAPS.trim(model.Session, force=True, age="0 seconds") > 0
    model.Session.commit()
    assert _counts(process)["chậm"] == 1
    assert process._fields is loaded


@search_config
def test_trimmed_log_truncated_table_and_new_epoch_make_a_process_reload(portal):
    first, second, third, *_ = _records(portal)
    process = FacetBitmaps()  # another process, loaded now
    assert process.usable(model.Session, ["tags"]) == ["tags"]
    assert _counts(process)["biển"] == 10
    # Solr's facet.sort=index (CKAN's package_search does not pass it; the engine takes it)
    assert list(_counts(process, sort="index")) == sorted(_counts(process))
    # changes it has not read yet, then the log trimmed past them
    with _other_connection() as connection, connection.begin():
        _tag_document(connection, first["id"], ["mới"])
    # a trim deletes rows of transactions finished when the previous trim ran: two trims
    BITMAPS.trim(model.Session, force=True, age="0 seconds")
    assert BITMAPS.trim(model.Session, force=True, age="0 seconds") > 0
    model.Session.commit()
    assert _counts(process)["mới"] == 1
    assert _counts(process)["biển"] == 9

    # the table emptied by TRUNCATE, then one document written again
    stored = model.Session.execute(
        sa.text(f"SELECT doc FROM {index.TABLE} WHERE id = :id"), {"id": third["id"]}
    ).scalar()
    model.Session.execute(sa.text(f"TRUNCATE {index.TABLE}"))
    index.upsert(model.Session, [stored])
    model.Session.commit()
    assert _counts(process) == {"biển": 1}

    # data restored (as from a backup, or tests/snapshots.py): the log's rows and its
    # state row put back as they were, the sequence set back — the state row written
    # again has a new epoch, so the process starts over
    state = model.Session.execute(
        sa.text("SELECT epoch, trimmed_below FROM khtourism_search_change_state")
    ).one()
    assert _counts(process) == {"biển": 1}
    with _other_connection() as connection, connection.begin():
        _tag_document(connection, third["id"], ["lại"])
        connection.execute(sa.text("DELETE FROM khtourism_search_change_state"))
        connection.execute(
            sa.text(
                "INSERT INTO khtourism_search_change_state (epoch, trimmed_below)"
                " VALUES (:epoch, :trimmed_below)"
            ),
            dict(state._mapping),
        )
    assert model.Session.execute(
        sa.text("SELECT epoch FROM khtourism_search_change_state")
    ).scalar() not in ("", state.epoch)
    assert _counts(process) == {"lại": 1}

    # the log's sequence set back (its rows restored as of an earlier time), same epoch
    assert _counts(process) == {"lại": 1}
    with _other_connection() as connection, connection.begin():
        connection.execute(sa.text("DELETE FROM khtourism_search_change"))
        connection.execute(sa.text("SELECT setval('khtourism_search_change_seq_seq', 1)"))
        _tag_document(connection, third["id"], ["sau"])
    assert _counts(process) == {"sau": 1}


@search_config
def test_doctor_says_how_facets_are_counted(monkeypatch):
    assert [f.status for f in doctor.check_facet_counts()] == [doctor.OK]
    assert "bitmaps" in doctor.check_facet_counts()[0].message
    monkeypatch.setitem(config, facet_bitmaps.OPTION, False)
    assert "in SQL" in doctor.check_facet_counts()[0].message


@search_config
def test_a_cached_result_is_not_served_for_another_facet_limit(portal):
    # the result cache on: the SQL is the same whatever the facet limit, the key is not
    _records(portal)
    BITMAPS.reset()
    assert len(_facets(portal, q="khach san", **{"facet.limit": "1"})[1]["tags"]) == 1
    assert len(_facets(portal, q="khach san", **{"facet.limit": "-1"})[1]["tags"]) == 3
    assert _facets(portal, q="khach san", **{"facet.mincount": "4"})[1]["tags"] == {
        "biển": 9,
        "spa": 4,
    }


@NO_CACHE
@search_config
def test_a_field_with_too_many_values_is_counted_in_sql(portal, monkeypatch):
    first, *_ = _records(portal)
    monkeypatch.setattr(facet_bitmaps, "MAX_VALUES", 2)  # tags has 3 values
    BITMAPS.reset()
    (count, facets), from_sql, loaded = _both_ways(portal, monkeypatch, q="khach san")
    assert "tags" not in loaded and "accommodation_type" not in loaded  # 3 values each
    assert (count, facets) == from_sql
    assert facets["tags"] == {"biển": 9, "spa": 4, "đảo": 3}

    # a field that grows past the limit after it was loaded: counts() says so (None)
    # and the engine counts it in SQL
    monkeypatch.setattr(facet_bitmaps, "MAX_VALUES", 4)  # with the private record's
    process = FacetBitmaps()
    assert process.usable(model.Session, ["tags"]) == ["tags"]
    with _other_connection() as connection, connection.begin():
        _tag_document(connection, first["id"], ["một", "hai"])
    assert (
        process.counts(model.Session, _all_keys(), ["tags"], limit=-1, mincount=1, sort="count")
        is None
    )


@NO_CACHE
@search_config
def test_keys_past_32_bits_are_counted_in_sql(portal):
    first, *_ = _records(portal)
    BITMAPS.reset()
    before = _facets(portal, q="khach san")
    assert "tags" in BITMAPS._fields
    with _other_connection() as connection, connection.begin():
        connection.execute(
            sa.text(f"UPDATE {index.TABLE} SET doc_key = 3000000000 WHERE id = :id"),
            {"id": first["id"]},
        )
    assert _facets(portal, q="khach san") == before  # the same counts, from SQL
    assert not BITMAPS._fields
    BITMAPS.reset()  # a reload finds the key too: still SQL
    assert _facets(portal, q="khach san") == before
    assert not BITMAPS._fields


@NO_CACHE
@search_config
def test_a_field_no_document_has_is_not_loaded_until_one_has_it(portal):
    # a request naming made-up facet fields must not make every process scan the table
    # for each new name: no document has them, so they have no values
    first, *_ = _records(portal)
    BITMAPS.reset()
    made_up = ["khong_co_1", "khong_co_2"]
    _, facets = _facets(portal, q="khach san", **{"facet.field": json.dumps(["tags", *made_up])})
    assert facets["tags"] == {"biển": 9, "spa": 4, "đảo": 3}
    assert facets.get("khong_co_1", {}) == {}
    assert set(BITMAPS._fields) == {"tags"}
    # once a document has the field (written by another process), it is counted here
    with _other_connection() as connection, connection.begin():
        connection.execute(
            sa.text(
                f"UPDATE {index.TABLE} SET facet_terms = facet_terms"
                """ || '{"khong_co_1": ["mot"]}'::jsonb WHERE id = :id"""
            ),
            {"id": first["id"]},
        )
    _, facets = _facets(portal, q="khach san", **{"facet.field": json.dumps(made_up)})
    assert facets["khong_co_1"] == {"mot": 1}
    assert "khong_co_1" in BITMAPS._fields and "khong_co_2" not in BITMAPS._fields
