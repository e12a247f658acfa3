"""What the API's filters need from the search document.

CKAN indexes the *unvalidated* package, where scheming keeps a multi-select
field (``languages``, ``amenities``, ``services``) as a JSON string such as
``'["vi", "ru"]'``; a filter ``languages:"ru"`` could never match it. The
index gets the decoded list instead (one term per value).
"""

from __future__ import annotations

import json
from typing import Any

MULTI_VALUED_FIELDS = ("languages", "amenities", "services")


def before_index(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    for name in MULTI_VALUED_FIELDS:
        for key in (name, f"extras_{name}"):
            value = pkg_dict.get(key)
            if isinstance(value, str) and value.startswith("["):
                try:
                    decoded = json.loads(value)
                except ValueError:
                    continue
                if isinstance(decoded, list):
                    pkg_dict[key] = [str(item) for item in decoded]
    return pkg_dict
