"""The test suite split over worker processes (pytest-xdist), each on its own data.

``make test`` runs the suite in as many pytest-xdist workers as the machine has
cores (at most :data:`MAX_DEFAULT_WORKERS`; ``KHTOURISM_TEST_WORKERS`` or
pytest's own ``-n`` choose another number, ``-n 0`` runs it in one process).
Tests reset the database and Redis between them, so two workers must never
share either: worker ``gwN`` gets

- its own database on the same PostgreSQL server: ``<database>_gwN``, created
  on first use;
- its own Redis database number: the suite's number + 1 + N;
- its own storage folder: ``<storage_path>-gwN``.

They reach CKAN through the environment variables CKAN reads over its
configuration file (``CKAN_SQLALCHEMY_URL``, ``CKAN_REDIS_URL``,
``CKAN_STORAGE_PATH``), set before the worker's CKAN starts
(``tests/conftest.py``); programs a test starts inherit them.
"""

from __future__ import annotations

import configparser
import os
import re
import urllib.parse
from pathlib import Path

WORKERS_VAR = "KHTOURISM_TEST_WORKERS"
# Each worker is a whole CKAN: past a few, the shared PostgreSQL is the limit.
MAX_DEFAULT_WORKERS = 4
# Redis has 16 databases (0-15) unless configured otherwise.
REDIS_DATABASES = 16

_WORKER_ID = re.compile(r"^gw(\d+)$")


def default_count() -> int:
    """Workers when neither ``-n`` nor ``KHTOURISM_TEST_WORKERS`` says: one per core."""
    chosen = os.environ.get(WORKERS_VAR, "").strip()
    if chosen:
        if not chosen.isdigit():
            raise ValueError(f"{WORKERS_VAR} must be a whole number, got {chosen!r}")
        return int(chosen)
    return max(1, min(os.cpu_count() or 1, MAX_DEFAULT_WORKERS))


# Arguments of an interactive run, which workers would defeat: a debugger needs the
# terminal, and a worker's output (``-s``) never reaches it.
ONE_PROCESS_ARGS = ("-s", "--capture=no", "--pdb", "--trace")


def pytest_args(args: list[str]) -> list[str]:
    """``args`` with ``-n <default_count()>`` in front, unless they choose the number
    themselves or ask for an interactive run (:data:`ONE_PROCESS_ARGS`: one process)."""
    chooses = any(
        arg.startswith(("-n", "--numprocesses")) or arg.endswith("no:xdist") for arg in args
    )
    if chooses:
        return args
    if any(arg in ONE_PROCESS_ARGS for arg in args):
        return ["-n", "0", *args]
    return ["-n", str(default_count()), *args]


def worker_index(worker_id: str) -> int:
    match = _WORKER_ID.match(worker_id)
    if not match:
        raise ValueError(f"not a pytest-xdist worker id: {worker_id!r}")
    return int(match.group(1))


def database_url(url: str, worker_id: str) -> str:
    """The worker's database on the server of ``url`` (the path's name, suffixed).

    The rest of the URL is kept character for character: CKAN reads its environment
    into its configuration parser, where a ``%`` (a re-encoded socket path) would
    break interpolation.
    """
    worker_index(worker_id)
    parts = urllib.parse.urlsplit(url)
    database = parts.path.lstrip("/")
    if not database:
        raise ValueError(f"sqlalchemy.url names no database: {url}")
    return urllib.parse.urlunsplit(parts._replace(path=f"/{database}_{worker_id}"))


def redis_url(url: str, worker_id: str) -> str:
    """The worker's Redis database on the server of ``url``.

    ``redis://host:port/N`` and ``unix:///path.sock?db=N`` both name the suite's
    database ``N`` (0 when absent); the worker's is ``N + 1 + index``.
    """
    index = worker_index(worker_id)
    query_db = re.search(r"([?&])db=(\d+)", url)
    if query_db:
        number = int(query_db.group(2)) + 1 + index
        _check_redis_db(number, url)
        return url[: query_db.start(2)] + str(number) + url[query_db.end(2) :]
    if url.startswith("unix://"):
        number = 1 + index
        _check_redis_db(number, url)
        return f"{url}{'&' if '?' in url else '?'}db={number}"
    path_db = re.match(r"^(rediss?://[^/?#]*)(?:/(\d*))?(.*)$", url)
    if not path_db:
        raise ValueError(f"ckan.redis.url is not a redis:// or unix:// URL: {url}")
    number = int(path_db.group(2) or 0) + 1 + index
    _check_redis_db(number, url)
    return f"{path_db.group(1)}/{number}{path_db.group(3)}"


def _check_redis_db(number: int, url: str) -> None:
    if number >= REDIS_DATABASES:
        raise ValueError(
            f"test worker would need Redis database {number} of {url}; Redis has "
            f"{REDIS_DATABASES}: run fewer workers ({WORKERS_VAR} or -n)"
        )


def create_database(url: str) -> None:
    """Create the database ``url`` names, unless it exists (connecting as ``url``'s user
    to the server's ``postgres`` database)."""
    import sqlalchemy as sa

    target = sa.engine.make_url(url)
    engine = sa.create_engine(
        target.set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool
    )
    try:
        with engine.connect() as connection:
            exists = connection.execute(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :name"),
                {"name": target.database},
            ).scalar()
            if not exists:
                quoted = connection.dialect.identifier_preparer.quote(target.database)
                connection.execute(
                    sa.text(f"CREATE DATABASE {quoted} ENCODING 'UTF8' TEMPLATE template0")
                )
    finally:
        engine.dispose()


def isolate(worker_id: str, ini_path: str) -> dict[str, str]:
    """Point this worker process at its own database, Redis database and storage folder
    (see the module's doc); returns the environment variables it set."""
    parser = configparser.RawConfigParser(strict=False)
    if not parser.read(ini_path, encoding="utf-8"):
        raise FileNotFoundError(f"test configuration not found: {ini_path}")
    settings = dict(parser.items("app:main"))
    base_database = os.environ.get("CKAN_SQLALCHEMY_URL") or settings["sqlalchemy.url"]
    base_redis = os.environ.get("CKAN_REDIS_URL") or settings["ckan.redis.url"]
    base_storage = os.environ.get("CKAN_STORAGE_PATH") or settings["ckan.storage_path"]
    variables = {
        "CKAN_SQLALCHEMY_URL": database_url(base_database, worker_id),
        "CKAN_REDIS_URL": redis_url(base_redis, worker_id),
        "CKAN_STORAGE_PATH": f"{base_storage.rstrip('/')}-{worker_id}",
    }
    create_database(variables["CKAN_SQLALCHEMY_URL"])
    Path(variables["CKAN_STORAGE_PATH"]).mkdir(parents=True, exist_ok=True)
    os.environ.update(variables)
    return variables
