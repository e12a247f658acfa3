"""``package_show`` answers from the index copy whatever the time of the last write.

CKAN's ``package_show`` uses the search index's copy of a dataset (``validated_data_dict``)
only when the first 22 characters of the copy's ``metadata_modified`` equal those of
``pkg.metadata_modified.isoformat()``; otherwise it dictizes the dataset from the
database. The two copies are not the same: ckanext-harvest adds its three provenance extras
(``harvest_object_id``, ``harvest_source_id``, ``harvest_source_title``) to the index copy
only (``before_dataset_index``). A time whose milliseconds are 000 comes back from the
index (as from Solr) without a fraction, so about one write in a thousand was shown from
the database, without those extras (the intermittent failure of
``tests/dcat/test_harvest_roundtrip.py``). Each time below is forced on a harvested record.
"""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from ckan import model
from ckan.lib.search import rebuild
from ckan.plugins import toolkit as tk

from tests.search.search_helpers import search_config

HARVEST_EXTRAS = ("harvest_object_id", "harvest_source_id", "harvest_source_title")


def _harvested(record_id: str) -> dict[str, str]:
    """A current harvest object for the record, as a harvest run leaves it."""
    import ckanext.harvest.model as harvest_model

    source = harvest_model.HarvestSource(
        url="http://127.0.0.1:9/catalogue.ttl", type="dcat_rdf", title="Provincial catalogue"
    )
    job = harvest_model.HarvestJob(source=source, status="Finished")
    harvest_object = harvest_model.HarvestObject(
        guid="place-1",
        job=job,
        source=source,
        package_id=record_id,
        current=True,
        state="COMPLETE",
        import_finished=dt.datetime.utcnow(),
    )
    model.Session.add_all([source, job, harvest_object])
    model.Session.commit()
    return {
        "harvest_object_id": harvest_object.id,
        "harvest_source_id": source.id,
        "harvest_source_title": "Provincial catalogue",
    }


@pytest.mark.parametrize(
    "modified",
    [
        "2026-12-04 10:15:42.123456",  # an ordinary time
        "2026-12-04 10:15:42.000123",  # milliseconds 000: the index returns no fraction
        "2026-12-04 10:15:42.100000",  # one significant digit of the fraction
        "2026-12-04 10:15:42",  # exactly on the second: isoformat() has no fraction either
    ],
)
@search_config
def test_package_show_uses_the_index_copy_for_every_time(portal, modified):
    record = portal.create("Harvested place")
    expected = _harvested(record["id"])
    model.Session.execute(
        sa.text("UPDATE package SET metadata_modified = :when WHERE id = :id"),
        {"when": dt.datetime.fromisoformat(modified), "id": record["id"]},
    )
    model.Session.commit()
    model.Session.remove()
    rebuild(record["id"])  # the index copy of that time, with the harvest extras
    model.Session.remove()

    shown = tk.get_action("package_show")({"ignore_auth": True}, {"id": record["id"]})

    assert shown["metadata_modified"] == dt.datetime.fromisoformat(modified).isoformat()
    extras = {extra["key"]: extra["value"] for extra in shown.get("extras", [])}
    assert {key: extras.get(key) for key in HARVEST_EXTRAS} == expected
