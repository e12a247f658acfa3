"""The suite's shortcuts in CKAN's test machinery (``tests/fast_ckan.py``) change nothing a
test can see: the same folders as CKAN's toolkit, plugins loaded again whenever the
configuration differs."""

from __future__ import annotations

import os

import pytest

import ckan.plugins as plugins
from ckan.common import config

from tests import fast_ckan


def _add_template_directory(served, config_, relative_path):
    """A caller at the depth of ``toolkit.add_template_directory``."""
    return served(config_, relative_path, "plugin_template_paths")


def test_served_folders_are_those_ckans_toolkit_finds():
    for relative in ("theme/templates", "../public", "/absolute/folder"):
        ours: dict = {}
        theirs: dict = {"plugin_template_paths": ["/already/there"]}
        mine_too: dict = {"plugin_template_paths": ["/already/there"]}
        found = _add_template_directory(fast_ckan._add_served_directory, ours, relative)
        expected = _add_template_directory(fast_ckan.ORIGINAL_ADD_SERVED_DIRECTORY, {}, relative)
        assert found == expected
        assert found == os.path.join(os.path.dirname(__file__), relative)
        assert ours == {"plugin_template_paths": [expected]}
        _add_template_directory(fast_ckan._add_served_directory, mine_too, relative)
        _add_template_directory(fast_ckan.ORIGINAL_ADD_SERVED_DIRECTORY, theirs, relative)
        assert mine_too == theirs


def test_asset_libraries_are_those_ckans_toolkit_finds(monkeypatch):
    import ckan.lib.webassets_tools as webassets_tools

    created: list[tuple[str, str]] = []
    monkeypatch.setattr(webassets_tools, "create_library", lambda n, p: created.append((n, p)))
    fast_ckan._add_resource("theme/assets", "ours")
    fast_ckan.ORIGINAL_ADD_RESOURCE("theme/assets", "theirs")
    folder = os.path.join(os.path.dirname(__file__), "theme/assets")
    assert created == [("ours", folder), ("theirs", folder)]


@pytest.mark.usefixtures("with_plugins")
def test_plugins_are_loaded_again_when_the_configuration_differs(monkeypatch):
    state = fast_ckan.STATE
    assert plugins.plugin_loaded("khtourism")
    assert state.current()
    loads = state.loads
    state.load()
    assert state.loads == loads  # same configuration: nothing to do

    monkeypatch.setitem(config, "ckanext.khtourism.fast_ckan_probe", "changed")
    assert not state.current()
    state.load()
    assert state.loads == loads + 1
    assert state.current()

    monkeypatch.setenv("CKAN_SITE_ID", "another-site")
    assert not state.current()


def test_a_test_without_plugin_fixtures_has_only_the_system_plugins():
    assert not plugins.plugin_loaded("khtourism")
    assert not plugins.plugin_loaded("scheming_datasets")
