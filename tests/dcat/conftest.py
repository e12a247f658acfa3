"""Fixtures of the DCAT tests: the official DCAT-AP 3 SHACL shapes, sample
records shaped per docs/record-types.md, and records published through the
real action API and curation workflow.

The shapes are read from ``<repo>/../shared/reference/dcat-ap-shacl/`` (CI
clones the repository with ``shared/`` beside it) or from the directory named
by ``KHTOURISM_DCAT_SHACL_DIR``. When neither exists the SHACL tests FAIL with
a message saying so: a validation that silently did not run proves nothing.
"""

from __future__ import annotations

import pytest
from rdflib import Graph
from rdflib.namespace import SH

from ckanext.khtourism.core import record_types
from ckanext.khtourism.core.record_types import RECORD_TYPES
from tests import snapshots
from tests.dcat.dcat_fixtures import (
    RANGES_FILE,
    SHAPES_FILE,
    publish,
    sample_record,
    shacl_dir,
)
from tests.record_fixtures import world  # noqa: F401


@pytest.fixture(scope="session")
def dcat_shapes() -> Graph:
    """DCAT-AP 3.0.1: the shapes file plus its range shapes (they share property shapes)."""
    directory = shacl_dir()
    graph = Graph()
    graph.parse(directory / SHAPES_FILE, format="turtle")
    ranges = directory / RANGES_FILE
    if not ranges.is_file():
        pytest.fail(
            f"{ranges} is missing: the DCAT-AP 3.0.1 range shapes are required.", pytrace=False
        )
    graph.parse(ranges, format="turtle")
    # The 3.0.1 range file points at a few property shapes that only exist in
    # 3.0.0 (e.g. Dataset.relatedresource); pyshacl refuses references to
    # undefined shapes, so those dangling references are dropped.
    for node_shape, _p, property_shape in list(graph.triples((None, SH.property, None))):
        if (property_shape, SH.path, None) not in graph:
            graph.remove((node_shape, SH.property, property_shape))
    return graph


@pytest.fixture
def sample_records() -> dict[str, dict]:
    return {record_type: sample_record(record_type) for record_type in RECORD_TYPES}


@pytest.fixture
def published(world) -> dict[str, dict]:  # noqa: F811 - the records fixture
    """One published record of each type, plus a draft (never public): published once per
    test process, their rows put back before each test (``tests/snapshots.py``)."""
    return snapshots.restored("dcat_published", lambda: _publish_records(world))


def _publish_records(world) -> dict[str, dict]:  # noqa: F811 - the records fixture
    records = {
        "accommodation": publish(
            world,
            "member_a",
            "accommodation",
            "a",
            notes="Khách sạn bên bờ biển.",
            notes_en="Seaside hotel.",
            tag_string="biển,Nha Trang",
            resources=[
                {"name": "Ảnh mặt tiền", "format": "JPEG", "url": "https://example.vn/mat-tien.jpg"}
            ],
        ),
        "tour-operator": publish(world, "member_a", "tour-operator", "a"),
        "tour-guide": publish(world, "curator", "tour-guide", "curator"),
        "heritage-site": publish(world, "curator", "heritage-site", "curator"),
    }
    for record_type in RECORD_TYPES:  # the other declared types: their valid example
        if record_type not in records:
            curators = record_types.get(record_type).curator_only
            role, owner = ("curator", "curator") if curators else ("member_a", "a")
            records[record_type] = publish(world, role, record_type, owner)
    records["draft"] = world.create(
        "member_a", "accommodation", owner="a", title="Khách sạn Nháp Bí Mật", name="khach-san-nhap"
    )
    return records
