"""How the extension is installed: ``editable`` (development) or ``wheel`` (CI, production).

``make install`` installs the repository in editable mode on a developer's machine
(setuptools' editable wheel maps ``ckanext.khtourism`` and the top-level ``harvesters/``,
``schemas/`` and ``theme/`` folders onto their package names, so what runs is the file
being edited) and the built wheel when ``CI=true`` (what is tested is what ships).
``python -m ckanext.khtourism.local install-mode`` prints which one is installed.
"""

from __future__ import annotations

import json
from importlib import metadata

DISTRIBUTION = "ckanext-khtourism"
EDITABLE = "editable"
WHEEL = "wheel"


def installed_mode() -> str:
    """``editable`` when pip installed the distribution in editable mode, else ``wheel``.

    pip's record of the install (``direct_url.json``) decides; a build's leftover
    ``*.egg-info`` in the working folder, which ``importlib.metadata`` also finds, has none.
    """
    for distribution in metadata.distributions(name=DISTRIBUTION):
        direct_url = distribution.read_text("direct_url.json")
        if direct_url:
            dir_info = json.loads(direct_url).get("dir_info", {})
            return EDITABLE if dir_info.get("editable") else WHEEL
    return WHEEL
