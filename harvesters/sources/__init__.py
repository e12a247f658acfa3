"""Readers for the kinds of source the harvesters collect from.

Every reader returns a :class:`~.base.SourceListing`: the records the source
holds now (raw attributes, geometry in the source's CRS, a reference such as
"row 7" or "OBJECTID 12" for reports), plus whether the listing is complete.
A source that cannot be read at all raises :class:`~.base.SourceError`.
"""
from __future__ import annotations

from .base import SourceError, SourceListing, SourceRecord

__all__ = ["SourceError", "SourceListing", "SourceRecord"]
