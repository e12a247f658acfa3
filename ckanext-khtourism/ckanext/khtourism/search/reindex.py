"""``ckan search-index rebuild`` for the PostgreSQL engine (compat entry ``search.rebuild``).

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
import multiprocessing
import sys
from collections.abc import Collection, Iterator
from typing import TYPE_CHECKING, Any

import click
import sqlalchemy as sa

from ckan import logic, model
from ckan.common import config
from ckan.lib.search import SearchIndexError, index_for, query_for, text_traceback

from . import connection_override, dictize, index
from .connection import PostgresConnection

if TYPE_CHECKING:
    from click._termui_impl import ProgressBar

log = logging.getLogger(__name__)


def _show(package_id: str) -> dict[str, Any]:
    context = {"ignore_auth": True, "validate": False, "use_cache": False}
    return logic.get_action("package_show")(context, {"id": package_id})


BATCH_SIZE = 250
WORKERS_OPTION = "ckanext.khtourism.search.rebuild_workers"


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
    builders = None
    if package_id:
        pkg_dict = _show(package_id)
        log.info("Indexing just package %r...", pkg_dict["name"])
        package_index.remove_dict(pkg_dict)
        package_index.insert_dict(pkg_dict)
        model.Session.commit()
        return
    # row builder processes only for a full rebuild the caller's transaction does not wrap
    parallel = package_ids is None and _RowBuilders.wanted()
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
    if parallel and len(ids) > BATCH_SIZE:
        # only reads so far: end them, so that no connection is open when forking
        model.Session.rollback()
        builders = _RowBuilders(package_index)
    try:
        if package_ids is None and not only_missing and clear:
            model.Session.execute(
                sa.text(f"DELETE FROM {index.TABLE} WHERE site_id = :site"),
                {"site": config.get("ckan.site_id")},
            )
        failures: list[str] = []
        progress = _Progress(len(ids), quiet)
        chunks = [ids[start : start + BATCH_SIZE] for start in range(0, len(ids), BATCH_SIZE)]
        for chunk, rows in _built_rows(chunks, package_index, builders, force):
            if rows is None or not _write(chunk, rows, force):
                failures.extend(_index_one_by_one(chunk, package_index, force))
            progress.step(len(chunk))
    finally:
        if builders is not None:
            builders.close()
    progress.done()
    model.Session.commit()
    if package_ids is None:
        # fresh statistics (the planner picks the full-text and label indexes well) and a
        # current visibility map (index-only spatial scans); VACUUM needs its own
        # connection outside any transaction, and skips the table if it is locked
        with model.meta.engine.connect().execution_options(
            isolation_level="AUTOCOMMIT"
        ) as connection:
            connection.execute(sa.text(f"VACUUM (ANALYZE, SKIP_LOCKED) {index.TABLE}"))
    if failures:
        # on the terminal even with --quiet: the datasets --force skipped
        message = f"Datasets not indexed ({len(failures)}): {', '.join(failures)}"
        log.error(message)
        click.echo(message, err=True)
    log.info(
        "Finished rebuilding search index (%d datasets, %d failures).", len(ids), len(failures)
    )


class _Collector:
    """Stands in for the engine's connection while a batch is built: keeps the documents.

    Deletes (a dataset whose state asks for it) go to the engine at once, except
    in a row builder process (``deletes=False``), where they fail the batch: the
    parent then indexes it one dataset at a time, in its own transaction.
    """

    def __init__(self, deletes: bool = True) -> None:
        self.connection = PostgresConnection()
        self.deletes = deletes
        self.documents: list[dict[str, Any]] = []

    def add(self, docs: Any, commit: bool = True, **_kwargs: Any) -> str:
        self.documents.extend(docs)
        return ""

    def delete(self, *args: Any, **kwargs: Any) -> str:
        if not self.deletes:
            raise RuntimeError("a dataset to delete from the index: left to the parent process")
        return self.connection.delete(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:  # search, ping …
        return getattr(self.connection, name)


def _rows(ids: list[str], package_index: Any, deletes: bool = True) -> list[dict[str, Any]] | None:
    """The index rows of a batch, or None when ``ids`` name unknown datasets.

    Raises what building a dataset's document raised.
    """
    packages = dictize.load_packages(ids)
    if len(packages) != len(ids):
        # unknown ids (or names): package_show's NotFound, reported by the per-dataset path
        return None
    collector = _Collector(deletes)
    with connection_override(collector):
        for pkg, shown in dictize.show_many(packages):
            try:
                if isinstance(shown, Exception):
                    raise shown
                package_index.update_dict(shown, True)
            except Exception as error:
                raise _DatasetError(pkg.id) from error
    return [index.row_for(document) for document in collector.documents]


def index_in_session(packages: list[model.Package]) -> list[dict[str, Any]]:
    """Index ``packages`` in the current transaction (one upsert, no commit).

    The documents are built exactly as a rebuild builds them (``show_many``,
    CKAN's ``index_package``); they are returned in the order of ``packages``
    (a harvest batch takes each record's ``validated_data_dict`` from them).
    Raises what building a document raised.
    """
    collector = _Collector()
    package_index = index_for(model.Package)
    with connection_override(collector):
        for _pkg, shown in dictize.show_many(packages):
            if isinstance(shown, Exception):
                raise shown
            package_index.update_dict(shown, True)
    index.write_rows(model.Session, [index.row_for(document) for document in collector.documents])
    return collector.documents


class _DatasetError(Exception):
    """Building the document of dataset ``args[0]`` failed (the cause says why)."""


def _built_rows(
    chunks: list[list[str]], package_index: Any, builders: _RowBuilders | None, force: bool
) -> Iterator[tuple[list[str], list[dict[str, Any]] | None]]:
    """``(chunk, rows)`` per chunk, rows None for the chunks to index one dataset at a time."""
    if builders is not None:
        yield from builders.rows(chunks)
        return
    batched = dictize.batchable()
    for chunk in chunks:
        if not batched:
            yield chunk, None
            continue
        savepoint = model.Session.begin_nested() if force else None
        try:
            rows = _rows(chunk, package_index)
        except Exception as error:  # noqa: BLE001 - fatal unless force, then retried one by one
            if isinstance(error, _DatasetError):
                where, cause = f"dataset {error.args[0]}", error.__cause__ or error
            else:  # reading the batch failed
                where, cause = f"datasets {', '.join(chunk)}", error
            if savepoint is None:
                log.error("Error while indexing %s: %r", where, cause)
                model.Session.rollback()
                raise cause from None
            log.warning(
                "Error while indexing %s (%r): indexing the batch one dataset at a time",
                where,
                cause,
            )
            savepoint.rollback()
            rows = None
        else:
            if savepoint is not None:
                savepoint.commit()
        yield chunk, rows


def _write(ids: list[str], rows: list[dict[str, Any]], force: bool) -> bool:
    """Write a batch's rows (one statement); False when it failed and ``force`` is set."""
    savepoint = model.Session.begin_nested() if force else None
    try:
        index.write_rows(model.Session, rows)
    except Exception as error:  # noqa: BLE001 - fatal unless force, then retried one by one
        if savepoint is None:
            reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
            log.error("Error while indexing datasets %s: %s", ", ".join(ids), reason)
            model.Session.rollback()
            raise SearchIndexError(f"PostgreSQL search index write failed: {reason}") from error
        log.warning(
            "Writing a batch of %d datasets failed (%r): indexing them one by one", len(ids), error
        )
        savepoint.rollback()
        return False
    if savepoint is not None:
        savepoint.commit()
    return True


class _RowBuilders:
    """Processes that build the rows of batches while this one writes them.

    ``ckanext.khtourism.search.rebuild_workers`` > 1: that many processes,
    forked before this process opens its transaction (so no database connection
    is shared), read and dictize the datasets, run CKAN's indexer and build the
    rows — the CPU-heavy part — exactly as the single-process path does; this
    process writes every row in its one transaction (``--clear`` included). A
    batch a builder could not build is indexed here one dataset at a time.
    """

    def __init__(self, package_index: Any) -> None:
        global _builder_index
        _builder_index = package_index
        model.meta.engine.dispose()  # nothing of this process's pool reaches the children
        self.pool = multiprocessing.get_context("fork").Pool(_workers(), initializer=_builder_start)

    @staticmethod
    def wanted() -> bool:
        if _workers() <= 1 or not dictize.batchable():
            return False
        if model.Session.registry.has() and model.Session().in_transaction():
            # the caller's transaction holds a connection a child could disturb
            log.info("Rebuilding in one process: called inside a transaction")
            return False
        return True

    def rows(self, chunks: list[list[str]]) -> Iterator[tuple[list[str], Any]]:
        return self.pool.imap(_builder_rows, chunks)

    def close(self) -> None:
        self.pool.terminate()
        self.pool.join()


_builder_index: Any = None


def _workers() -> int:
    return int(config.get(WORKERS_OPTION) or 1)


def _builder_start() -> None:
    """In a row builder: a pool and a session of its own (the parent's pool was emptied)."""
    model.meta.engine.dispose(close=False)
    model.Session.registry.clear()


def _builder_rows(ids: list[str]) -> tuple[list[str], list[dict[str, Any]] | None]:
    try:
        return ids, _rows(ids, _builder_index, deletes=False)
    except Exception as error:  # noqa: BLE001 - the parent indexes the batch one by one
        log.warning("Row builder: batch of %d datasets left to the parent: %r", len(ids), error)
        return ids, None
    finally:
        model.Session.remove()


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
        self.bar: ProgressBar[int] | None = None
        self.every = max(1, total // 100)
        if not quiet and sys.stdout.isatty():
            bar: ProgressBar[int] = click.progressbar(
                length=total, label="Indexing datasets", show_pos=True, show_eta=True
            )
            bar.__enter__()
            self.bar = bar
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
