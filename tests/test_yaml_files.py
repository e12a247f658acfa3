"""The package's YAML files parsed with libyaml give what PyYAML's own parser gives, once
per process, each caller with a copy of its own (``core/yaml_files.py``)."""

from __future__ import annotations

from importlib import resources

import yaml

from ckanext.khtourism.core import record_types, yaml_files

FILES = [
    ("ckanext.khtourism.schemas", entry.name)
    for entry in resources.files("ckanext.khtourism.schemas").iterdir()
    if entry.name.endswith(".yaml")
] + [("ckanext.khtourism.api", "openapi_base.yaml")]


def test_libyaml_parses_every_yaml_file_as_pyyaml_does():
    assert yaml_files.SafeLoader is yaml.CSafeLoader  # PyYAML's wheels carry libyaml
    assert len(FILES) >= 10
    for package, name in FILES:
        text = resources.files(package).joinpath(name).read_text("utf-8")
        assert yaml_files.safe_load(text) == yaml.load(text, Loader=yaml.SafeLoader), name


def test_a_file_is_parsed_once_and_each_caller_gets_its_own_copy():
    yaml_files._parsed.cache_clear()  # noqa: SLF001 - the cache is what is tested
    first = record_types.load_schema("accommodation.yaml")
    first["dataset_fields"].clear()
    second = record_types.load_schema("accommodation.yaml")
    assert second["dataset_fields"], "a caller's change reached another caller"
    assert yaml_files._parsed.cache_info().misses == 1  # noqa: SLF001


def test_schemings_loader_reads_the_schemas_with_libyaml_and_gives_the_same_data(
    with_plugins,
):
    """ckanext-scheming's ``loader.load`` is ours once the plugins are loaded (compat entry
    ``scheming.loader_load``): each schema and presets file as PyYAML's own parser reads
    it, a JSON file as ``json.load`` reads it."""
    import json
    import os

    import ckanext.scheming
    from ckanext.scheming import loader

    assert loader.load is yaml_files.scheming_load
    schemas = resources.files("ckanext.khtourism.schemas")
    yaml_paths = [str(schemas.joinpath(entry.name)) for entry in schemas.iterdir()]
    yaml_paths = [path for path in yaml_paths if path.endswith((".yaml", ".yml"))]
    assert len(yaml_paths) == len(record_types.RECORD_TYPES) + 1  # the types and our presets
    for path in yaml_paths:
        with open(path, encoding="utf-8") as stream:
            ours = loader.load(stream)
        with open(path, encoding="utf-8") as stream:
            assert ours == yaml.load(stream, Loader=yaml.SafeLoader), path
    presets = os.path.join(os.path.dirname(ckanext.scheming.__file__), "presets.json")
    with open(presets, encoding="utf-8") as stream:
        ours = loader.load(stream)
    with open(presets, encoding="utf-8") as stream:
        assert ours == json.load(stream)


FRESH_PROCESS = """
import sys
from ckan.cli import load_config
from ckan.config.middleware import make_app
import ckanext.scheming.plugins as scheming_plugins
from ckanext.scheming import loader

upstream_load_schemas = scheming_plugins._load_schemas
loaders = []

def load_schemas(*args, **kwargs):
    loaders.append(f"{loader.load.__module__}.{loader.load.__qualname__}")
    return upstream_load_schemas(*args, **kwargs)

scheming_plugins._load_schemas = load_schemas
make_app(load_config(sys.argv[1]))
print(sorted(set(loaders)), len(loaders))
"""


def test_a_fresh_ckan_process_reads_schemings_schemas_with_libyaml():
    """In a new process (every web worker, consumer and CLI command) the replacement is in
    place before ckanext-scheming reads its schemas: CKAN 2.11 calls ``update_config`` in
    reverse plugin order, so scheming's runs before ours — the patch, once made there, came
    too late in every process and only the suite's later plugin loads saw it."""
    import os
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", FRESH_PROCESS, os.environ["KHTOURISM_TEST_INI"]],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    loaders, calls = result.stdout.strip().splitlines()[-1].rsplit(" ", 1)
    # scheming's dataset plugin reads its schemas once, with ours
    assert int(calls) == 1
    assert loaders == "['ckanext.khtourism.core.yaml_files.scheming_load']", result.stdout
