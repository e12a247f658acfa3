"""Helpers of the portal tests: published records made through the real workflow."""

from __future__ import annotations

import re
from typing import Any

from tests.record_fixtures import World


def publish(world: World, record_type: str, owner: str = "a", **overrides: Any) -> dict[str, Any]:
    """A record created by a business member (or the curator) and approved by the curator."""
    if record_type == "heritage-site":
        owner = "curator"  # only curators record heritage sites
    role = "curator" if owner == "curator" else f"member_{owner}"
    record = world.create(role, record_type, owner=owner, **overrides)
    world.call(role, "khtourism_record_submit", id=record["id"])
    world.call("curator", "khtourism_record_approve", id=record["id"])
    return world.call("curator", "package_show", id=record["id"])


# what a browser fetches by itself to draw a page: scripts, images, frames, media, style
# sheets, icons and fonts ("<link href>"), and addresses inside inline CSS ("url(...)")
_FETCHED_ADDRESS = re.compile(
    r"""<(?:script|img|iframe|source|audio|video|embed|input)\b[^>]*?\bsrc\s*=\s*["']([^"']*)["']"""
    r"""|<link\b[^>]*?\bhref\s*=\s*["']([^"']*)["']"""
    r"""|url\(\s*["']?([^"')]*)""",
    re.IGNORECASE,
)
_PORTAL_HOSTS = re.compile(r"(?:https?:)?//(?:localhost|127\.0\.0\.1|test\.ckan\.net)(?:[:/]|$)")


def fetched_from_other_hosts(page: str) -> list[str]:
    """What a page makes the browser fetch from another host (a CDN, a font service...).

    The portal vendors its front-end libraries (no CDN, ever): a page's own resources are
    paths on the portal ("/..."). Links a visitor may follow (``<a href>``) and text on the
    page (a CSRF token, a record's description) are not fetched and do not count.
    """
    addresses = ["".join(groups) for groups in _FETCHED_ADDRESS.findall(page)]
    return [
        address
        for address in addresses
        if re.match(r"(?:[a-z][a-z0-9+.-]*:)?//", address, re.IGNORECASE)
        and not _PORTAL_HOSTS.match(address)
    ]
