"""Validators registered with CKAN (``@tk.blanket.validators`` reads ``__all__``)."""

from __future__ import annotations

from ckanext.khtourism.records.validators import *  # noqa: F403
from ckanext.khtourism.records.validators import __all__  # noqa: F401
