"""A snapshot put back (``tests/snapshots.py``) leaves every table as the build left it."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from ckan import model
from ckan.tests import factories

from tests import snapshots


def _rows() -> dict[str, list[str]]:
    with model.meta.engine.connect() as connection:
        tables = snapshots._data_tables(connection)
        return {
            table: sorted(
                connection.execute(sa.text(f'SELECT t::text FROM public."{table}" t')).scalars()
            )
            for table in tables
        }


def _build() -> dict:
    org = factories.Organization()
    return {"org": org, "user": factories.User(), "record": factories.Dataset(owner_org=org["id"])}


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_a_restored_snapshot_has_the_rows_of_its_build_and_only_those():
    built = snapshots.restored("snapshot_probe", _build)
    after_build = _rows()
    assert after_build["package"] and after_build["user"]
    # writes in tables the build filled and in tables it left empty
    factories.Dataset(owner_org=built["org"]["id"])
    factories.Group()
    model.Session.execute(sa.text("DELETE FROM package_extra"))
    model.Session.commit()
    assert _rows() != after_build

    again = snapshots.restored("snapshot_probe", _build)
    assert again == built
    assert _rows() == after_build
