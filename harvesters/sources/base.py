"""What every source reader returns, and the one error a whole source can fail with."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class SourceError(Exception):
    """The source as a whole could not be read: down, timed out, HTTP error,
    truncated or malformed content. Nothing from it may be imported or withdrawn."""


@dataclass
class SourceRecord:
    """One record as the source holds it."""

    ref: str  # where it is in the source, for reports: "row 7", "OBJECTID 12", "feature abc"
    properties: dict[str, Any]
    geometry: dict[str, Any] | None = None  # GeoJSON geometry, coordinates in the listing's CRS
    url: str | None = None  # the record's own URL at the source, when it has one
    problem: str | None = None  # a defect found while reading (e.g. a row with missing cells)
    # the source's own id of the record (a feature id / object id), None when it has none:
    # never the text "None" (see :func:`clean_id`); spreadsheet rows have none
    feature_id: str | None = None

    def as_content(self, crs: str | None) -> dict[str, Any]:
        return {
            "ref": self.ref,
            "properties": self.properties,
            "geometry": self.geometry,
            "crs": crs,
            "url": self.url,
            "problem": self.problem,
        }


@dataclass
class SourceListing:
    """Everything a source holds now."""

    records: list[SourceRecord] = field(default_factory=list)
    crs: str | None = None  # the CRS the geometries are in, as the source declared it
    # False when the reader knows it may have missed records (then nothing is withdrawn)
    complete: bool = True
    warnings: list[str] = field(default_factory=list)
    # True when every record should carry the source's own id (GIS layers): a record without
    # one is an error. False for registers, whose rows are identified by a key column or by
    # their name and address (harvesters/matching.py source_key).
    feature_ids: bool = True


MISSING_IDS = {"", "none", "null", "nan", "undefined"}


def clean_id(value: Any) -> str | None:
    """A source id as text, or None when it is missing (None, '', 'None', 'null', NaN …)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float):
        if value != value:  # NaN
            return None
        if value.is_integer():
            value = int(value)
    text = str(value).strip()
    return None if text.lower() in MISSING_IDS else text
