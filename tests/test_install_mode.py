"""What runs is what the install mode promises: the repository's files in an editable
install (development), the wheel's copy otherwise (CI: what is tested is what ships)."""

from __future__ import annotations

import inspect
import os
import sysconfig
from pathlib import Path

import ckanext.khtourism
import ckanext.khtourism.harvesters
import ckanext.khtourism.schemas
import ckanext.khtourism.theme
from ckanext.khtourism.core.record_types import RECORD_TYPES
from ckanext.khtourism.local import install_mode
from ckanext.khtourism.records import schema_choices

REPO = Path(__file__).resolve().parents[1]
SITE_PACKAGES = Path(sysconfig.get_paths()["purelib"]).resolve()


def _where(module) -> Path:
    return Path(inspect.getfile(module)).resolve().parent


def test_every_mapped_folder_comes_from_the_install_mode_s_place():
    mode = install_mode.installed_mode()
    places = {
        ckanext.khtourism: REPO / "ckanext-khtourism" / "ckanext" / "khtourism",
        ckanext.khtourism.harvesters: REPO / "harvesters",
        ckanext.khtourism.schemas: REPO / "schemas",
        ckanext.khtourism.theme: REPO / "theme",
    }
    for module, repository_folder in places.items():
        if mode == install_mode.EDITABLE:
            assert _where(module) == repository_folder, module.__name__
        else:
            assert _where(module).is_relative_to(SITE_PACKAGES), module.__name__
    if os.environ.get("CI") == "true":
        assert mode == install_mode.WHEEL  # make install builds and installs the wheel in CI


def test_templates_assets_and_schemas_resolve_beside_the_theme_and_schema_packages():
    theme_folder = _where(ckanext.khtourism.theme)
    assert Path(ckanext.khtourism.theme.TEMPLATES) == theme_folder / "templates"
    assert (Path(ckanext.khtourism.theme.TEMPLATES) / "khtourism").is_dir()
    assert (Path(ckanext.khtourism.theme.ASSETS) / "webassets.yml").is_file()
    assert Path(ckanext.khtourism.theme.PUBLIC).is_dir()
    # the schemas the records read are those of the schemas package's folder
    assert (_where(ckanext.khtourism.schemas) / "accommodation.yaml").is_file()
    assert set(schema_choices.record_types()) == set(RECORD_TYPES)  # the registered ones


def test_the_plugin_registers_the_theme_package_s_folders(with_plugins):
    from ckan.common import config

    assert ckanext.khtourism.theme.TEMPLATES in config["plugin_template_paths"]
    assert ckanext.khtourism.theme.PUBLIC in config["plugin_public_paths"]
