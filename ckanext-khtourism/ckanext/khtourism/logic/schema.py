"""navl schemas of the workflow actions."""

from __future__ import annotations

from ckan.logic.schema import validator_args
from ckan.types import Schema, Validator


@validator_args
def record_reference_schema(not_empty: Validator, unicode_safe: Validator) -> Schema:
    return {"id": [not_empty, unicode_safe]}


@validator_args
def record_reject_schema(
    not_empty: Validator, unicode_safe: Validator, ignore_missing: Validator
) -> Schema:
    return {"id": [not_empty, unicode_safe], "reason": [ignore_missing, unicode_safe]}


@validator_args
def revision_show_schema(
    not_empty: Validator, unicode_safe: Validator, ignore_missing: Validator
) -> Schema:
    return {"id": [not_empty, unicode_safe], "revision_id": [ignore_missing, unicode_safe]}


@validator_args
def privacy_access_log_schema(
    ignore_missing: Validator, unicode_safe: Validator, natural_number_validator: Validator
) -> Schema:
    return {
        "id": [ignore_missing, unicode_safe],
        "user": [ignore_missing, unicode_safe],
        "limit": [ignore_missing, natural_number_validator],
        "offset": [ignore_missing, natural_number_validator],
    }
