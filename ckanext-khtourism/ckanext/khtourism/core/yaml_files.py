"""YAML files of the package, parsed once per process with libyaml's parser.

Every CKAN process (web workers, harvest consumers, the jobs worker, each CLI
command) reads the record-type schemas while its plugins load — the record-type
declarations, the quality rules and the code lists — and PyYAML's pure-Python
parser took ~0.14 s for one reading of the nine files, read three times: about a
third of a consumer's start-up CPU. libyaml (``yaml.CSafeLoader``, in PyYAML's
wheels) parses the same files in ~0.02 s and gives the same data
(``tests/test_yaml_files.py``); a file is parsed once per process and each caller
gets its own copy. Without libyaml, PyYAML's own ``SafeLoader`` is used.

ckanext-scheming reads the same schemas (and our presets) again at every plugin load with
PyYAML's pure-Python parser: :func:`scheming_load` takes the place of its
``loader.load`` (compat entry ``scheming.loader_load``), ~0.5 s of every CKAN process's
start measured in the suite's processes (py-spy, 2026-12-05).
"""

from __future__ import annotations

import copy
import functools
import json
from importlib import resources
from typing import IO, Any

import yaml

SafeLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(text: str) -> Any:
    """``yaml.safe_load`` with :data:`SafeLoader`."""
    return yaml.load(text, Loader=SafeLoader)  # noqa: S506 - a safe loader


@functools.cache
def _parsed(package: str, file_name: str) -> Any:
    return safe_load(resources.files(package).joinpath(file_name).read_text("utf-8"))


def package_file(package: str, file_name: str) -> Any:
    """``file_name`` of ``package`` parsed (once per process), as a copy of its own."""
    return copy.deepcopy(_parsed(package, file_name))


def scheming_load(stream: IO[str]) -> Any:
    """ckanext-scheming's ``loader.load``: a schema or presets file by its name's ending,
    YAML parsed with :data:`SafeLoader`, anything else as JSON (as upstream)."""
    if stream.name.lower().endswith((".yaml", ".yml")):
        return yaml.load(stream, Loader=SafeLoader)  # noqa: S506 - a safe loader
    return json.load(stream)
