"""What the suite changes in CKAN's test machinery to stay fast, and why each is equivalent.

CKAN's fixtures rebuild everything for every test: ``with_plugins`` unloads and loads
every plugin (each load and unload re-runs ``environment.update_config``: config
declarations, template and asset folders, scheming's schemas …) and unloads them again
afterwards; ``app`` loads them once more and builds a new Flask application (900 URL
rules compiled). With the harvest, DCAT, spatial, scheming and activity plugins that is
1–3 s of CPU per test, more than most tests themselves.

1. :func:`toolkit_caller_without_source`: ``tk.add_template_directory``,
   ``add_public_directory`` and ``add_resource`` find their caller's file with
   ``inspect.stack()``, which reads the source lines of every frame of the stack (half of
   a plugin load). The replacement reads the same frame's file name, without the source.
   ``tests/test_fast_ckan.py`` checks both give the same folders.
2. :class:`PluginState`: plugins are loaded, and an application built, once per
   *configuration*: a test whose configuration (the ``ckan_config`` marks, anything a
   fixture set, the environment variables CKAN reads over its file) is the one the
   plugins were last loaded with gets the loaded plugins and the same application;
   any difference loads them again and builds a new application, exactly as CKAN does.
   A test that uses neither ``with_plugins`` nor ``app`` still runs with only the system
   plugins loaded (``conftest.py`` unloads the others before it), as with CKAN's
   fixtures.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from typing import Any

import ckan.plugins as plugins
import ckan.plugins.toolkit as toolkit
from ckan.common import config
from ckan.config.environment import CONFIG_FROM_ENV_VARS


# ------------------------------------------------------------------ 1. toolkit callers
def _caller_file(depth: int) -> str:
    """The file of the frame ``depth`` levels above the caller of this function."""
    return sys._getframe(depth + 1).f_code.co_filename


def _add_served_directory(config_: Any, relative_path: str, config_var: str) -> str:
    """CKAN 2.11's ``toolkit._add_served_directory``, caller found without ``inspect``."""
    assert config_var in ("plugin_template_paths", "plugin_public_paths")
    # frames: this function, add_template_directory/add_public_directory, their caller
    this_dir = os.path.dirname(_caller_file(2))
    absolute_path = os.path.join(this_dir, relative_path)
    if absolute_path not in config_.get(config_var, []):
        if config_var in config_:
            config_[config_var] = [absolute_path] + config_[config_var]
        else:
            config_[config_var] = [absolute_path]
    return absolute_path


def _add_resource(path: str, name: str) -> None:
    """CKAN 2.11's ``toolkit.add_resource``, caller found without ``inspect``."""
    from ckan.lib.webassets_tools import create_library

    this_dir = os.path.dirname(_caller_file(1))
    create_library(name, os.path.join(this_dir, path))


ORIGINAL_ADD_SERVED_DIRECTORY = toolkit._add_served_directory
ORIGINAL_ADD_RESOURCE = toolkit.add_resource


def toolkit_caller_without_source() -> None:
    toolkit._add_served_directory = _add_served_directory
    toolkit.add_resource = _add_resource


# ------------------------------------------------------------- 2. plugins and the app
# Fixtures after which the plugins named by ``ckan.plugins`` are loaded.
PLUGIN_FIXTURES = frozenset({"with_plugins", "app", "make_app"})


def fingerprint() -> str:
    """The configuration a plugin load depends on: CKAN's config object and the
    environment variables ``update_config`` reads over it."""
    environment = sorted((name, os.environ.get(name)) for name in CONFIG_FROM_ENV_VARS.values())
    return repr((sorted((key, repr(value)) for key, value in config.items()), environment))


class PluginState:
    """The configurations the loaded plugins (and :attr:`app`) were built for."""

    def __init__(self) -> None:
        self.fingerprints: set[str] = set()
        self.app: Any = None
        self.loads = 0
        self.reuses = 0

    def current(self) -> bool:
        """Whether the plugins loaded now are those this configuration would load."""
        return (
            bool(self.fingerprints)
            and fingerprint() in self.fingerprints
            and all(
                plugins.plugin_loaded(name) for name in toolkit.aslist(config.get("ckan.plugins"))
            )
        )

    def load(self) -> None:
        """``with_plugins``: load the plugins unless they are loaded for this configuration."""
        if self.current():
            self.reuses += 1
            return
        before = fingerprint()
        plugins.load_all()
        self.loads += 1
        self.fingerprints = {before, fingerprint()}
        self.app = None

    def make_app(self, build: Any) -> Any:
        """``make_app()``: the application built for this configuration, or a new one
        (``build`` loads the plugins itself, as CKAN's ``_get_test_app`` does)."""
        if self.app is not None and self.current():
            from ckan.lib import app_globals

            app_globals.reset()  # what a new application's environment would read
            self.reuses += 1
            return self.app
        before = fingerprint()
        self.app = build()
        self.loads += 1
        self.fingerprints = {before, fingerprint()}
        return self.app

    @contextlib.contextmanager
    def loaded(self) -> Iterator[None]:
        """The plugins loaded for a while (e.g. for their migrations), as they were after."""
        was_loaded = self.current()
        self.load()
        try:
            yield
        finally:
            if not was_loaded:
                self.unload()

    def unload(self) -> None:
        """Before a test that asks for no plugins: only the system plugins, as CKAN's
        ``with_plugins`` leaves them after each test."""
        if self.fingerprints or self.app is not None:
            plugins.unload_non_system_plugins()
        self.fingerprints = set()
        self.app = None


STATE = PluginState()
