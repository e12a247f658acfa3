"""WSGI entry point for benchmarking the portal under gunicorn.

CKAN_INI=var/bench/ckan.ini .venv/bin/gunicorn -w 2 -b 127.0.0.1:5055 bench.api_wsgi:application
"""

from __future__ import annotations

import os

from ckan.cli import CKANConfigLoader
from ckan.config.middleware import make_app

config = CKANConfigLoader(os.environ["CKAN_INI"]).get_config()
application = make_app(config)
