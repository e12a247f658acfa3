"""Record forms as a person reads them: error summaries that name each field once."""

from __future__ import annotations

import re
from typing import Any


def error_summary(summary: dict[str, Any]) -> dict[str, Any]:
    """``{"Hạng sao": "Hạng sao: loại …"}`` -> ``{"Hạng sao": "loại …"}`` (each message of a
    joined list too); messages of other fields and keys without a label stay as they are."""
    cleaned: dict[str, Any] = {}
    for key, message in summary.items():
        if key and isinstance(message, str):
            prefix = re.escape(f"{key}: ")
            message = re.sub(rf"(^|, ){prefix}", r"\1", message)
        cleaned[key] = message
    return cleaned
