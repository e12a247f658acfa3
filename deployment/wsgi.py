"""WSGI entry point for production servers: ``CKAN_INI`` names the config file.

CKAN_INI=/etc/ckan/khtourism.ini gunicorn --config deployment/gunicorn.conf.py deployment.wsgi:application
"""

import os

from ckan.cli import CKANConfigLoader
from ckan.config.middleware import make_app

config = CKANConfigLoader(os.environ["CKAN_INI"]).get_config()
application = make_app(config)
