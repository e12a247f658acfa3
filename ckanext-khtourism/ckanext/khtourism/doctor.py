"""Health checks of an installation (``ckan khtourism doctor``).

Each check returns a :class:`Finding`; a check never raises, so one broken
service does not hide the state of the others. Messages say precisely what is
wrong and what to do about it.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import unquote

import sqlalchemy as sa

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.khtourism import compat

log = logging.getLogger(__name__)

OK, WARNING, ERROR = "ok", "warning", "error"

REQUIRED_PLUGINS = ["khtourism", "scheming_datasets", "dcat", "harvest", "spatial_metadata"]


@dataclass(frozen=True)
class Finding:
    check: str
    status: str
    message: str


def _redacted(url: str) -> str:
    """The URL without its password, readable (socket paths unquoted)."""
    try:
        return unquote(repr(sa.engine.make_url(url)))  # repr hides the password
    except Exception:  # noqa: BLE001 - never echo a URL we cannot redact
        return "<unparseable URL>"


def _first_line(error: BaseException) -> str:
    return str(error).strip().splitlines()[0].rstrip(".")


def check_configuration() -> list[Finding]:
    findings = []
    for key in ("ckan.site_url", "sqlalchemy.url", "ckan.redis.url"):
        if not tk.config.get(key):
            findings.append(Finding("configuration", ERROR, f"{key} is not set"))
    for key in ("SECRET_KEY", "api_token.jwt.encode.secret"):
        value = str(tk.config.get(key) or "")
        if not value or value.endswith("config:SECRET_KEY") and not tk.config.get("SECRET_KEY"):
            findings.append(
                Finding("configuration", ERROR, f"{key} is not set: generate a random secret")
            )
    missing = [name for name in REQUIRED_PLUGINS if not p.plugin_loaded(name)]
    if missing:
        findings.append(
            Finding(
                "configuration",
                ERROR,
                "plugins not loaded: " + ", ".join(missing) + " (add them to ckan.plugins)",
            )
        )
    if tk.config.get("ckan.locale_default") != "vi":
        findings.append(
            Finding(
                "configuration",
                WARNING,
                f"ckan.locale_default is {tk.config.get('ckan.locale_default')!r}; the portal is meant "
                "to default to Vietnamese ('vi')",
            )
        )
    if tk.asbool(tk.config.get("ckan.csrf_protection.ignore_extensions", True)):
        findings.append(
            Finding(
                "configuration",
                ERROR,
                "ckan.csrf_protection.ignore_extensions is true: the extensions' forms "
                "(workflow buttons, harvest pages) accept cross-site posts; set it to false "
                "(docs/security.md)",
            )
        )
    if not findings:
        findings.append(
            Finding(
                "configuration",
                OK,
                "required settings present, plugins loaded: " + ", ".join(REQUIRED_PLUGINS),
            )
        )
    return findings


def check_database() -> list[Finding]:
    url = _setting("sqlalchemy.url")
    timeout = int(_setting("ckanext.khtourism.doctor.timeout", 5))
    engine = sa.create_engine(
        url, connect_args={"connect_timeout": timeout}, poolclass=sa.pool.NullPool
    )
    try:
        with engine.connect() as connection:
            version = connection.execute(sa.text("SHOW server_version")).scalar()
    except sa.exc.OperationalError as error:
        reason = _first_line(error.orig or error)
        return [
            Finding(
                "database",
                ERROR,
                f"cannot connect to PostgreSQL at {_redacted(url)}: {reason}. "
                "Is the server running and is sqlalchemy.url right?",
            )
        ]
    finally:
        engine.dispose()
    return [Finding("database", OK, f"PostgreSQL {version} reachable at {_redacted(url)}")]


def check_migrations() -> list[Finding]:
    from ckan.cli import db as db_cli
    from ckan.model import repo

    try:
        repo.setup_migration_version_control()
        core = repo.current_version() or "base"
        pending_plugins = db_cli._get_pending_plugins()
    except Exception as error:  # noqa: BLE001 - reported as the finding
        return [Finding("migrations", ERROR, f"could not read the migration state: {error}")]
    findings = []
    if not core.endswith("(head)"):
        findings.append(
            Finding(
                "migrations",
                ERROR,
                f"CKAN core database is at revision {core}, not the latest: run `ckan db upgrade`",
            )
        )
    if pending_plugins:
        listed = ", ".join(f"{name} ({count})" for name, count in pending_plugins.items())
        findings.append(
            Finding(
                "migrations",
                ERROR,
                f"pending plugin migrations: {listed}: run `ckan db pending-migrations --apply`",
            )
        )
    if not findings:
        findings.append(
            Finding("migrations", OK, "CKAN core and every plugin are at their latest migration")
        )
    return findings


def check_redis() -> list[Finding]:
    import redis

    url = _setting("ckan.redis.url")
    timeout = int(_setting("ckanext.khtourism.doctor.timeout", 5))
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
        client.ping()
        # redis-py types sync and asyncio answers alike (ResponseT): this one is a dict
        version = cast(dict[str, Any], client.info("server")).get("redis_version")
    except redis.RedisError as error:
        return [
            Finding(
                "redis",
                ERROR,
                f"cannot reach Redis at {url}: {_first_line(error)}. "
                "Is the server running and is ckan.redis.url right?",
            )
        ]
    return [Finding("redis", OK, f"Redis {version} reachable at {url}")]


def check_search() -> list[Finding]:
    from ckan.lib import search

    try:
        conn = search.make_connection()
        result = conn.search(q="*:*", rows=0)
    except Exception as error:  # noqa: BLE001 - reported as the finding
        engine = tk.config.get("ckanext.khtourism.search.engine", "solr")
        return [Finding("search", ERROR, f"the search engine ({engine}) does not answer: {error}")]
    return [Finding("search", OK, f"search engine answers; {result.hits} datasets indexed")]


def check_search_drift() -> list[Finding]:
    """The search index agrees with the database (search/drift.py)."""
    from ckanext.khtourism.search import drift, postgres_enabled

    if not postgres_enabled():
        return [Finding("search index", OK, "not compared (the Solr engine is configured)")]
    try:
        found = drift.find()
    except Exception as error:  # noqa: BLE001 - reported as the finding
        return [Finding("search index", ERROR, f"could not compare: {_first_line(error)}")]
    if found.clean:
        return [Finding("search index", OK, "agrees with the database")]
    return [
        Finding(
            "search index",
            ERROR,
            f"differs from the database: {found.describe()}. Repair: ckan khtourism search repair",
        )
    ]


def check_search_layout() -> list[Finding]:
    """The columns every hit reads are stored in the heap row (search/layout.py)."""
    from ckan import model

    from ckanext.khtourism.search import layout, postgres_enabled

    if not postgres_enabled():
        return [Finding("search table", OK, "not checked (the Solr engine is configured)")]
    try:
        found = layout.inspect(model.Session)
    except Exception as error:  # noqa: BLE001 - reported as the finding
        return [Finding("search table", ERROR, f"could not inspect: {_first_line(error)}")]
    return [Finding("search table", OK if found.ok else WARNING, layout.describe(found))]


def check_facet_counts() -> list[Finding]:
    """How facets are counted: this process's bitmaps, or SQL (search/facet_bitmaps.py)."""
    from ckanext.khtourism.search import facet_bitmaps, postgres_enabled

    if not postgres_enabled():
        return [Finding("facet counts", OK, "by Solr (the Solr engine is configured)")]
    if not facet_bitmaps.available():
        return [
            Finding(
                "facet counts",
                WARNING,
                "in SQL: the pyroaring wheel is not installed (pip install pyroaring);"
                " the same counts, slower for searches with many hits",
            )
        ]
    if not facet_bitmaps.enabled():
        return [Finding("facet counts", OK, f"in SQL ({facet_bitmaps.OPTION} is off)")]
    from ckanext.khtourism.search import memory_plan

    hits = (
        "; hits found in the same bitmaps, only the page read in SQL"
        if memory_plan.enabled()
        else f"; hits found in SQL ({memory_plan.OPTION} is off)"
    )
    return [
        Finding(
            "facet counts", OK, "from per-value bitmaps kept current from the change log" + hits
        )
    ]


def check_compat(entries: tuple[compat.Entry, ...] = compat.ENTRIES) -> list[Finding]:
    """One line per patch or re-implementation of upstream code (compat/registry.py)."""
    return [
        Finding("compat", OK if status.state == "ok" else ERROR, status.describe())
        for status in compat.statuses(entries)
    ]


CHECKS: list[Callable[[], list[Finding]]] = [
    check_configuration,
    check_compat,
    check_database,
    check_migrations,
    check_redis,
    check_search,
    check_search_drift,
    check_search_layout,
    check_facet_counts,
]


def print_report(findings: list[Finding], echo: Callable[[str], None]) -> int:
    """Print one line per finding; return the number of errors."""
    marks = {OK: "OK  ", WARNING: "WARN", ERROR: "FAIL"}
    for finding in findings:
        echo(f"[{marks[finding.status]}] {finding.check}: {finding.message}")
    errors = sum(1 for f in findings if f.status == ERROR)
    echo(f"{errors} problem(s) found." if errors else "All checks passed.")
    return errors


def is_doctor_invocation(argv: list[str]) -> bool:
    """True when this process is ``ckan [-c FILE] khtourism doctor``."""
    words = [word for word in argv[1:] if not word.startswith("-")]
    return any(words[i : i + 2] == ["khtourism", "doctor"] for i in range(len(words)))


def preflight(config: Any) -> None:
    """Run the doctor before CKAN opens the database, if that is what was asked.

    CKAN reads the database while it starts (before any command runs), so with
    a stopped database ``ckan khtourism doctor`` would die in a traceback
    instead of saying what is wrong. Called from the plugin's
    ``update_config`` (which CKAN calls before it connects): when the database
    cannot be reached, report every check that does not need it and exit 1.
    """
    if not is_doctor_invocation(sys.argv):
        return
    with _config_view(config):
        database = check_database()
        if all(f.status != ERROR for f in database):
            return  # CKAN can start; the full doctor runs as a normal command
        findings = [*database]
        findings += [
            Finding("migrations", ERROR, "not checked: the database is not reachable"),
            Finding("search", ERROR, "not checked: the database is not reachable"),
        ]
        findings += check_redis()
        findings += check_compat()
    errors = print_report(findings, print)
    raise SystemExit(1 if errors else 0)


@contextmanager
def _config_view(config: Any) -> Iterator[None]:
    """Let checks read ``tk.config`` while CKAN is still building it."""
    global _config_override
    _config_override = config
    try:
        yield
    finally:
        _config_override = None


_config_override: Any = None


def _setting(key: str, default: Any = None) -> Any:
    source = _config_override if _config_override is not None else tk.config
    value = source.get(key, default)
    return default if value is None else value


def run_checks() -> list[Finding]:
    findings: list[Finding] = []
    database_ok = True
    for check in CHECKS:
        if (
            check in (check_migrations, check_search, check_search_drift, check_search_layout)
            and not database_ok
        ):
            findings.append(
                Finding(
                    check.__name__.removeprefix("check_"),
                    ERROR,
                    "skipped: the database is not reachable",
                )
            )
            continue
        results = check()
        if check is check_database:
            database_ok = all(f.status != ERROR for f in results)
        findings.extend(results)
    return findings
