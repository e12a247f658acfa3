"""What waits for a curator; what a business has in the system.

Both lists come straight from the database (not the search index), so they
are exact even while the index catches up.
"""

from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.khtourism.core import states
from ckanext.khtourism.core.record_types import RECORD_TYPES

from .model import PENDING, PendingRevision


def _summary(pkg: model.Package) -> dict[str, Any]:
    extras = dict(pkg.extras)
    org = model.Group.get(pkg.owner_org) if pkg.owner_org else None
    revision = PendingRevision.latest_for(pkg.id)
    return {
        "id": pkg.id,
        "name": pkg.name,
        "title": pkg.title,
        "type": pkg.type,
        "owner_org": pkg.owner_org,
        "organization_name": org.name if org else None,
        "organization_title": org.title if org else None,
        "workflow_state": states.current_state(extras),
        "workflow_reason": extras.get("workflow_reason", ""),
        "metadata_modified": pkg.metadata_modified.isoformat() if pkg.metadata_modified else None,
        "pending_revision": revision.as_dict() if revision and revision.state == PENDING else None,
        "last_revision": revision.as_dict() if revision else None,
    }


def _records_query():
    return model.Session.query(model.Package).filter(
        model.Package.type.in_(RECORD_TYPES), model.Package.state == "active"
    )


def review_queue() -> dict[str, list[dict[str, Any]]]:
    submitted = (
        _records_query()
        .join(model.PackageExtra, model.PackageExtra.package_id == model.Package.id)
        .filter(
            model.PackageExtra.key == "workflow_state", model.PackageExtra.value == states.SUBMITTED
        )
        .order_by(model.Package.metadata_modified)
        .all()
    )
    revisions = []
    for revision in PendingRevision.all_pending():
        pkg = model.Package.get(revision.package_id)
        if pkg is not None and pkg.state == "active":
            revisions.append(_summary(pkg))
    return {"submitted": [_summary(p) for p in submitted], "pending_revisions": revisions}


def business_records(user_name: str) -> list[dict[str, Any]]:
    orgs = tk.get_action("organization_list_for_user")(
        {"user": user_name}, {"id": user_name, "permission": "read"}
    )
    org_ids = [o["id"] for o in orgs]
    if not org_ids:
        return []
    packages = (
        _records_query()
        .filter(model.Package.owner_org.in_(org_ids))
        .order_by(model.Package.metadata_modified.desc())
        .all()
    )
    return [_summary(p) for p in packages]
