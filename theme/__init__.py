"""The portal's theme: templates, public files, assets and translations.

Installed as ``ckanext.khtourism.theme``; its folders are found from this file, so they
resolve wherever the package is: in the repository (editable install) or in
site-packages (the wheel).
"""

from __future__ import annotations

import os

FOLDER = os.path.dirname(os.path.abspath(__file__))
TEMPLATES = os.path.join(FOLDER, "templates")
PUBLIC = os.path.join(FOLDER, "public")
ASSETS = os.path.join(FOLDER, "assets")
I18N = os.path.join(FOLDER, "i18n")
