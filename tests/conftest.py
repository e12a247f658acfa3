"""Fixtures shared by the whole suite.

The suite runs with CKAN's pytest plugin against real PostgreSQL and Redis
(``make test`` starts embedded ones, or uses the servers that
``CKAN_SQLALCHEMY_URL`` / ``CKAN_REDIS_URL`` name).
"""

from __future__ import annotations

import functools
import importlib.metadata
import os

import pytest
import yaml

import ckan.plugins.core as plugins_core

from tests import fast_ckan

# Plugins that own tables: their migrations run after every database reset.
PLUGINS_WITH_MIGRATIONS = ["activity", "harvest", "khtourism"]


@functools.cache
def _entry_points(params: tuple[tuple[str, str], ...]) -> importlib.metadata.EntryPoints:
    return importlib.metadata.entry_points(**dict(params))


def _cached_entry_points(**params: str) -> importlib.metadata.EntryPoints:
    return _entry_points(tuple(sorted(params.items())))


# CKAN looks every plugin up in the installed distributions' entry points each time plugins
# are loaded — on every ``with_plugins`` and ``app`` fixture, ~50 lookups that each read the
# metadata of every package in the virtualenv (2–4 s per test on a slow disk). The installed
# distributions do not change during a test session: the same answers, read once.
plugins_core.entry_points = _cached_entry_points


def _cache_dcat_profile_lookups() -> None:
    """ckanext-dcat looks its RDF profiles up the same way for every processor it makes
    (two lookups per catalogue or dataset serialized or parsed: 288 in the privacy
    registry test alone, ~14 % of its time); the same answers, read once."""
    try:
        from ckanext.dcat import processors
    except ImportError:  # pragma: no cover - requirements.txt pins ckanext-dcat
        return
    processors.entry_points = _cached_entry_points


_cache_dcat_profile_lookups()


def _safe_load_with_libyaml(stream):  # type: ignore[no-untyped-def]
    return yaml.load(stream, Loader=yaml.CSafeLoader)  # noqa: S506 - the safe loader, in C


# Each plugin load re-reads the scheming schemas, presets and config declarations (~60 YAML
# files per test) with PyYAML's pure-Python safe loader; its C implementation (libyaml, the
# same safe constructor) is ~10x faster.
if getattr(yaml, "__with_libyaml__", False):
    yaml.safe_load = _safe_load_with_libyaml

# Plugins find their template and asset folders without reading the whole stack's source.
fast_ckan.toolkit_caller_without_source()
# Config declarations validated once per definition, not at every plugin load and unload.
fast_ckan.declarations_validated_once()
# Asset bundles' URLs asked for once per bundle, not at every page.
fast_ckan.asset_urls_remembered()
# URL rules' building functions compiled once per rule, not at every application build.
fast_ckan.url_builders_compiled_once()
# YAML files (schemas, presets, declarations) parsed once per content, not at every load.
fast_ckan.yaml_files_parsed_once()


def _cheaper_password_hashes() -> None:
    """CKAN hashes every new user's password with pbkdf2-sha512 at passlib's default rounds
    (25,000: ~50 ms of CPU per user; the suite makes well over a thousand users). The tests prove
    who may do what, not the hash's strength: the same algorithm at 1,000 rounds. The
    rounds are written in each hash, and CKAN's ``validate_password`` checks against this
    handler's default, so signing in works as in the portal (``tests/test_fast_ckan.py``)."""
    from passlib.hash import pbkdf2_sha512

    import ckan.model.user as model_user

    model_user.pbkdf2_sha512 = pbkdf2_sha512.using(rounds=1000)  # type: ignore[attr-defined]


_cheaper_password_hashes()


def pytest_configure(config: pytest.Config) -> None:
    """A pytest-xdist worker gets its own database, Redis database and storage folder
    (``ckanext.khtourism.local.test_workers``) before its CKAN starts (at session start)."""
    worker_id = os.environ.get("PYTEST_XDIST_WORKER")
    if worker_id and config.option.ckan_ini:
        from ckanext.khtourism.local import test_workers

        test_workers.isolate(worker_id, config.option.ckan_ini)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """In pytest-xdist workers: the longest files first; in every run: within a file, the
    tests with the same settings together (``tests/scheduling.py``)."""
    from tests import scheduling

    if os.environ.get("PYTEST_XDIST_WORKER"):
        scheduling.heaviest_files_first(items)
    scheduling.same_settings_together(items)


@pytest.fixture(scope="session", autouse=True)
def _no_snapshots_of_earlier_runs():
    """Sample data snapshots (``tests/snapshots.py``) are of this run only."""
    from tests import snapshots

    snapshots.drop_all()


# Fixtures that build CKAN's application (``app`` asks for ``make_app``).
APP_FIXTURES = frozenset({"app", "make_app"})


@pytest.fixture
def with_plugins(ckan_config, request):
    """CKAN's ``with_plugins``, loading the plugins only when this test's configuration
    differs from the one they were last loaded with (``tests/fast_ckan.py``).

    A test that also asks for the application gets it built here: building it loads the
    plugins for this configuration (CKAN's ``load_environment``), so they are loaded
    once, by the build — loaded here and then again by the build before (about half of a
    run's 202 loads). ``app`` then hands out the application built here, as it does for
    every later test with the same configuration."""
    if APP_FIXTURES & set(request.fixturenames):
        _application_for_this_configuration()
    else:
        fast_ckan.STATE.load()
    yield


def _application_for_this_configuration() -> object:
    """The application for this configuration (built, or the one built for it). CKAN
    keeps the file's value of each runtime-editable setting the first time it reads one
    (``app_globals._CONFIG_CACHE``): emptied, so they are taken from this test's
    configuration, as a new process takes them."""
    from ckan.lib.app_globals import _CONFIG_CACHE
    from ckan.tests.helpers import _get_test_app

    _CONFIG_CACHE.clear()
    return fast_ckan.STATE.make_app(_get_test_app)


@pytest.fixture
def make_app(ckan_config):
    """CKAN's ``make_app``: the application built for this test's configuration,
    built again only when the configuration differs (``tests/fast_ckan.py``)."""
    return _application_for_this_configuration


def _empty_rate_limit_counters() -> None:
    """The counters of the tourism API's and the action API's rate limits, in this worker's
    Redis database, deleted: they outlive a test (and the app that counted them), so tests
    run back to back would otherwise share one client's quota for a minute."""
    from ckan.lib.redis import connect_to_redis

    from ckanext.khtourism.security import action_limits

    redis = connect_to_redis()
    for prefix in ("LIMITS", action_limits.KEY_PREFIX):
        keys = list(redis.scan_iter(f"{prefix}:*", count=1000))
        if keys:
            redis.delete(*keys)


@pytest.fixture
def app(make_app):
    """CKAN's ``app``, every rate-limit quota full, as ``clean_db`` starts with no data."""
    _empty_rate_limit_counters()
    return make_app()


@pytest.fixture(autouse=True)
def _runtime_config_checked_at_first_request():
    """Every test's first page request checks CKAN's runtime-editable settings, as a new
    process's does (``api/overhead.py`` checks at most every few seconds): a setting a
    previous test saved, then emptied with the database, is not seen."""
    from ckanext.khtourism.api.overhead import ConfigCheckClock

    ConfigCheckClock.last = None


@pytest.fixture(autouse=True)
def _system_plugins_only_unless_asked(request):
    """A test that asks for neither ``with_plugins`` nor ``app`` runs with the system
    plugins only, as after CKAN's own ``with_plugins``."""
    if not fast_ckan.PLUGIN_FIXTURES.intersection(request.fixturenames):
        fast_ckan.STATE.unload()


@pytest.fixture
def reset_db():
    """CKAN's ``reset_db``, emptying the tables in one round trip (``tests/fast_ckan.py``)."""
    from ckan.tests import factories

    factories.fake.unique.clear()
    return fast_ckan.reset_db


def _plugin_migrations_missing() -> bool:
    import sqlalchemy as sa

    from ckan import model

    tables = [f"{plugin}_alembic_version" for plugin in PLUGINS_WITH_MIGRATIONS]
    found = model.Session.execute(
        sa.text("SELECT count(*) FROM pg_tables WHERE tablename = ANY(:names)"),
        {"names": tables},
    ).scalar()
    model.Session.commit()
    return found != len(tables)


@pytest.fixture
def clean_db(reset_db, migrate_db_for):
    """CKAN's ``clean_db``, plus the migrations of every plugin that owns tables.

    The migrations run when the reset dropped the tables (the first reset of a session:
    CKAN drops every table then) or a plugin's are missing; the other resets empty the
    tables and keep them, so the migrations would have nothing to do.
    """
    from ckan import model

    engine = model.meta.engine
    tables_dropped = not model.repo.tables_created_and_initialised
    reset_db()
    if tables_dropped or _plugin_migrations_missing():
        # CKAN finds a plugin's migrations through the loaded plugin
        with fast_ckan.STATE.loaded():
            for plugin in PLUGINS_WITH_MIGRATIONS:
                migrate_db_for(plugin)
    fast_ckan.keep_engine(engine)
    # search: CKAN's reset does not empty the PostgreSQL search index (its own table)
    from ckanext.khtourism.search import reset_index

    reset_index()
    # api: the change feed is our own table too
    from ckanext.khtourism.changelog.changes import clear_changes

    clear_changes()
    # clients: the client registry's tables
    from ckanext.khtourism.clients.model import clear as clear_clients

    clear_clients()
