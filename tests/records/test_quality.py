"""The per-record metadata quality (records/quality.py): each dimension, the score and the
declaration it reads, for every declared record type."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from ckanext.khtourism.core import record_types
from ckanext.khtourism.core.record_types import RECORD_TYPES, DeclarationError
from ckanext.khtourism.records import quality
from tests.record_fixtures import valid

TODAY = dt.date(2026, 12, 1)
NHA_TRANG = json.dumps({"type": "Point", "coordinates": [109.1953, 12.2654]})
PHOTO = {"name": "Mặt tiền", "format": "JPEG", "url": "https://example.vn/a.jpg"}


def _record(record_type: str, **overrides) -> dict:
    record = valid(record_type, last_verified="2026-06-01", license_id="cc-by")
    record.setdefault("resources", [PHOTO])
    record.update(overrides)
    return record


@pytest.mark.parametrize("record_type", RECORD_TYPES)
def test_every_type_declares_its_quality(record_type):
    declared = record_types.get(record_type)
    schema = record_types.load_schema(declared.schema_file)
    names = record_types.field_names(schema)
    assert declared.quality_recommended, record_type
    assert set(declared.quality_recommended) <= names
    assert set(declared.quality_credential_expiry) <= names
    private = set(declared.private_fields)
    assert not private & set(declared.quality_recommended)  # personal data never counts


def test_a_declared_field_that_is_not_in_the_schema_is_refused():
    schema = record_types.load_schema("accommodation.yaml")
    schema["khtourism"]["quality"] = {"recommended": ["title_en", "no_such_field"]}
    with pytest.raises(DeclarationError, match="quality: not a field of the schema: no_such_field"):
        record_types.declaration("accommodation.yaml", schema)
    schema["khtourism"]["quality"] = {"recommend": ["title_en"]}
    with pytest.raises(DeclarationError, match="quality"):
        record_types.declaration("accommodation.yaml", schema)


@pytest.mark.parametrize("record_type", RECORD_TYPES)
def test_completeness_counts_the_recommended_fields(record_type):
    declared = record_types.get(record_type)
    full = _record(record_type, **{f: "x" for f in declared.quality_recommended})
    assert quality._completeness(declared, full)[0] == 1.0
    field = declared.quality_recommended[0]
    missing = _record(record_type, **{f: "x" for f in declared.quality_recommended})
    missing[field] = ""
    value, fixes = quality._completeness(declared, missing)
    assert value == pytest.approx(1 - 1 / len(declared.quality_recommended))
    label = quality.field_labels(record_type)[field]
    found = quality.assess(missing, TODAY)
    assert found is not None
    assert f"Fill in “{label['en']}”" in found.fix_texts("en")
    assert f"Bổ sung “{label['vi']}”" in found.fix_texts("vi")
    assert [f.dimension for f in fixes] == ["completeness"]


@pytest.mark.parametrize("record_type", RECORD_TYPES)
def test_validity(record_type):
    declared = record_types.get(record_type)
    good = _record(record_type, email="info@example.vn", website="https://example.vn")
    assert quality._validity(declared, good) == (1.0, [])
    bad = _record(record_type, email="not-an-address", website="example", spatial=NHA_TRANG)
    value, fixes = quality._validity(declared, bad)
    assert value is not None and value < 1
    assert {f.key for f in fixes} == {"quality_bad_email", "quality_bad_url"}
    outside = _record(
        record_type, spatial=json.dumps({"type": "Point", "coordinates": [105.8, 21.0]})
    )
    assert "quality_point_outside" in {f.key for f in quality._validity(declared, outside)[1]}


def test_validity_of_ranges_and_credential_dates():
    hotel = record_types.get("accommodation")
    value, fixes = quality._validity(
        hotel, _record("accommodation", price_min_vnd="900000", price_max_vnd="100000")
    )
    assert [f.key for f in fixes] == ["quality_min_above_max"] and value is not None and value < 1
    guide = record_types.get("tour-guide")
    fixes = quality._validity(guide, _record("tour-guide", card_issue_date="2029-01-01"))[1]
    assert [f.key for f in fixes] == ["quality_start_after_end"]
    event = record_types.get("event")
    fixes = quality._validity(
        event,
        _record("event", start_datetime="2026-08-02T10:00:00", end_datetime="2026-08-01T10:00:00"),
    )[1]
    assert [f.key for f in fixes] == ["quality_start_after_end"]


@pytest.mark.parametrize("record_type", RECORD_TYPES)
def test_location_point_inside_its_commune(record_type):
    declared = record_types.get(record_type)
    if declared.is_person:
        assert quality._location(declared, _record(record_type, spatial=NHA_TRANG)) == (None, [])
        return
    # 22366 Phường Nha Trang: its centre is the nearest to the point (no boundary file)
    assert quality._location(
        declared, _record(record_type, spatial=NHA_TRANG, admin_unit="22366")
    ) == (1.0, [])
    value, fixes = quality._location(
        declared, _record(record_type, spatial=NHA_TRANG, admin_unit="22333")
    )
    assert value == 0.5  # nearest centre: an estimate, to be checked
    assert [f.key for f in fixes] == ["quality_point_nearer_other_centre"]
    found = quality.assess(_record(record_type, spatial=NHA_TRANG, admin_unit="22333"), TODAY)
    assert found is not None
    text = next(t for t in found.fix_texts("en") if "nearest" in t)
    assert "Nha Trang" in text
    assert quality._location(declared, _record(record_type, spatial=""))[0] == 0.0
    assert (
        quality._location(declared, _record(record_type, spatial=NHA_TRANG, admin_unit=""))[1][
            0
        ].key
        == "quality_no_commune"
    )


@pytest.mark.parametrize("record_type", RECORD_TYPES)
def test_freshness_is_twelve_months(record_type):
    recent = quality.assess(_record(record_type, last_verified="2026-01-15"), TODAY)
    old = quality.assess(_record(record_type, last_verified="2025-11-30"), TODAY)
    never = quality.assess(_record(record_type, last_verified=""), TODAY)
    assert recent and old and never
    assert recent.dimensions["freshness"] == 1.0 and not recent.stale
    assert old.dimensions["freshness"] == 0.0 and old.stale
    assert (
        "Not verified for more than 12 months (last on 2025-11-30): check the record and "
        "update the date"
    ) in old.fix_texts("en")
    assert never.stale and any("Kiểm tra" in t for t in never.fix_texts("vi"))


@pytest.mark.parametrize("record_type", RECORD_TYPES)
def test_credential_currency(record_type):
    declared = record_types.get(record_type)
    if not declared.quality_credential_expiry:
        assert quality.assess(_record(record_type), TODAY).dimensions["credentials"] is None
        return
    field = declared.quality_credential_expiry[0]
    current = quality.assess(_record(record_type, **{field: "2027-01-01"}), TODAY)
    expired = quality.assess(_record(record_type, **{field: "2026-11-30"}), TODAY)
    assert current.dimensions["credentials"] == 1.0
    assert expired.dimensions["credentials"] == 0.0
    label = quality.field_labels(record_type)[field]["en"]
    assert f"“{label}” passed on 2026-11-30: renew it or update the date" in expired.fix_texts("en")


@pytest.mark.parametrize("record_type", RECORD_TYPES)
def test_licensed_photo(record_type):
    declared = record_types.get(record_type)
    with_photo = quality.assess(_record(record_type), TODAY)
    if not declared.quality_photo:  # a guide's photo is personal data: not asked for
        assert with_photo.dimensions["photo"] is None
        return
    assert with_photo.dimensions["photo"] == 1.0
    no_photo = quality.assess(
        _record(record_type, resources=[{"format": "PDF", "url": "https://x.vn/a.pdf"}]), TODAY
    )
    assert no_photo.dimensions["photo"] == 0.0
    assert "Add a photo (an image file)" in no_photo.fix_texts("en")
    unlicensed = quality.assess(_record(record_type, license_id="notspecified"), TODAY)
    assert unlicensed.dimensions["photo"] == 0.0
    assert "Chọn giấy phép để ảnh được phép tái sử dụng" in unlicensed.fix_texts("vi")


def test_images_are_recognised_by_format_mimetype_or_extension():
    assert quality.is_image({"format": "png"})
    assert quality.is_image({"mimetype": "image/webp"})
    assert quality.is_image({"url": "https://x.vn/a.JPG?v=2"})
    assert not quality.is_image({"format": "CSV", "url": "https://x.vn/a.csv"})


@pytest.mark.parametrize("record_type", RECORD_TYPES)
def test_score_is_the_mean_of_the_dimensions_that_apply(record_type):
    found = quality.assess(_record(record_type), TODAY)
    assert found is not None
    applicable = [v for v in found.dimensions.values() if v is not None]
    assert found.score == round(100 * sum(applicable) / len(applicable))
    assert found.band == quality.band_of(found.score)
    assert set(found.dimensions) == set(quality.DIMENSIONS)
    assert found.as_dict("en")["score"] == found.score
    fields = quality.index_fields(found)
    assert fields["quality_sort"] == f"{found.score:03d}" and fields["quality_band"] == found.band


def test_bands_and_other_datasets():
    assert [quality.band_of(s) for s in (100, 80, 79, 50, 49, 0)] == [
        "good",
        "good",
        "fair",
        "fair",
        "poor",
        "poor",
    ]
    assert quality.assess({"type": "dataset", "name": "x"}) is None
