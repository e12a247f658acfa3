"""Validators that the scheming schemas name (registered through ``logic.validators``).

Most are *scheming validators*: called with the field and the schema, they
return a navl validator, so that every error message starts with the field's
label in the user's language (see ``core.messages``). Cross-field rules
(stars only for ratable types, expiry after issue, …) read the other field's
raw value and parse it themselves, so they do not depend on the order in
which navl visits keys; a bad value of the other field is reported by that
field's own validator.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Collection
from typing import Any

import ckan.model as model
from ckan.lib.navl.dictization_functions import StopOnError, missing

from ckanext.khtourism.core import messages, roles, states

from . import geo, identity, vocabularies

Validator = Callable[[Any, dict, dict, dict], None]
SchemingFactory = Callable[[dict, dict], Validator]
Cleaner = Callable[[str], str | None]

ACCOMMODATION_TYPES_WITH_STARS = (
    "khach_san",
    "biet_thu_du_lich",
    "can_ho_du_lich",
    "tau_thuy_luu_tru",
)
STAR_VALUES = ("1", "2", "3", "4", "5")

ENTERPRISE_CODE = re.compile(r"^(\d{10})(?:-?(\d{3}))?$")
CARD_NUMBER = re.compile(r"^\d{9}$")
# Lenient on purpose: the licence number grammar is uncertain (see the reference
# notes) and spacing varies, e.g. "56-173/2022/CDLQGVN-GP LHQT", "79-0486/2025/SDL-GP LHNĐ".
LICENCE_NUMBER = re.compile(
    r"^\d{2}\s*-\s*\d{1,5}\s*/\s*(19|20)\d{2}\s*/\s*[A-ZĐ]{2,10}\s*-\s*GP\s*[-\s]?\s*LH(QT|NĐ|ND)$",
    re.IGNORECASE,
)
# Household-business registration certificate numbers (giấy chứng nhận đăng ký hộ kinh
# doanh) and the Department's register / star-rating decision numbers follow local
# grammars ("37A8012345", "37.E.8.000123", "123/QĐ-SVHTTDL"): letters, digits and . - /.
HOUSEHOLD_NUMBER = re.compile(r"^[0-9A-ZĐ][0-9A-ZĐ./-]{4,29}$")
REGISTER_NUMBER = re.compile(r"^[0-9A-ZĐ][0-9A-ZĐ./ -]{0,39}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE = re.compile(r"^\+?[0-9().\-\s]{6,24}$")
TIME_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
URL = re.compile(r"^https?://[^\s/]+\.[^\s]+$")


def scheming(fn: Callable[[dict, dict], Validator]) -> Callable[[dict, dict], Validator]:
    """Mark ``fn(field, schema)`` as a scheming validator factory."""
    fn.is_a_scheming_validator = True  # type: ignore[attr-defined]
    return fn


def _empty(value: Any) -> bool:
    return value is missing or value is None or value == "" or value == []


def _error(errors: dict, key: Any, field: dict, message_key: str, **values: Any) -> None:
    errors[key].append(messages.field_error(field, message_key, **values))


def _other(data: dict, name: str) -> Any:
    value = data.get((name,), missing)
    return None if _empty(value) else value


def parse_date(value: Any) -> dt.date | None:
    """ISO ``YYYY-MM-DD`` (or a date/datetime, or Vietnamese ``DD/MM/YYYY``); None if unparseable."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text[:10] if fmt == "%Y-%m-%d" else text, fmt).date()
        except ValueError:
            continue
    return None


def parse_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = str(value).strip().replace(" ", "")
    if re.fullmatch(r"[+-]?\d+", text):
        return int(text)
    return None


@scheming
def khtourism_required(field: dict, schema: dict) -> Validator:
    def validator(key, data, errors, context):
        if _empty(data.get(key, missing)) or (isinstance(data[key], str) and not data[key].strip()):
            _error(errors, key, field, "required")
            raise StopOnError

    return validator


@scheming
def khtourism_optional(field: dict, schema: dict) -> Validator:
    """Stop validation of an empty value (stored as empty)."""

    def validator(key, data, errors, context):
        value = data.get(key, missing)
        if _empty(value) or (isinstance(value, str) and not value.strip()):
            data[key] = ""
            raise StopOnError

    return validator


def _choice_values(field: dict) -> list[str]:
    if "choices" in field:
        return [str(c["value"]) for c in field["choices"]]
    if "choices_helper" in field:
        from ckanext.scheming.helpers import scheming_field_choices

        return [str(c["value"]) for c in scheming_field_choices(field)]
    return []


@scheming
def khtourism_choice(field: dict, schema: dict) -> Validator:
    """One value of the field's choices (codes are stable; labels are not checked)."""

    def validator(key, data, errors, context):
        value = data[key]
        if _empty(value):
            return
        value = str(value).strip()
        allowed = _choice_values(field)
        if value not in allowed:
            _error(errors, key, field, "unknown_choice", value=value, choices=", ".join(allowed))
            raise StopOnError
        data[key] = value

    return validator


@scheming
def khtourism_multiple_choice(field: dict, schema: dict) -> Validator:
    """Zero or more choices (a list, or a comma-separated string); stored as a JSON list."""

    def validator(key, data, errors, context):
        value = data[key]
        if _empty(value):
            data[key] = json.dumps([])
            return
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                try:
                    value = json.loads(text)
                except (ValueError, RecursionError):
                    value = [text]
            else:
                value = [v.strip() for v in text.split(",") if v.strip()]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            _error(errors, key, field, "not_a_list")
            raise StopOnError
        allowed = _choice_values(field)
        unknown = [v for v in value if v not in allowed]
        if unknown:
            _error(
                errors,
                key,
                field,
                "unknown_choice",
                value=", ".join(unknown),
                choices=", ".join(allowed),
            )
            raise StopOnError
        data[key] = json.dumps([v for v in allowed if v in set(value)])

    return validator


@scheming
def khtourism_admin_unit_from_point(field: dict, schema: dict) -> Validator:
    """The commune of a record that has none, found from its point (records/communes.py),
    and ``admin_unit_method`` saying how ("" when the source, the business or a curator
    gave the commune).

    First of ``admin_unit``'s validators, on every create and update (forms, API,
    harvests, batch imports). A given commune is never replaced: a changed or newly given
    ``admin_unit`` clears the method; a found one follows the point when the point moves;
    a save that leaves the method out (the form) keeps it while neither changes.
    """
    from . import communes

    method_key = ("admin_unit_method",)

    def validator(key, data, errors, context):
        sent = data.get(method_key, missing)
        sent = None if sent is missing or _empty(sent) else str(sent).strip()
        if sent is not None and sent not in communes.METHODS:
            return  # khtourism_admin_unit_method names the field in its error
        unit = None if _empty(data.get(key, missing)) else str(data[key]).strip()
        existing = _existing_extras(context, data)
        if existing is None:  # a new record: a method sent with a commune is believed
            method = sent if unit else None
        else:
            stored_unit = existing.get("admin_unit") or None
            method = (
                (sent or existing.get("admin_unit_method") or None) if unit == stored_unit else None
            )
            moved = communes.point_of(_raw(data, "spatial")) != communes.point_of(
                existing.get("spatial")
            )
            if method in communes.METHODS and moved:
                unit, method = None, None  # a found commune follows its point
        if unit is None:
            point = communes.point_of(_raw(data, "spatial"))
            found = _assign_commune(point) if point is not None else None
            if found is not None:
                unit, method = found.code, found.method
        data[key] = unit or ""
        data[method_key] = method if unit else ""

    return validator


def _raw(data: dict, name: str) -> Any:
    value = data.get((name,), missing)
    return None if value is missing else value


@scheming
def khtourism_admin_unit_method(field: dict, schema: dict) -> Validator:
    """One of records/communes.py's methods, or "" (set by ``khtourism_admin_unit_from_point``)."""
    from . import communes

    def validator(key, data, errors, context):
        value = data.get(key, missing)
        if value is missing or _empty(value):
            data[key] = ""
            return
        value = str(value).strip()
        if value not in communes.METHODS:
            _error(
                errors,
                key,
                field,
                "unknown_choice",
                value=value,
                choices=", ".join(communes.METHODS),
            )
            raise StopOnError
        data[key] = value

    return validator


def _assign_commune(point: tuple[float, float]) -> Any:
    """communes.assign, never failing a save: a broken boundary file is logged and the
    nearest centre used."""
    import logging

    from . import communes

    try:
        return communes.assign(*point)
    except communes.GeometryFileError as error:
        logging.getLogger(__name__).error(
            "%s", messages.text("commune_geometry_file", "en", detail=error)
        )
        return communes.nearest_centre(*point)


@scheming
def khtourism_date(field: dict, schema: dict) -> Validator:
    """A calendar date stored as ``YYYY-MM-DD``; ``not_future: true`` in the field refuses future dates."""

    def validator(key, data, errors, context):
        value = data[key]
        if _empty(value):
            return
        parsed = parse_date(value)
        if parsed is None:
            _error(errors, key, field, "bad_date", value=value)
            raise StopOnError
        if field.get("not_future") and parsed > dt.date.today():
            _error(errors, key, field, "future_date")
            raise StopOnError
        data[key] = parsed.isoformat()

    return validator


def khtourism_date_after(other_field: str) -> Callable[[dict, dict], Validator]:
    """This date must be later than the date in ``other_field`` (when both are given)."""

    @scheming
    def factory(field: dict, schema: dict) -> Validator:
        def validator(key, data, errors, context):
            mine = parse_date(data[key]) if not _empty(data[key]) else None
            other_raw = _other(data, other_field)
            other = parse_date(other_raw) if other_raw is not None else None
            if mine and other and mine <= other:
                _error(
                    errors,
                    key,
                    field,
                    "expiry_before_issue",
                    expiry=mine.isoformat(),
                    issue=other.isoformat(),
                )

        return validator

    return factory


@scheming
def khtourism_int(field: dict, schema: dict) -> Validator:
    """A whole number between the field's ``min`` and ``max`` (stored as text in extras)."""
    low, high = field.get("min", 0), field.get("max")

    def validator(key, data, errors, context):
        value = data[key]
        if _empty(value):
            return
        number = parse_int(value)
        if number is None:
            _error(errors, key, field, "bad_integer", value=value)
            raise StopOnError
        if number < low or (high is not None and number > high):
            _error(errors, key, field, "out_of_range", min=low, max=high, value=number)
            raise StopOnError
        data[key] = str(number)

    return validator


def khtourism_not_less_than(
    other_field: str, message_key: str
) -> Callable[[dict, dict], Validator]:
    """This number must be at least the number in ``other_field`` (when both are given)."""

    @scheming
    def factory(field: dict, schema: dict) -> Validator:
        def validator(key, data, errors, context):
            mine = parse_int(data[key]) if not _empty(data[key]) else None
            other_raw = _other(data, other_field)
            other = parse_int(other_raw) if other_raw is not None else None
            if mine is not None and other is not None and mine < other:
                values = {
                    "max_below_min": {"max": mine, "min": other},
                    "beds_below_rooms": {"beds": mine, "rooms": other},
                }[message_key]
                _error(errors, key, field, message_key, **values)

        return validator

    return factory


@scheming
def khtourism_establishment_id(field: dict, schema: dict) -> Validator:
    """The portal's establishment identifier: minted on create, then never changed.

    Whatever a form or an API call sends is ignored: the stored identifier is kept, and a
    record without one (a new record) gets the next one with the schema's ``id_prefix``.
    """
    prefix = str(field.get("id_prefix") or "KH")

    def validator(key, data, errors, context):
        existing = _existing_extras(context, data) or {}
        current = (
            existing.get(key[-1])
            or identity.stored(data.get(("id",)))
            or (identity.stored(data.get(("name",))) if context.get("package") else None)
        )
        data[key] = current or identity.mint(prefix)

    return validator


@scheming
def khtourism_tour_operator_ref(field: dict, schema: dict) -> Validator:
    """An existing tour-operator record, by name or id; stored as its name."""

    def validator(key, data, errors, context):
        value = data[key]
        if _empty(value):
            return
        text = str(value).strip()
        operator = model.Package.get(text)
        if operator is None or operator.type != "tour-operator" or operator.state != "active":
            _error(errors, key, field, "unknown_tour_operator", value=text)
            raise StopOnError
        data[key] = operator.name

    return validator


# ---------------------------------------------------------------- date-times (events)
# Event times are wall-clock times in Khánh Hòa: a time given without an offset is read
# in Asia/Ho_Chi_Minh (UTC+7, no daylight saving); one with an offset is converted to it.
# Stored as ISO 8601 with the offset, to the minute: ``2026-06-05T19:00:00+07:00``.
LOCAL_TIMEZONE = "Asia/Ho_Chi_Minh"
_DATETIME_FORMATS = (
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %Hh%M",
)


def local_timezone() -> dt.tzinfo:
    from zoneinfo import ZoneInfo

    return ZoneInfo(LOCAL_TIMEZONE)


def parse_datetime(value: Any, date_only_time: str = "00:00") -> dt.datetime | None:
    """A date-time in Asia/Ho_Chi_Minh, or None if unparseable.

    ISO 8601 (``2026-06-05T19:00``, with or without seconds, offset or ``Z``),
    ``2026-06-05 19:00``, Vietnamese ``05/06/2026 19:00`` (or ``19h00``); a date alone
    takes ``date_only_time`` (an event's end date means the end of that day).
    """
    zone = local_timezone()
    parsed = _naive_or_aware_datetime(value, date_only_time)
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=zone)
    return parsed.astimezone(zone)


def _naive_or_aware_datetime(value: Any, date_only_time: str) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time.fromisoformat(date_only_time))
    text = str(value).strip()
    if len(text) == 10 and "T" not in text and ":" not in text:
        # a date alone ("2027-06-05", "05/06/2027") takes the field's time of day
        day = parse_date(text)
        return dt.datetime.combine(day, dt.time.fromisoformat(date_only_time)) if day else None
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        pass
    for fmt in _DATETIME_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


def format_datetime(value: dt.datetime) -> str:
    return value.replace(second=0, microsecond=0).isoformat()


@scheming
def khtourism_datetime(field: dict, schema: dict) -> Validator:
    """A date-time in Asia/Ho_Chi_Minh, stored as ``YYYY-MM-DDTHH:MM:00+07:00``.

    The field's ``date_only_time`` (default ``00:00``) completes a date given alone.
    """
    date_only_time = str(field.get("date_only_time") or "00:00")

    def validator(key, data, errors, context):
        value = data[key]
        if _empty(value):
            return
        parsed = parse_datetime(value, date_only_time)
        if parsed is None:
            _error(errors, key, field, "bad_datetime", value=value)
            raise StopOnError
        data[key] = format_datetime(parsed)

    return validator


def khtourism_datetime_not_before(other_field: str) -> Callable[[dict, dict], Validator]:
    """This date-time (an end) must not be before the one in ``other_field`` (the start)."""

    @scheming
    def factory(field: dict, schema: dict) -> Validator:
        date_only_time = str(field.get("date_only_time") or "00:00")

        def validator(key, data, errors, context):
            mine = parse_datetime(data[key], date_only_time) if not _empty(data[key]) else None
            other_raw = _other(data, other_field)
            other = parse_datetime(other_raw) if other_raw is not None else None
            if mine and other and mine < other:
                _error(
                    errors,
                    key,
                    field,
                    "end_before_start",
                    end=format_datetime(mine),
                    start=format_datetime(other),
                )

        return validator

    return factory


# ---------------------------------------------------------------- links to other records


def _record_of_types(ref: str, types: Collection[str]) -> Any:
    """The active record ``ref`` (name or id) if its type is one of ``types``."""
    record = model.Package.get(ref)
    if record is None or record.type not in types or record.state != "active":
        return None
    return record


def _ref_list(value: Any) -> list[str]:
    """Names or ids from a list, a JSON list, or comma-separated text (a form's text box
    may show a stored list as ``['a', 'b']``)."""
    items: list[Any]
    if isinstance(value, list):
        items = value
    else:
        text = str(value).strip()
        loaded: Any = None
        if text.startswith("["):
            try:
                loaded = json.loads(text)
            except (ValueError, RecursionError):
                loaded = None
        if isinstance(loaded, list):
            items = loaded
        else:
            items = [part.strip(" \t\n[]'\"") for part in text.split(",")]
    return [str(item).strip() for item in items if str(item).strip()]


def khtourism_record_ref(*types: str) -> Callable[[dict, dict], Validator]:
    """One existing record of one of ``types`` (by name or id); stored as its name."""
    allowed = tuple(t.strip() for t in types if t.strip())

    @scheming
    def factory(field: dict, schema: dict) -> Validator:
        def validator(key, data, errors, context):
            value = data[key]
            if _empty(value):
                return
            text = str(value).strip()
            record = _record_of_types(text, allowed)
            if record is None:
                _error(errors, key, field, "unknown_record", value=text, types=", ".join(allowed))
                raise StopOnError
            data[key] = record.name

        return validator

    return factory


def khtourism_record_refs(*types: str) -> Callable[[dict, dict], Validator]:
    """Zero or more existing records of ``types`` (a list, a JSON list or comma-separated
    names or ids); stored as a JSON list of their names, in the given order, once each."""
    allowed = tuple(t.strip() for t in types if t.strip())

    @scheming
    def factory(field: dict, schema: dict) -> Validator:
        def validator(key, data, errors, context):
            value = data[key]
            if _empty(value):
                data[key] = json.dumps([])
                return
            names: list[str] = []
            unknown: list[str] = []
            for ref in _ref_list(value):
                record = _record_of_types(ref, allowed)
                if record is None:
                    unknown.append(ref)
                elif record.name not in names:
                    names.append(record.name)
            if unknown:
                _error(
                    errors,
                    key,
                    field,
                    "unknown_record",
                    value=", ".join(unknown),
                    types=", ".join(allowed),
                )
                raise StopOnError
            data[key] = json.dumps(names)

        return validator

    return factory


def _field_label(schema: dict, name: str) -> str:
    for other in schema.get("dataset_fields", []):
        if other.get("field_name") == name:
            return messages.label_text(other.get("label")) or name
    return name


def khtourism_required_unless(other_field: str) -> Callable[[dict, dict], Validator]:
    """Required when ``other_field`` is empty (an event's venue: a linked place or a point)."""

    @scheming
    def factory(field: dict, schema: dict) -> Validator:
        def validator(key, data, errors, context):
            if _empty(data.get(key, missing)) and _other(data, other_field) is None:
                _error(
                    errors, key, field, "required_unless", other=_field_label(schema, other_field)
                )
                raise StopOnError

        return validator

    return factory


def khtourism_empty_when(other_field: str, other_value: str) -> Callable[[dict, dict], Validator]:
    """Must be empty when ``other_field`` holds ``other_value`` (no recognition decision
    for a tourist area that is not recognised)."""

    @scheming
    def factory(field: dict, schema: dict) -> Validator:
        def validator(key, data, errors, context):
            if _empty(data.get(key, missing)) or (
                isinstance(data[key], str) and not data[key].strip()
            ):
                return
            if str(_other(data, other_field) or "").strip() == other_value:
                _error(
                    errors,
                    key,
                    field,
                    "empty_when",
                    other=_field_label(schema, other_field),
                    value=other_value,
                )
                raise StopOnError

        return validator

    return factory


# ---------------------------------------------------------------- tourist transport

# A road vehicle's registration plate (biển số): 2-digit locality, a series of 1–2
# letters (motorcycles: a letter and a digit), then 5 digits (``123.45``) or, on older
# plates, 4: ``79B-123.45``, ``51F12345``, ``79LD-012.34``, ``79A-1234``. Tried in this
# order, so that ``79B12345`` is series B with 5 digits, not series B1 with 4.
ROAD_PLATES = (
    re.compile(r"^(\d{2}[A-Z]{1,2})-?(\d{3})\.?(\d{2})$"),
    re.compile(r"^(\d{2}[A-Z]{1,2})-?(\d{4})$"),
    re.compile(r"^(\d{2}[A-Z]\d)-?(\d{3})\.?(\d{2})$"),
    re.compile(r"^(\d{2}[A-Z]\d)-?(\d{4})$"),
)
# Vessels, cable cars, aircraft: registration numbers of other registers (``KH-1234``,
# ``VN-A123``): letters, digits and . - / only.
OTHER_REGISTRATION = re.compile(r"^[0-9A-ZĐ][0-9A-ZĐ./-]{1,29}$")


def road_plate(text: str) -> str | None:
    """A road plate written as ``79B-123.45`` (or ``79A-1234``), else None."""
    compact = re.sub(r"\s", "", text).upper()
    for pattern in ROAD_PLATES:
        match = pattern.match(compact)
        if match:
            groups = match.groups()
            return f"{groups[0]}-{groups[1]}" + (f".{groups[2]}" if len(groups) == 3 else "")
    return None


@scheming
def khtourism_registration_plate(field: dict, schema: dict) -> Validator:
    """The registration plate of a road vehicle (``transport_mode`` road), normalised to
    ``79B-123.45``; for other modes, the registration number of their register."""

    def validator(key, data, errors, context):
        value = data[key]
        if _empty(value):
            return
        text = str(value).strip()
        if _other(data, "transport_mode") == "road":
            cleaned = road_plate(text)
            if cleaned is None:
                _error(errors, key, field, "bad_road_plate", value=text)
                raise StopOnError
        else:
            cleaned = _single_spaced_upper(text).replace(" ", "")
            if not OTHER_REGISTRATION.match(cleaned):
                _error(errors, key, field, "bad_registration", value=text)
                raise StopOnError
        data[key] = cleaned

    return validator


@scheming
def khtourism_vehicle_category(field: dict, schema: dict) -> Validator:
    """The category must fit the record: each choice of the field may name its ``modes``
    (the ``transport_mode`` values it belongs to) and its ``seats`` ([fewest, most], the
    bands of Circular 42/2017/TT-BGTVT for cars and coaches) in the schema."""

    def validator(key, data, errors, context):
        value = data[key]
        if _empty(value):
            return
        choice = next((c for c in field.get("choices", []) if str(c["value"]) == value), None)
        if choice is None:
            return  # khtourism_choice names an unknown value
        mode = _other(data, "transport_mode")
        modes = choice.get("modes")
        if mode and modes and mode not in modes:
            _error(errors, key, field, "category_not_for_mode", value=value, mode=mode)
            return
        seats_raw = _other(data, "seats")
        seats = parse_int(seats_raw) if seats_raw is not None else None
        band = choice.get("seats")
        # fewer than 1 seat is the seats field's own error
        if seats is not None and seats >= 1 and band and not band[0] <= seats <= band[1]:
            _error(
                errors,
                key,
                field,
                "category_seats",
                value=value,
                seats=seats,
                fewest=band[0],
                most=band[1],
            )

    return validator


# ---------------------------------------------------------------- single-value text fields
# Each is the same validator (``text_validator``) given its data: how the given text is
# cleaned into the stored text (None: not acceptable) and the message naming the field.


def text_validator(message_key: str, clean: Callable[[str], str | None]) -> SchemingFactory:
    """A scheming validator of a one-value text field: an empty value is left alone; any
    other is stored as ``clean(text)``, or refused with ``message_key`` when that is None."""

    @scheming
    def factory(field: dict, schema: dict) -> Validator:
        def validator(key, data, errors, context):
            value = data[key]
            if _empty(value):
                return
            cleaned = clean(str(value))
            if cleaned is None:
                _error(errors, key, field, message_key, value=value)
                raise StopOnError
            data[key] = cleaned

        return validator

    return factory


def _stripped(text: str) -> str:
    return text.strip()


def _single_spaced(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip())


def _single_spaced_upper(text: str) -> str:
    return _single_spaced(text).upper()


def _matching(pattern: re.Pattern, prepare: Callable[[str], str] = _stripped) -> Cleaner:
    """The prepared text, if ``pattern`` matches it."""

    def clean(text: str) -> str | None:
        prepared = prepare(text)
        return prepared if pattern.match(prepared) else None

    return clean


def _one_of(allowed: Callable[[], Collection[str]]) -> Cleaner:
    """The stripped text, if it is one of ``allowed()`` (a vocabulary's codes)."""

    def clean(text: str) -> str | None:
        stripped = text.strip()
        return stripped if stripped in allowed() else None

    return clean


def _code_with_branch(ignored: str) -> Cleaner:
    """10 digits, or 13 (a branch or dependent unit) stored as ``NNNNNNNNNN-NNN``; the
    characters in ``ignored`` are dropped."""

    def clean(text: str) -> str | None:
        text = text.strip()
        for character in ignored:
            text = text.replace(character, "")
        match = ENTERPRISE_CODE.match(text)
        if not match:
            return None
        return match.group(1) + (f"-{match.group(2)}" if match.group(2) else "")

    return clean


def _time_text(text: str) -> str | None:
    text = text.strip()
    if re.fullmatch(r"\d:\d\d", text):
        text = "0" + text
    return text if TIME_HHMM.match(text) else None


def _province_code(text: str) -> str | None:
    """A 2-digit province code (56 is Khánh Hòa; older cards name pre-2025 provinces)."""
    text = text.strip().zfill(2)
    return text if re.fullmatch(r"\d{2}", text) and 1 <= int(text) <= 96 else None


def _phone_number(text: str) -> str | None:
    text = text.strip()
    return text if PHONE.match(text) and sum(ch.isdigit() for ch in text) >= 6 else None


khtourism_admin_unit = text_validator("unknown_admin_unit", _one_of(vocabularies.admin_units))
khtourism_former_district = text_validator(
    "unknown_former_district", _one_of(vocabularies.former_districts)
)
khtourism_time = text_validator("bad_time", _time_text)
khtourism_enterprise_code = text_validator("enterprise_code", _code_with_branch(" "))
khtourism_tax_code = text_validator("tax_code", _code_with_branch(" ."))
# [uncertain structure] in the reference: validated as exactly 9 digits.
khtourism_card_number = text_validator("card_number", _matching(CARD_NUMBER))
# [uncertain grammar] in the reference: lenient pattern, spacing normalised.
khtourism_licence_number = text_validator(
    "licence_number", _matching(LICENCE_NUMBER, _single_spaced)
)
# a household-business registration certificate number (letters, digits, . - /)
khtourism_household_business_number = text_validator(
    "household_business_number", _matching(HOUSEHOLD_NUMBER, _single_spaced_upper)
)
# the Department's accommodation register number or star-rating decision number
khtourism_register_number = text_validator(
    "register_number", _matching(REGISTER_NUMBER, _single_spaced_upper)
)
khtourism_province_code = text_validator("bad_province", _province_code)
khtourism_email = text_validator("bad_email", _matching(EMAIL))
khtourism_url = text_validator("bad_url", _matching(URL))
khtourism_phone = text_validator("bad_phone", _phone_number)


def _geometry_validator(field: dict, normalise: Callable[[Any], str]) -> Validator:
    def validator(key, data, errors, context):
        value = data[key]
        if _empty(value):
            return
        try:
            data[key] = normalise(value)
        except geo.GeometryError as error:
            _error(errors, key, field, error.key, **error.values)
            raise StopOnError from None

    return validator


@scheming
def khtourism_point(field: dict, schema: dict) -> Validator:
    """GeoJSON Point (WGS84) inside the province extent."""
    return _geometry_validator(field, geo.normalise_point)


@scheming
def khtourism_area(field: dict, schema: dict) -> Validator:
    """GeoJSON Polygon or MultiPolygon, valid, inside the province extent."""
    return _geometry_validator(field, geo.normalise_area)


@scheming
def khtourism_star_rating(field: dict, schema: dict) -> Validator:
    """Stars (1–5) only for the four ratable accommodation types (Law on Tourism art. 50)."""

    def validator(key, data, errors, context):
        value = data[key]
        if _empty(value) or str(value) not in STAR_VALUES:
            return
        accommodation_type = _other(data, "accommodation_type")
        if accommodation_type and accommodation_type not in ACCOMMODATION_TYPES_WITH_STARS:
            _error(errors, key, field, "stars_not_allowed", type=accommodation_type)

    return validator


@scheming
def khtourism_hotel_subtype(field: dict, schema: dict) -> Validator:
    def validator(key, data, errors, context):
        if _empty(data[key]):
            return
        accommodation_type = _other(data, "accommodation_type")
        if accommodation_type and accommodation_type != "khach_san":
            _error(errors, key, field, "hotel_subtype_only_hotels")

    return validator


@scheming
def khtourism_card_status(field: dict, schema: dict) -> Validator:
    """``revoked`` is kept as given; otherwise ``valid``/``expired`` follows the expiry date."""

    def validator(key, data, errors, context):
        value = "" if _empty(data[key]) else str(data[key]).strip()
        allowed = _choice_values(field)
        if value and value not in allowed:
            _error(errors, key, field, "unknown_choice", value=value, choices=", ".join(allowed))
            raise StopOnError
        if value == "revoked":
            return
        expiry_raw = _other(data, "card_expiry_date")
        expiry = parse_date(expiry_raw) if expiry_raw is not None else None
        if expiry is not None:
            data[key] = "expired" if expiry < dt.date.today() else "valid"
        elif not value:
            data[key] = "valid"

    return validator


def _existing_extras(context: dict, data: dict) -> dict[str, str] | None:
    """Stored extras of the dataset being updated (None on create)."""
    package = context.get("package")
    if package is None:
        return None
    # A context may carry the package of an earlier call: use it only when the
    # data being validated names it (creates name a new package).
    refs = {data.get((k,)) for k in ("id", "name")} - {missing, None, ""}
    if not refs & {package.id, package.name}:
        return None
    return dict(package.extras)


def _may_write_workflow_fields(context: dict) -> bool:
    if context.get(states.WORKFLOW_CONTEXT_FLAG):
        return True
    if context.get("ignore_auth") and not context.get("user"):
        return True  # internal calls (e.g. CLI, harvester site user)
    return roles.is_curator(roles.context_user(context))


@scheming
def khtourism_workflow_state(field: dict, schema: dict) -> Validator:
    """The curation state: written by the workflow actions (or curators) only.

    Whatever the state, CKAN's ``private`` flag is set from it: a record is
    public exactly when it is published.
    """

    def validator(key, data, errors, context):
        existing = _existing_extras(context, data)
        current = states.current_state(existing) if existing is not None else states.DRAFT
        value = data.get(key, missing)
        value = current if _empty(value) else str(value).strip()
        if value != current and not _may_write_workflow_fields(context):
            _error(errors, key, field, "workflow_field_locked")
            raise StopOnError
        if value not in states.STATES:
            _error(
                errors, key, field, "unknown_choice", value=value, choices=", ".join(states.STATES)
            )
            raise StopOnError
        data[key] = value
        data[("private",)] = not states.is_public_state(value)

    return validator


@scheming
def khtourism_workflow_field(field: dict, schema: dict) -> Validator:
    """Another workflow field (the rejection reason): kept unless written by the workflow."""

    def validator(key, data, errors, context):
        existing = _existing_extras(context, data) or {}
        current = existing.get(key[-1], "")
        value = data.get(key, missing)
        if value is missing:
            data[key] = current
            return
        value = "" if value is None else str(value)
        if value != current and not _may_write_workflow_fields(context):
            _error(errors, key, field, "workflow_field_locked")
            raise StopOnError
        data[key] = value

    return validator


@scheming
def khtourism_keep_if_missing(field: dict, schema: dict) -> Validator:
    """A value left out of an update keeps the stored one (send "" to clear).

    Used for a guide's personal data (readers who may not see it get records
    without these fields; sending such a record back must not erase them) and
    for provenance fields that forms do not show.
    """

    def validator(key, data, errors, context):
        if data.get(key, missing) is missing:
            existing = _existing_extras(context, data) or {}
            data[key] = existing.get(key[-1], "")

    return validator


def khtourism_name_from_title(key: Any, data: dict, errors: dict, context: dict) -> None:
    """An empty URL name is made from the title, diacritics folded as the harvester does
    ("Khách sạn UX Hải Âu" -> "khach-san-ux-hai-au"), so a form sent without the slug
    script still gets a readable name."""
    from ckanext.khtourism.core.slugs import slug

    value = data.get(key, missing)
    if not _empty(value) and not (isinstance(value, str) and not value.strip()):
        return
    title = data.get(("title",), missing)
    if isinstance(title, str) and title.strip():
        data[key] = slug(title, "")


def khtourism_default_license(value: Any) -> Any:
    """An empty licence becomes the portal's default (``ckanext.khtourism.default_license``)."""
    from .licenses import default_license

    if value is missing or value is None or (isinstance(value, str) and not value.strip()):
        return default_license()
    return value


def khtourism_strip(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip()
    return value


__all__ = [
    "khtourism_required",
    "khtourism_optional",
    "khtourism_choice",
    "khtourism_multiple_choice",
    "khtourism_admin_unit",
    "khtourism_admin_unit_from_point",
    "khtourism_admin_unit_method",
    "khtourism_former_district",
    "khtourism_date",
    "khtourism_date_after",
    "khtourism_time",
    "khtourism_int",
    "khtourism_not_less_than",
    "khtourism_enterprise_code",
    "khtourism_household_business_number",
    "khtourism_register_number",
    "khtourism_tax_code",
    "khtourism_establishment_id",
    "khtourism_card_number",
    "khtourism_licence_number",
    "khtourism_province_code",
    "khtourism_tour_operator_ref",
    "khtourism_datetime",
    "khtourism_datetime_not_before",
    "khtourism_record_ref",
    "khtourism_record_refs",
    "khtourism_required_unless",
    "khtourism_empty_when",
    "khtourism_registration_plate",
    "khtourism_vehicle_category",
    "khtourism_email",
    "khtourism_url",
    "khtourism_phone",
    "khtourism_point",
    "khtourism_area",
    "khtourism_star_rating",
    "khtourism_hotel_subtype",
    "khtourism_card_status",
    "khtourism_workflow_state",
    "khtourism_workflow_field",
    "khtourism_keep_if_missing",
    "khtourism_strip",
    "khtourism_name_from_title",
    "khtourism_default_license",
]
