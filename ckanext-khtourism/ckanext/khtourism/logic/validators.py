"""Validators registered with CKAN (``@tk.blanket.validators`` reads ``__all__``)."""

from __future__ import annotations

from ckanext.khtourism.records.validators import *  # noqa: F403
from ckanext.khtourism.records.validators import __all__ as _records_all
from ckanext.khtourism.security.validators import natural_number_validator  # noqa: F401

# security: CKAN's own natural_number_validator replaced (an empty value was a 500)
__all__ = [*_records_all, "natural_number_validator"]
