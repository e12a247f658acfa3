"""Helpers of the portal tests: published records made through the real workflow."""

from __future__ import annotations

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
