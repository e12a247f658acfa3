"""The portal's messages (validation errors, workflow and harvest refusals), by key.

Each message is an English msgid, translated through the gettext catalogue
(``theme/i18n/vi/LC_MESSAGES/ckanext-khtourism.po`` holds the Vietnamese; see
``docs/architecture.md``, "Translations"). Validation errors name the field with
its label in the user's language: ``"Hạng sao: …"`` on the Vietnamese site (the
default locale) and ``"Star rating: …"`` on ``/en/…`` pages. Inside a request the
request's language applies; ``lang=`` asks for a given language (API responses,
the CLI); outside a request without ``lang``, the portal's default language.
"""

from __future__ import annotations

from typing import Any

import flask

import ckan.plugins.toolkit as tk

from ckanext.khtourism.core import i18n


def N_(msgid: str) -> str:
    """Marks ``msgid`` for extraction (``make i18n``); translated where it is shown."""
    return msgid


MESSAGES: dict[str, str] = {
    "required": N_("is required"),
    "stale_edit": N_(
        "the record was changed at {current}, after you read it ({read}); reload it and edit again so as not to overwrite someone else's change"
    ),
    "harvest_source_inactive": N_(
        "harvest source “{source}” is deleted or inactive; no harvest job can be created for it"
    ),
    "harvest_job_exists": N_("harvest source “{source}” already has a job waiting or running"),
    "unknown_choice": N_("unknown value “{value}”; choose one of: {choices}"),
    "not_a_list": N_("must be a list of codes"),
    "unknown_admin_unit": N_(
        "“{value}” is not a commune-level unit code of Khánh Hòa (5 digits, 2025 list)"
    ),
    "unknown_former_district": N_(
        "“{value}” is not a former district code of Khánh Hòa or Ninh Thuận (568–576, 582, 584–589)"
    ),
    "bad_date": N_("invalid date “{value}” (format YYYY-MM-DD)"),
    "future_date": N_("must not be in the future"),
    "bad_time": N_("invalid time “{value}” (format HH:MM)"),
    "bad_integer": N_("must be a whole number, got “{value}”"),
    "out_of_range": N_("must be between {min} and {max}, got {value}"),
    "enterprise_code": N_(
        "enterprise code must be 10 digits (branches: 10 digits, a hyphen, 3 digits), got “{value}”"
    ),
    "household_business_number": N_(
        "household-business registration number: letters, digits and . - / only (5–30 characters), got “{value}”"
    ),
    "register_number": N_(
        "register / decision number: letters, digits and . - / only (at most 40 characters), got “{value}”"
    ),
    "tax_code": N_("tax code must be 10 digits (dependent units: 13 digits), got “{value}”"),
    "card_number": N_("the guide card number must be exactly 9 digits, got “{value}”"),
    "licence_number": N_(
        "licence number does not look like “NN-seq/YYYY/ISSUER-GP LHQT|LHNĐ”, got “{value}”"
    ),
    "stars_not_allowed": N_(
        "an establishment of type “{type}” cannot have a star rating; only hotels, tourist villas, tourist apartments and cruise ships are rated 1–5 stars"
    ),
    "hotel_subtype_only_hotels": N_("only applies to hotels"),
    "expiry_before_issue": N_("the expiry date ({expiry}) must be after the issue date ({issue})"),
    "max_below_min": N_("the maximum price ({max}) is below the minimum price ({min})"),
    "beds_below_rooms": N_(
        "the number of beds ({beds}) is less than the number of rooms ({rooms})"
    ),
    "guests_below_beds": N_(
        "the maximum number of guests ({guests}) is below 1 or absurd for {beds} beds"
    ),
    "bad_geojson": N_("malformed GeoJSON: {detail}"),
    "geometry_type": N_("must be a {expected} geometry, got {value}"),
    "outside_province": N_(
        "the coordinates ({lon}, {lat}) lie outside Khánh Hòa province (including the Trường Sa special zone)"
    ),
    "invalid_polygon": N_("invalid area (self-intersecting or not closed): {detail}"),
    "bad_province": N_("the province code must be 2 digits (01–96), got “{value}”"),
    "unknown_tour_operator": N_(
        "no tour operator “{value}” (give the name or id of a tour-operator record)"
    ),
    # record types of issue 17 (tourist areas, service establishments, transport, events)
    "bad_datetime": N_(
        "invalid date and time “{value}” (format YYYY-MM-DD HH:MM, Khánh Hòa time, or ISO 8601 with an offset)"
    ),
    "end_before_start": N_("the end ({end}) is before the start ({start})"),
    "unknown_record": N_("no record “{value}” of type {types} (give the name or id of a record)"),
    "required_unless": N_("is required when “{other}” is empty"),
    "empty_when": N_("must be empty when “{other}” is “{value}”"),
    "bad_road_plate": N_(
        "“{value}” is not a Vietnamese road registration plate (for example 79B-123.45)"
    ),
    "bad_registration": N_(
        "registration number: letters, digits and . - / only (2–30 characters), got “{value}”"
    ),
    "category_not_for_mode": N_(
        "the vehicle category “{value}” does not belong to the transport mode “{mode}”"
    ),
    "category_seats": N_(
        "a vehicle of category “{value}” has {fewest}–{most} seats, but the record gives {seats}"
    ),
    "ring_not_closed": N_(
        "a ring of the polygon is not closed: it starts at {first} and ends at {last} (the last position must repeat the first)"
    ),
    "ring_too_short": N_(
        "a ring of the polygon has {count} positions; a closed ring needs at least 4 (the last repeating the first)"
    ),
    "bad_email": N_("invalid e-mail address “{value}”"),
    "bad_url": N_("the web address must start with http:// or https://, got “{value}”"),
    "bad_phone": N_("invalid phone number “{value}” (digits, spaces, +, -, ., ( ))"),
    "bad_language": N_("“{value}” is not an ISO 639-1 language code (2 letters)"),
    "workflow_field_locked": N_(
        "only the Department's curators may change the state; use the submit / approve / reject actions"
    ),
    "bad_transition": N_("cannot {action} a record in state “{current}”"),
    "state_locked": N_(
        "State (state): a published record is withdrawn or deleted only by the Department's curators"
    ),
    "no_personal_data": N_("this record holds no personal data (tour guides only)"),
    "reason_required": N_("a reason for the rejection is required"),
    "no_pending_revision": N_("the record has no pending revision"),
    # security: field-size limits (security/field_limits.py)
    "too_long": N_("too long: {length} characters, at most {max}"),
    "too_many": N_("too many: {count} items, at most {max}"),
    "too_many_tokens": N_(
        "the user already holds {count} API tokens, at most {max}; revoke an old one first"
    ),
    "nul_character": N_("contains a NUL character (code 0), which is not allowed"),
    # harvesting: what a business's harvest source may do (harvesters/access.py)
    "harvest_business_publish": N_(
        "Configuration (config) › publish: a business's harvest source is always in “review” mode (records wait for the Department's review); “direct” is not allowed"
    ),
    "harvest_business_record_type": N_(
        "Configuration (config) › record_type: a business may only harvest the record types it may create ({choices}), got “{value}”"
    ),
    "harvest_business_source_type": N_(
        "Source type (source_type): a business may only use the tourism record harvesters ({choices}), got “{value}”"
    ),
    "harvest_other_organization": N_(
        "matches a record of another organization by {identifier}; not imported, nothing written: a source only updates records of its own organization"
    ),
    "harvest_record_moved": N_(
        "the record imported earlier now belongs to another organization; not updated, nothing written"
    ),
    "harvest_business_gather": N_(
        "a business's source may not import “{value}” records (only: {choices}); nothing imported or withdrawn"
    ),
    "not_a_record": N_("“{value}” is not a tourism record (one of: {types})"),
    # harvest job reports (harvesters/): stored once, read in either language (``bilingual``)
    "dead_gather": N_(
        "the gather consumer stopped during the gather (killed or crashed); nothing was "
        "imported, run the job again"
    ),
    "errors_not_stored": N_(
        "{count} more errors not stored (at most {cap} error messages are kept per job: "
        "ckanext.khtourism.harvest.max_errors_per_job)"
    ),
    "repeated_key": N_("{ref}: identifier {value} repeats {other}; record skipped"),
    "repeated_name_address": N_("{ref}: name and address {value} repeat {other}; record skipped"),
    # the action API's rate limit (security/action_limits.py)
    "too_many_requests": N_("Too many requests: limit {limit}; retry after {retry_after} seconds."),
    # outbound requests (outbound.py): a harvest source URL the portal must not contact
    "outbound_refused": N_(
        "the portal does not contact this address (only http/https to public addresses, never internal networks): {detail}"
    ),
    "match_portal_id": N_("matched by portal identifier {id} to {label}"),
    "match_portal_id_unknown": N_("portal identifier {id} is not one of this portal's records; "),
    "match_source_key": N_("matched by source key {source_key} to {name}"),
    "match_identifiers": N_("{note}matched by {by}{how} to {label}"),
    "match_same_address": N_("the same address"),
    "match_point_near": N_("a point {metres} m away"),
    "match_ambiguous": N_(
        "{note}new record kept apart: several existing records have {records} — duplicate candidates for the curators"
    ),
    "match_name_nearby": N_("{note}new record; duplicate candidate of {records}"),
    "match_same_name_near": N_("same name, {metres} m away"),
    "match_same_name_address": N_("same name and address"),
    "match_shares": N_("{label} shares {by}"),
    "match_same_business": N_(
        "{note}new record: {records} but not the address or the point (another establishment of the same business)"
    ),
    "match_new": N_(
        "{note}new record (no record with its portal identifier, source key, or an official identifier at the same place)"
    ),
    "match_new_batch": N_(
        "new record (no record with its portal identifier, source key, or an official identifier or name at the same place)"
    ),
    "match_new_plain": N_("new record"),
    "match_kept_apart_same_source": N_(
        "new record kept apart: would match {label} by {by}, which this source already holds under key {holder} — duplicate candidate"
    ),
    "harvest_no_identifier": N_("{ref}: no identifier in {looked_at}; record skipped{problem}"),
    "harvest_key_repeats": N_("{ref}: {what} {source_key} repeats {first}; record skipped"),
    "harvest_key_identifier": N_("identifier"),
    "harvest_key_name_address": N_("name and address"),
    "harvest_conflicting_values": N_(
        "matched existing record {name} (from source {source}) by {by}; conflicting values kept as they are: {described}"
    ),
    "merge_with_itself": N_("a record cannot be merged with itself"),
    "merge_types_differ": N_("records of different types cannot be merged"),
    "dcat_no_description": N_(
        "The source catalogue gives no description (dct:description) for this dataset."
    ),
    "dcat_untitled": N_("Untitled dataset"),
    "duplicates_merged": N_("The records were merged."),
    "duplicates_not_duplicate": N_("Recorded: not a duplicate."),
    "commune_by_polygon": N_("commune {name} ({code}) from the point: inside its boundary"),
    "commune_by_nearest_centre": N_(
        "commune {name} ({code}) estimated from the point: the nearest commune centre, {km} km away (to be checked)"
    ),
    "commune_geometry_file": N_(
        "the commune boundary file (ckanext.khtourism.admin_units.geometry_file) cannot be used: {detail}"
    ),
    "geojson_not_json": N_(
        "malformed GeoJSON: not readable as JSON (line {line}, column {column})"
    ),
    "geojson_too_deep": N_("malformed GeoJSON: nested too deeply"),
    "geojson_no_type": N_("malformed GeoJSON: a GeoJSON geometry object with a “type” is expected"),
    "geojson_no_geometry": N_("malformed GeoJSON: the Feature has no “geometry”"),
    "geojson_no_coordinates": N_("malformed GeoJSON: “coordinates” is missing"),
    "geojson_bad_coordinates": N_("malformed GeoJSON: “coordinates” is empty or malformed"),
    "geojson_not_position": N_("malformed GeoJSON: position {value} is not [longitude, latitude]"),
    "geojson_not_number": N_("malformed GeoJSON: coordinate {value} is not a number"),
    "geojson_not_finite": N_("malformed GeoJSON: coordinate {value} is not a finite number"),
    "geojson_not_wgs84": N_(
        "malformed GeoJSON: [{lon}, {lat}] is not a WGS84 longitude, latitude (longitude −180 to 180 first, latitude −90 to 90 second)"
    ),
    "harvest_stage_failed": N_("{stage} failed: {detail}"),
    "harvest_stage_gather": N_("gather"),
    "harvest_stage_fetch": N_("fetch"),
    "harvest_stage_import": N_("import"),
    "harvest_not_withdrawn_incomplete": N_(
        "{count} record(s) missing from the source were NOT withdrawn because the listing was incomplete (see the errors above)"
    ),
    "harvest_not_withdrawn_empty": N_(
        'the source returned no records: nothing withdrawn (set "allow_empty": true to withdraw every record when a source is really empty)'
    ),
    # reporting: monthly visitor reports (docs/statistics.md)
    "report_not_integer": N_("must be a whole number"),
    "report_negative": N_("must not be negative"),
    "report_nights_below_guests": N_(
        "guest-nights ({nights}) cannot be fewer than the guests staying overnight ({guests})"
    ),
    "report_rooms_exceeded": N_(
        "{sold} room-nights sold is more than {rooms} rooms × {days} days ({limit})"
    ),
    "report_bad_period": N_("“{value}” is not a month (YYYY-MM)"),
    "report_future_period": N_("{value} has not ended yet: a month is reported after it ends"),
    "report_unknown_establishment": N_(
        "“{value}” is not the identifier of an accommodation establishment or travel business"
    ),
    "report_not_owner": N_("you may not report for establishment “{value}”"),
    "report_bad_country": N_("“{value}” is not an ISO 3166 country code (two letters, e.g. KR)"),
    "report_nationality_total": N_(
        "the guests by nationality ({total}) are more than the international guests ({limit})"
    ),
    "report_not_for_kind": N_("is not reported by this kind of establishment"),
    "report_bad_state": N_("this is not possible for a report in state “{state}”"),
    "report_row": N_("row {row}"),
    "report_duplicate_row": N_("the same establishment and month is also on row {other}"),
    "report_file_error": N_("the file could not be read: {detail}"),
    "report_unknown_column": N_("unknown column(s): {columns}"),
    "report_missing_column": N_("missing column(s): {columns}"),
    "stats_bad_group_by": N_("unknown grouping “{value}”; choose from: {choices}"),
    "stats_range": N_("“from” ({start}) is after “to” ({end})"),
    "harvest_run_test_consumers": N_(
        "{count} harvest consumer(s) are running (e.g. `make run`): run-test would import the job a second time. Stop them, or let them run it: `ckan harvester job-create SOURCE` (or the source's page)."
    ),
    # metadata quality (records/quality.py): the fixes a record's page lists
    "quality_missing_field": N_("Fill in “{field}”"),
    "quality_bad_email": N_("“{field}” is not a valid e-mail address"),
    "quality_bad_url": N_("“{field}” is not a valid web address (http:// or https://)"),
    "quality_min_above_max": N_("“{low}” is above “{high}”"),
    "quality_start_after_end": N_("“{start}” is after “{end}”"),
    "quality_point_outside": N_("The point on the map is outside Khánh Hòa province"),
    "quality_no_point": N_("Place the record on the map"),
    "quality_no_commune": N_("Give the commune"),
    "quality_point_other_commune": N_(
        "The point lies in {found}, but the record names {given}: correct the point or the commune"
    ),
    "quality_point_nearer_other_centre": N_(
        "The point is nearest to the centre of {found}, but the record names {given}: check the point or the commune"
    ),
    "quality_never_verified": N_("Check the record and give the date it was last verified"),
    "quality_not_verified_since": N_(
        "Not verified for more than 12 months (last on {date}): check the record and update the date"
    ),
    "quality_expired": N_("“{field}” passed on {date}: renew it or update the date"),
    "quality_no_photo": N_("Add a photo (an image file)"),
    "quality_photo_no_licence": N_("Choose a licence so that the photos may be reused"),
}


def current_language() -> str:
    """``vi`` or ``en``: the language of the current request, else the portal default."""
    try:
        lang = tk.h.lang()
    except (RuntimeError, AttributeError, TypeError, KeyError):
        lang = None
    if not lang:
        lang = tk.config.get("ckan.locale_default") or "vi"
    return "en" if str(lang).startswith("en") else "vi"


def translate(msgid: str, lang: str | None = None) -> str:
    """``msgid`` in ``lang``; without ``lang``, in the request's language (CKAN's merged
    catalogues) or, outside a request, in the portal's default language."""
    if lang is None and flask.has_request_context():
        return tk._(msgid)
    return i18n.gettext(msgid, lang or current_language())


def text(key: str, lang: str | None = None, **values: Any) -> str:
    """The message ``key`` in ``lang`` (see ``translate``), its ``{placeholders}`` filled."""
    return translate(MESSAGES[key], lang).format(**values)


def bilingual(key: str, /, **values: Any) -> str:
    """``"<Vietnamese> / <English>"``: a message stored once and read in either language
    (harvest job reports) or answered where the language is unknown."""
    return f"{text(key, 'vi', **values)} / {text(key, 'en', **values)}"


def label_text(label: Any, lang: str | None = None) -> str:
    """A scheming label (plain text or ``{vi: …, en: …}``) in the user's language."""
    if isinstance(label, dict):
        lang = lang or current_language()
        return str(
            label.get(lang) or label.get("vi") or label.get("en") or next(iter(label.values()), "")
        )
    return str(label or "")


def field_error(
    field: dict[str, Any] | None, key: str, lang: str | None = None, **values: Any
) -> str:
    """``"<field label>: <message>"`` in the user's language."""
    message = text(key, lang, **values)
    if not field:
        return message
    name = label_text(field.get("label"), lang) or field.get("field_name", "")
    return f"{name}: {message}"
