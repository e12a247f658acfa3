"""The four tourism record types (the ``type`` of each scheming schema)."""

from __future__ import annotations

# Dataset types handled by this extension (the ``type`` of each scheming schema).
RECORD_TYPES: tuple[str, ...] = ("accommodation", "tour-operator", "tour-guide", "heritage-site")


def is_record_type(dataset_type: str | None) -> bool:
    return dataset_type in RECORD_TYPES
