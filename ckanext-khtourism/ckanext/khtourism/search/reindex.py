"""``ckan search-index rebuild`` for the PostgreSQL engine.

Same options and semantics as ``ckan.lib.search.rebuild``, with two
differences: a progress bar (unless ``quiet``), and the whole rebuild —
including ``--clear`` — runs in one database transaction, so a rebuild that
fails half-way leaves the previous index intact (unless ``force`` skips the
failing datasets).
"""
from __future__ import annotations

import logging
import sys
from collections.abc import Collection
from typing import Any

import click
import sqlalchemy as sa

from ckan import logic, model
from ckan.common import config
from ckan.lib.search import index_for, query_for, text_traceback

from . import index

log = logging.getLogger(__name__)


def _show(package_id: str) -> dict[str, Any]:
    context = {"ignore_auth": True, "validate": False, "use_cache": False}
    return logic.get_action("package_show")(context, {"id": package_id})


def rebuild(
    package_id: str | None = None,
    only_missing: bool = False,
    force: bool = False,
    defer_commit: bool = False,
    package_ids: Collection[str] | None = None,
    quiet: bool = False,
    clear: bool = False,
) -> None:
    package_index = index_for(model.Package)
    if package_id:
        pkg_dict = _show(package_id)
        log.info("Indexing just package %r...", pkg_dict["name"])
        package_index.remove_dict(pkg_dict)
        package_index.insert_dict(pkg_dict)
        model.Session.commit()
        return
    if package_ids is not None:
        ids = list(package_ids)
    else:
        packages = model.Session.query(model.Package.id)
        if config.get("ckan.search.remove_deleted_packages"):
            packages = packages.filter(model.Package.state != "deleted")
        ids = [row[0] for row in packages.order_by(model.Package.id).all()]
        if only_missing:
            indexed = set(query_for(model.Package).get_all_entity_ids(max_results=len(ids) or 1))
            ids = [i for i in ids if i not in indexed]
            if not ids:
                log.info("All datasets are already indexed")
                return
        elif clear:
            model.Session.execute(sa.text(f"DELETE FROM {index.TABLE} WHERE site_id = :site"),
                                  {"site": config.get("ckan.site_id")})
    failures = 0
    progress = _Progress(len(ids), quiet)
    for pkg_id in ids:
        try:
            if force:
                with model.Session.begin_nested():
                    package_index.update_dict(_show(pkg_id), True)
            else:
                package_index.update_dict(_show(pkg_id), True)
        except Exception as error:  # noqa: BLE001 - reported, and fatal unless force
            log.error("Error while indexing dataset %s: %r", pkg_id, error)
            if not force:
                model.Session.rollback()
                raise
            failures += 1
            log.error(text_traceback())
        progress.step()
    progress.done()
    model.Session.commit()
    if package_ids is None:
        # fresh statistics: the planner picks the full-text and label indexes well
        model.Session.execute(sa.text(f"ANALYZE {index.TABLE}"))
        model.Session.commit()
    log.info("Finished rebuilding search index (%d datasets, %d failures).", len(ids), failures)


class _Progress:
    """A progress bar on a terminal; a line per percent otherwise (logs, CI)."""

    def __init__(self, total: int, quiet: bool) -> None:
        self.total = total
        self.quiet = quiet
        self.count = 0
        self.bar = None
        self.every = max(1, total // 100)
        if not quiet and sys.stdout.isatty():
            self.bar = click.progressbar(length=total, label="Indexing datasets",
                                         show_pos=True, show_eta=True)
            self.bar.__enter__()
        elif not quiet:
            click.echo(f"Indexing datasets: 0/{total}")

    def step(self) -> None:
        self.count += 1
        if self.quiet:
            return
        if self.bar is not None:
            self.bar.update(1)
        elif self.count % self.every == 0 or self.count == self.total:
            click.echo(f"Indexing datasets: {self.count}/{self.total}")

    def done(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
