"""Core validators replaced where CKAN answers bad input with a 500.

``natural_number_validator``: CKAN 2.11's compares the result of
``int_validator`` with 0, but ``int_validator`` returns ``None`` for an empty
value, so ``package_search?start=`` (and every other optional natural number
left empty) raised ``TypeError`` — a 500. Here an empty value stays empty
(as ``int_validator`` intends) and a negative one is the usual error.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.logic import validators as core
from ckan.types import Context

__all__ = ["natural_number_validator"]


def natural_number_validator(value: Any, context: Context) -> Any:
    value = core.int_validator(value, context)
    if value is None:
        return None
    if value < 0:
        raise tk.Invalid(tk._("Must be a natural number"))
    return value
