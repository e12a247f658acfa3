"""The portal's own establishment identifier: minted once, never edited, never reused.

Every place-type record (accommodation, tour operator, heritage site: the schemas that
carry the ``khtourism_establishment_id`` preset, with their prefix) gets an identifier
such as ``KH-LT-000123`` when it is created — through the forms, the action API, a
harvest or a batch import alike, since the schema's validator mints it. It is
independent of every official identifier (one enterprise runs several hotels; most
homestays have no enterprise code). The number comes from one PostgreSQL sequence
(migration khts_0006_establishment_id, which also gave every existing record its
identifier), so identifiers are unique across types and never reused, even after a
merge or a purge.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

import ckan.model as model

FIELD = "establishment_id"
SEQUENCE = "khtourism_establishment_id_seq"


def mint(prefix: str) -> str:
    number = model.Session.execute(sa.text(f"SELECT nextval('{SEQUENCE}')")).scalar()
    return f"{prefix}-{int(number):06d}"


def stored(package_ref: Any) -> str | None:
    """The identifier already stored for the dataset ``package_ref`` (id or name), if any."""
    if not package_ref or not isinstance(package_ref, str):
        return None
    row = (
        model.Session.query(model.PackageExtra.value)
        .join(model.Package, model.Package.id == model.PackageExtra.package_id)
        .filter(
            sa.or_(model.Package.id == package_ref, model.Package.name == package_ref),
            model.PackageExtra.key == FIELD,
            model.PackageExtra.state == "active",
        )
        .first()
    )
    return row.value if row and row.value else None


def find(identifier: str) -> str | None:
    """The id of the dataset with this establishment identifier (any state), or None."""
    row = (
        model.Session.query(model.PackageExtra.package_id)
        .filter(
            model.PackageExtra.key == FIELD,
            model.PackageExtra.value == identifier.strip().upper(),
            model.PackageExtra.state == "active",
        )
        .first()
    )
    return row.package_id if row else None
