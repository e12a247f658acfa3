"""``ckan search-index rebuild`` for the PostgreSQL engine.

Same options and semantics as ``ckan.lib.search.rebuild``, with three
differences:

* a progress bar (unless ``quiet``);
* the whole rebuild — including ``--clear`` — runs in one database
  transaction, so a rebuild that fails half-way leaves the previous index
  intact (unless ``force`` skips the failing datasets);
* datasets are indexed in batches of :data:`BATCH_SIZE`: their
  ``package_show`` dicts come from :func:`.dictize.show_many` (a few
  statements per batch instead of ~10 per dataset), CKAN's own
  ``PackageSearchIndex.index_package`` builds each document (validation,
  every plugin's ``before_dataset_index``, permission labels) while
  ``make_connection()`` collects the documents, and the batch is written with
  one multi-row upsert. When a batch fails (or ``package_show`` is not known
  to be batchable) its datasets go through the per-dataset path instead —
  CKAN's ``package_show`` + ``update_dict`` — which, with ``force``, skips
  and reports the failing ones.
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

from . import connection_override, dictize, index
from .connection import PostgresConnection

log = logging.getLogger(__name__)


def _show(package_id: str) -> dict[str, Any]:
    context = {"ignore_auth": True, "validate": False, "use_cache": False}
    return logic.get_action("package_show")(context, {"id": package_id})


BATCH_SIZE = 250


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
    failures: list[str] = []
    progress = _Progress(len(ids), quiet)
    batched = dictize.batchable()
    for start in range(0, len(ids), BATCH_SIZE):
        chunk = ids[start:start + BATCH_SIZE]
        if not (batched and _index_batch(chunk, package_index, force)):
            failures.extend(_index_one_by_one(chunk, package_index, force))
        progress.step(len(chunk))
    progress.done()
    model.Session.commit()
    if package_ids is None:
        # fresh statistics: the planner picks the full-text and label indexes well
        model.Session.execute(sa.text(f"ANALYZE {index.TABLE}"))
        model.Session.commit()
    if failures:
        # on the terminal even with --quiet: the datasets --force skipped
        message = f"Datasets not indexed ({len(failures)}): {', '.join(failures)}"
        log.error(message)
        click.echo(message, err=True)
    log.info("Finished rebuilding search index (%d datasets, %d failures).",
             len(ids), len(failures))


class _Collector:
    """Stands in for the engine's connection while a batch is built: keeps the documents."""

    def __init__(self) -> None:
        self.connection = PostgresConnection()
        self.documents: list[dict[str, Any]] = []

    def add(self, docs: Any, commit: bool = True, **_kwargs: Any) -> str:
        self.documents.extend(docs)
        return ""

    def __getattr__(self, name: str) -> Any:  # delete (deleted datasets), search …
        return getattr(self.connection, name)

    def write(self) -> None:
        if self.documents:
            self.connection.add(self.documents, commit=False)


def _index_batch(ids: list[str], package_index: Any, force: bool) -> bool:
    """Index ``ids`` as one batch; False (nothing written) if they need the per-dataset path.

    Without ``force`` an error is raised as the per-dataset path would raise it.
    """
    savepoint = model.Session.begin_nested() if force else None
    current = None
    try:
        packages = dictize.load_packages(ids)
        if len(packages) != len(ids):
            # unknown ids: package_show's NotFound, reported by the per-dataset path
            if savepoint is not None:
                savepoint.rollback()
            return False
        collector = _Collector()
        with connection_override(collector):
            for pkg, shown in dictize.show_many(packages):
                current = pkg.id
                if isinstance(shown, Exception):
                    raise shown
                package_index.update_dict(shown, True)
        current = None
        collector.write()
    except Exception as error:  # noqa: BLE001 - fatal unless force, then retried one by one
        if savepoint is None:
            log.error("Error while indexing dataset %s: %r", current or ", ".join(ids), error)
            model.Session.rollback()
            raise
        log.warning("Batch of %d datasets failed (%r): indexing them one by one",
                    len(ids), error)
        savepoint.rollback()
        return False
    if savepoint is not None:
        savepoint.commit()
    return True


def _index_one_by_one(ids: list[str], package_index: Any, force: bool) -> list[str]:
    """CKAN's per-dataset path (``package_show`` + ``update_dict``); the ids that failed."""
    failed = []
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
            failed.append(pkg_id)
            log.error(text_traceback())
    return failed


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

    def step(self, count: int = 1) -> None:
        before, self.count = self.count, self.count + count
        if self.quiet:
            return
        if self.bar is not None:
            self.bar.update(count)
        elif self.count // self.every > before // self.every or self.count == self.total:
            click.echo(f"Indexing datasets: {self.count}/{self.total}")

    def done(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
