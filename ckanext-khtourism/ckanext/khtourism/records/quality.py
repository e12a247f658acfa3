"""The metadata quality of one tourism record: one score, six dimensions, the fixes.

What data.europa.eu's Metadata Quality Assessment does for a catalogue, per record. Every
output (the record page, the business and curator dashboards, the search index, the
tourism API, DCAT's W3C DQV measurements) reads :func:`assess`; nothing else computes a
score. What each type expects is its declaration's ``quality:`` block
(``schemas/<type>.yaml``, read by ``core/record_types.py``): ``recommended`` fields,
``credential_expiry`` fields and whether a licensed ``photo`` counts.

Dimensions (each a value 0–1, or ``None`` when it does not apply to the record):

- ``completeness``: the share of the type's recommended fields that hold a value;
- ``validity``: stored values that are well formed (e-mail, web addresses, a point in the
  province, minimum ≤ maximum price, start ≤ end, issue ≤ expiry);
- ``location``: the point lies in the record's commune. The portal ships commune
  *centres* only (``records/communes.py``); with a boundary file configured the check is
  by boundary, else the commune whose centre is nearest is compared — an estimate: a
  mismatch counts half and is shown as "to be checked";
- ``freshness``: ``last_verified`` no older than :data:`FRESH_DAYS`;
- ``credentials``: no declared expiry date (licence, card, recognition) in the past;
- ``photo``: an image resource on a record with a licence.

The score is the mean of the dimensions that apply, as a whole percent; the band is
``good`` (≥ 80), ``fair`` (≥ 50) or ``poor``.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field
from typing import Any

from ckanext.khtourism.core import formats, messages, record_types

DIMENSIONS = ("completeness", "validity", "location", "freshness", "credentials", "photo")
BANDS = ("good", "fair", "poor")
SCORE_LABEL = messages.N_("Metadata quality score (0–100)")
DIMENSION_LABELS = {
    "completeness": messages.N_("Completeness of the recommended fields"),
    "validity": messages.N_("Valid values"),
    "location": messages.N_("Point inside its commune"),
    "freshness": messages.N_("Verified within 12 months"),
    "credentials": messages.N_("Licence, card or recognition in force"),
    "photo": messages.N_("A photo with a licence"),
}
GOOD, FAIR = 80, 50
FRESH_DAYS = 365
IMAGE_FORMATS = frozenset({"JPG", "JPEG", "PNG", "WEBP", "GIF", "TIF", "TIFF", "AVIF"})
IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp", ".gif", ".tif", ".tiff", ".avif")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_URL = re.compile(r"^https?://[^\s/]+\.[^\s]+$", re.IGNORECASE)
_NO_LICENCE = ("", "notspecified", "other-closed")
_FIELD_KEYS = frozenset({"field", "low", "high", "start", "end"})
_COMMUNE_KEYS = frozenset({"found", "given"})


@dataclass(frozen=True)
class Fix:
    """One thing to do, as a message key of ``core/messages.py`` and its values."""

    dimension: str
    key: str
    values: tuple[tuple[str, str], ...] = ()

    def text(self, dataset_type: str, lang: str | None = None, page: bool = False) -> str:
        """The fix in ``lang``: field names as the type's labels, communes by name; on a
        ``page``, dates as readers expect them (``01/03/2026``; the API keeps ISO)."""
        return _fix_text(self, dataset_type, lang or messages.current_language(), page)


# A fix's text depends on nothing but the fix, the type, the language and the page flag
# (the catalogues, labels and commune names are fixed for the process): an API page of 20
# records writes ~300 fixes, most of them the same few "missing field" texts.
@functools.lru_cache(maxsize=8192)
def _fix_text(fix: Fix, dataset_type: str, lang: str, page: bool) -> str:
    labels = field_labels(dataset_type)
    values = {}
    for k, v in fix.values:
        if k in _FIELD_KEYS and v in labels:
            v = messages.label_text(labels[v], lang)
        elif k in _COMMUNE_KEYS:
            from . import vocabularies

            v = vocabularies.admin_unit_label(v, lang)
        elif k == "date" and page:
            v = formats.display_date(v, lang)
        values[k] = v
    return messages.text(fix.key, lang, **values)


@dataclass(frozen=True)
class Quality:
    dataset_type: str
    score: int  # 0–100
    band: str  # good / fair / poor
    dimensions: dict[str, float | None]
    fixes: tuple[Fix, ...] = field(default=())
    stale: bool = False  # not verified within FRESH_DAYS (or never)

    def fix_texts(self, lang: str | None = None, page: bool = False) -> list[str]:
        return [f.text(self.dataset_type, lang, page) for f in self.fixes]

    def as_dict(self, lang: str | None = None, page: bool = False) -> dict[str, Any]:
        """The API's ``quality`` object (``page``: for a page, see ``Fix.text``)."""
        return {
            "score": self.score,
            "band": self.band,
            "dimensions": {
                k: (None if v is None else round(v, 3)) for k, v in self.dimensions.items()
            },
            "stale": self.stale,
            "fixes": self.fix_texts(lang, page),
        }


def dimension_label(name: str, lang: str | None = None) -> str:
    return messages.translate(DIMENSION_LABELS[name], lang)


def _today() -> dt.date:
    """The day quality is assessed on (one place, so a test can move the calendar)."""
    return dt.date.today()


def band_of(score: int) -> str:
    return "good" if score >= GOOD else "fair" if score >= FAIR else "poor"


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {} or value == "[]"


def _date(value: Any) -> dt.date | None:
    if _empty(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        return None


def _number(value: Any) -> float | None:
    try:
        return None if _empty(value) else float(str(value).replace(",", "").strip())
    except ValueError:
        return None


@functools.cache
def field_labels(dataset_type: str) -> dict[str, Any]:
    """field name -> its scheming label (``{vi, en}``), presets resolved."""
    rt = record_types.get(dataset_type)
    schema = record_types.load_schema(rt.schema_file)
    presets = {
        p["preset_name"]: p.get("values") or {}
        for p in record_types.load_schema("presets.yaml").get("presets") or ()
    }
    labels: dict[str, Any] = {}
    for f in schema.get("dataset_fields") or ():
        merged = {**presets.get(f.get("preset"), {}), **f}
        if merged.get("field_name"):
            labels[str(merged["field_name"])] = merged.get("label") or merged["field_name"]
    return labels


def _fix(dimension: str, key: str, **values: Any) -> Fix:
    return Fix(dimension, key, tuple((k, str(v)) for k, v in values.items()))


@functools.lru_cache(maxsize=1024)
def _missing_field(name: str) -> Fix:
    """The same (immutable) fix for every record missing ``name``."""
    return _fix("completeness", "quality_missing_field", field=name)


def _completeness(
    rt: record_types.RecordType, record: dict[str, Any]
) -> tuple[float | None, list[Fix]]:
    fields = rt.quality_recommended
    if not fields:
        return None, []
    missing = [f for f in fields if _empty(record.get(f))]
    fixes = [_missing_field(f) for f in missing]
    return 1 - len(missing) / len(fields), fixes


def _validity(
    rt: record_types.RecordType, record: dict[str, Any]
) -> tuple[float | None, list[Fix]]:
    checks = 0
    fixes: list[Fix] = []
    for name in ("email",):
        if not _empty(record.get(name)):
            checks += 1
            if not _EMAIL.match(str(record[name]).strip()):
                fixes.append(_fix("validity", "quality_bad_email", field=name))
    for name in ("website", "ticket_url"):
        if not _empty(record.get(name)):
            checks += 1
            if not _URL.match(str(record[name]).strip()):
                fixes.append(_fix("validity", "quality_bad_url", field=name))
    low, high = _number(record.get("price_min_vnd")), _number(record.get("price_max_vnd"))
    if low is not None and high is not None:
        checks += 1
        if low > high:
            fixes.append(
                _fix("validity", "quality_min_above_max", low="price_min_vnd", high="price_max_vnd")
            )
    period = rt.option("period") or {}
    pairs: list[tuple[str | None, str]] = (
        [(period.get("start"), str(period.get("end")))] if period else []
    )
    for expiry in rt.quality_credential_expiry:
        issued = expiry.replace("expiry_date", "issue_date")
        pairs.append((issued if issued != expiry else None, expiry))
    for start, end in pairs:
        first = _date(record.get(start)) if start else None
        last = _date(record.get(end))
        if first and last:
            checks += 1
            if first > last:
                fixes.append(_fix("validity", "quality_start_after_end", start=start, end=end))
    from . import communes
    from .geo import inside_province

    if not _empty(record.get("spatial")):
        checks += 1
        point = communes.point_of(record.get("spatial"))
        if point is None or not inside_province(*point):
            fixes.append(_fix("validity", "quality_point_outside", field="spatial"))
    if not checks:
        return None, []
    return 1 - len(fixes) / checks, fixes


def _commune_of(lon: float, lat: float) -> Any:
    """``communes.assign`` (by boundary when a boundary file is configured); without one
    the nearest centre by a flat-earth distance, which ranks the centres of one province as
    the great-circle distance does, at a fraction of the cost (an API page scores 1,000
    records)."""
    import math

    from . import communes
    from .geo import inside_province

    if communes.boundary_file():
        return communes.assign(lon, lat)
    if not inside_province(lon, lat):
        return None
    codes, lons, lats = _centre_arrays(communes.centres())
    if not codes:
        return None
    scale = math.cos(math.radians(lat))
    nearest = int((((lons - lon) * scale) ** 2 + (lats - lat) ** 2).argmin())
    return communes.Assignment(codes[nearest], communes.NEAREST_CENTRE)


_CENTRE_ARRAYS: list[Any] = [None, None]  # [the centres table, its arrays]


def _centre_arrays(centres: dict[str, tuple[float, float]]) -> tuple[list[str], Any, Any]:
    """The communes' centres as arrays (one numpy pass finds the nearest), made once per
    centres table (``communes.centres()`` is itself cached: one table per process)."""
    import numpy as np

    if _CENTRE_ARRAYS[0] is not centres:
        codes = list(centres)
        arrays = (
            codes,
            np.array([centres[c][0] for c in codes], dtype=float),
            np.array([centres[c][1] for c in codes], dtype=float),
        )
        _CENTRE_ARRAYS[:] = [centres, arrays]
    return _CENTRE_ARRAYS[1]


def _location(
    rt: record_types.RecordType, record: dict[str, Any]
) -> tuple[float | None, list[Fix]]:
    if rt.is_person:
        return None, []
    from . import communes

    point = communes.point_of(record.get("spatial"))
    if point is None:
        return 0.0, [_fix("location", "quality_no_point")]
    code = str(record.get("admin_unit") or "").strip()
    if not code:
        return 0.0, [_fix("location", "quality_no_commune")]
    found = _commune_of(*point)
    if found is None:  # outside the province: validity says so
        return 0.0, []
    if found.code == code:
        return 1.0, []
    if found.method == communes.POLYGON:
        return 0.0, [_fix("location", "quality_point_other_commune", found=found.code, given=code)]
    return 0.5, [
        _fix("location", "quality_point_nearer_other_centre", found=found.code, given=code)
    ]


def _freshness(record: dict[str, Any], today: dt.date) -> tuple[float, list[Fix], bool]:
    verified = _date(record.get("last_verified"))
    if verified is None:
        return 0.0, [_fix("freshness", "quality_never_verified")], True
    if (today - verified).days > FRESH_DAYS:
        return (
            0.0,
            [_fix("freshness", "quality_not_verified_since", date=verified.isoformat())],
            True,
        )
    return 1.0, [], False


def _credentials(
    rt: record_types.RecordType, record: dict[str, Any], today: dt.date
) -> tuple[float | None, list[Fix]]:
    dated: list[tuple[str, dt.date]] = []
    for name in rt.quality_credential_expiry:
        value = _date(record.get(name))
        if value is not None:
            dated.append((name, value))
    if not dated:
        return None, []
    expired = [(f, d) for f, d in dated if d < today]
    fixes = [
        _fix("credentials", "quality_expired", field=f, date=d.isoformat()) for f, d in expired
    ]
    return 1 - len(expired) / len(dated), fixes


def is_image(resource: dict[str, Any]) -> bool:
    fmt = str(resource.get("format") or "").strip().upper().lstrip(".")
    mimetype = str(resource.get("mimetype") or "").lower()
    url = str(resource.get("url") or "").lower().split("?")[0]
    return fmt in IMAGE_FORMATS or mimetype.startswith("image/") or url.endswith(IMAGE_EXTENSIONS)


def _photo(rt: record_types.RecordType, record: dict[str, Any]) -> tuple[float | None, list[Fix]]:
    if not rt.quality_photo:
        return None, []
    images = [r for r in record.get("resources") or () if is_image(r)]
    licensed = str(record.get("license_id") or "").strip() not in _NO_LICENCE
    if images and licensed:
        return 1.0, []
    if not images:
        return 0.0, [_fix("photo", "quality_no_photo")]
    return 0.0, [_fix("photo", "quality_photo_no_licence")]


def assess(record: dict[str, Any], today: dt.date | None = None) -> Quality | None:
    """The quality of ``record`` (a dataset dict of a record type); None for other datasets."""
    dataset_type = record.get("type")
    if not record_types.is_record_type(dataset_type):
        return None
    rt = record_types.get(str(dataset_type))
    today = today or _today()
    fixes: list[Fix] = []
    values: dict[str, float | None] = {}
    for name, (value, found) in (
        ("completeness", _completeness(rt, record)),
        ("validity", _validity(rt, record)),
        ("location", _location(rt, record)),
    ):
        values[name] = value
        fixes.extend(found)
    fresh, found, stale = _freshness(record, today)
    values["freshness"] = fresh
    fixes.extend(found)
    for name, (value, found) in (
        ("credentials", _credentials(rt, record, today)),
        ("photo", _photo(rt, record)),
    ):
        values[name] = value
        fixes.extend(found)
    applicable = [v for v in values.values() if v is not None]
    score = round(100 * sum(applicable) / len(applicable)) if applicable else 0
    return Quality(rt.name, score, band_of(score), values, tuple(fixes), stale)


# The search index's fields (search/ engine): ``quality_band`` a facet, ``quality_sort``
# a sort key (zero-padded, the engine sorts a document field as text), ``quality_score``
# and ``quality_stale`` filters. Computed when the record is indexed: freshness and credential
# expiry move with the calendar, so these fields are as of the last indexing (the nightly
# ``ckan khtourism records quality-reindex`` re-indexes the records the calendar changed,
# :func:`calendar_changed`); the record page, the API item, DCAT and the dashboards' stale
# lists compute them at request time.
INDEX_FIELDS = ("quality_score", "quality_band", "quality_sort", "quality_stale")
SORT_FIELD = "quality_sort"
FACET = "quality_band"


def index_fields(quality: Quality) -> dict[str, Any]:
    return {
        "quality_score": quality.score,
        "quality_band": quality.band,
        "quality_sort": f"{quality.score:03d}",
        "quality_stale": "true" if quality.stale else "false",
    }


def before_index(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """Adds the quality fields to a record's search document."""
    import json

    if not record_types.is_record_type(pkg_dict.get("type") or pkg_dict.get("dataset_type")):
        return pkg_dict
    record = pkg_dict
    stored = pkg_dict.get("validated_data_dict") or pkg_dict.get("data_dict")
    if isinstance(stored, str):
        try:
            record = json.loads(stored)
        except ValueError:
            record = pkg_dict
    quality = assess({**record, "type": pkg_dict.get("type") or record.get("type")})
    if quality is not None:
        pkg_dict.update(index_fields(quality))
    return pkg_dict


def stale_records(
    org_ids: list[str] | None = None, today: dt.date | None = None
) -> list[dict[str, Any]]:
    """Active records not verified within :data:`FRESH_DAYS` (or never), oldest first:
    every business's (``org_ids`` None, the curators' list) or those of ``org_ids``. Read
    from ``last_verified`` itself, not the search index, so the list moves with the
    calendar."""
    import sqlalchemy as sa

    from ckan import model

    if org_ids is not None and not org_ids:
        return []
    cutoff = (today or _today()) - dt.timedelta(days=FRESH_DAYS)
    verified = (
        sa.select(model.PackageExtra.package_id, model.PackageExtra.value)
        .where(model.PackageExtra.key == "last_verified", model.PackageExtra.state == "active")
        .subquery()
    )
    query = (
        sa.select(
            model.Package.id,
            model.Package.name,
            model.Package.title,
            model.Package.type,
            model.Package.owner_org,
            verified.c.value,
        )
        .outerjoin(verified, verified.c.package_id == model.Package.id)
        .where(
            model.Package.type.in_(record_types.RECORD_TYPES),
            model.Package.state == "active",
        )
    )
    if org_ids is not None:
        query = query.where(model.Package.owner_org.in_(org_ids))
    rows = []
    for id_, name, title, type_, owner_org, value in model.Session.execute(query):
        last = _date(value)
        if last is None or last < cutoff:
            rows.append(
                {
                    "id": id_,
                    "name": name,
                    "title": title,
                    "type": type_,
                    "owner_org": owner_org,
                    "last_verified": last.isoformat() if last else None,
                }
            )
    rows.sort(key=lambda r: (r["last_verified"] or "", r["name"]))
    return rows


def business_overview(user_name: str, org_ids: list[str]) -> list[dict[str, Any]]:
    """The records of ``org_ids`` (drafts and private ones included, as the user may see
    them) with their quality, lowest score first: the business dashboard's table."""
    if not org_ids:
        return []
    import ckan.plugins.toolkit as tk

    found = tk.get_action("package_search")(
        {"user": user_name},
        {
            "fq": "owner_org:(" + " OR ".join(f'"{i}"' for i in org_ids) + ")"
            " +dataset_type:(" + " OR ".join(f'"{t}"' for t in record_types.RECORD_TYPES) + ")",
            "include_private": True,
            "include_drafts": True,
            "rows": 1000,
            "sort": f"{SORT_FIELD} asc, name asc",
        },
    )
    rows = []
    for pkg in found["results"]:
        quality = assess(pkg)
        if quality is None:
            continue
        rows.append(
            {
                "name": pkg["name"],
                "title": pkg.get("title") or pkg["name"],
                "type": pkg["type"],
                "score": quality.score,
                "band": quality.band,
                "stale": quality.stale,
                "fixes": len(quality.fixes),
            }
        )
    return rows


def calendar_changed(days: int = 1, today: dt.date | None = None) -> list[str]:
    """Ids of active records whose indexed quality the calendar changed in the last
    ``days`` days (up to ``today``): ``last_verified`` turned 12 months old, or a declared
    credential expiry date passed. ``ckan khtourism records quality-reindex`` re-indexes
    them (nightly)."""
    import sqlalchemy as sa

    from ckan import model

    today = today or _today()
    since = today - dt.timedelta(days=days)
    expiry_fields = sorted(
        {f for rt in record_types.declarations().values() for f in rt.quality_credential_expiry}
    )
    query = (
        sa.select(model.Package.id, model.PackageExtra.key, model.PackageExtra.value)
        .join(model.PackageExtra, model.PackageExtra.package_id == model.Package.id)
        .where(
            model.Package.type.in_(record_types.RECORD_TYPES),
            model.Package.state == "active",
            model.PackageExtra.state == "active",
            model.PackageExtra.key.in_(["last_verified", *expiry_fields]),
        )
    )
    ids = set()
    for package_id, key, value in model.Session.execute(query):
        date = _date(value)
        if date is None:
            continue
        # stale from the day after last_verified + FRESH_DAYS; expired from the day after expiry
        turned = (
            date + dt.timedelta(days=FRESH_DAYS + 1)
            if key == "last_verified"
            else (date + dt.timedelta(days=1))
        )
        if since < turned <= today:
            ids.add(package_id)
    return sorted(ids)
