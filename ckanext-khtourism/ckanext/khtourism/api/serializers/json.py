"""Plain JSON: ``{"total", "page", "limit", "items", "links"}`` or one item."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from . import Page


def dumps(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def render_page(page: Page, lang: str) -> bytes:
    return dumps(
        {
            "type": page.resource,
            "lang": lang,
            "total": page.total,
            "page": page.page,
            "limit": page.limit,
            "returned": len(page.items),
            "items": page.items,
            "links": page.links,
        }
    )


def render_item(item: dict[str, Any], lang: str) -> bytes:
    return dumps(item)
