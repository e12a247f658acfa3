"""Run mypy on the package with the module names it has once installed.

setup.py installs the top-level ``harvesters/`` folder as ``ckanext.khtourism.harvesters``.
mypy's command line names a file's module after its folders (``harvesters.base``), so the
package's imports of ``ckanext.khtourism.harvesters`` would not reach those files. This runs
mypy as ``mypy`` does (options from ``[tool.mypy]`` in pyproject.toml, same output and exit
status) after giving those files their installed names, so that imports are checked both ways
and errors name the repository's files.

    .venv/bin/python .ci/typecheck.py [mypy options]
"""

from __future__ import annotations

import os
import sys
import time

from mypy import util
from mypy.fscache import FileSystemCache
from mypy.main import process_options, run_build

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# repository folder -> the module it is installed as (setup.py MAPPED_FOLDERS, Python ones)
MAPPED_FOLDERS = {"harvesters": "ckanext.khtourism.harvesters"}


def installed_name(module: str) -> str:
    top, _, rest = module.partition(".")
    if top in MAPPED_FOLDERS:
        return MAPPED_FOLDERS[top] + ("." + rest if rest else "")
    return module


def link_tree(directory: str) -> str:
    """A search-path folder where each mapped folder sits at its installed place.

    mypy orders its work by the imports it finds on disk; with this folder on its path it
    finds ``ckanext/khtourism/harvesters/...`` (the files checked are still the sources).
    """
    for folder, module in MAPPED_FOLDERS.items():
        link = os.path.join(directory, *module.split("."))
        if not os.path.islink(link):
            os.makedirs(os.path.dirname(link), exist_ok=True)
            os.symlink(os.path.join(ROOT, folder), link)
    return directory


def main(args: list[str]) -> int:
    started = time.time()
    fscache = FileSystemCache()
    sources, options = process_options(args, fscache=fscache)
    options.mypy_path.append(link_tree(os.path.join(options.cache_dir, "installed-layout")))
    for source in sources:
        if source.module:
            source.module = installed_name(source.module)
    formatter = util.FancyFormatter(sys.stdout, sys.stderr, options.hide_error_codes)
    _result, messages, blockers = run_build(
        sources, options, fscache, started, sys.stdout, sys.stderr
    )
    n_errors, _n_notes, n_files = util.count_stats(messages)
    if n_errors:
        print(formatter.format_error(n_errors, n_files, len(sources), blockers=blockers))
        return 2 if blockers else 1
    print(formatter.format_success(len(sources)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
