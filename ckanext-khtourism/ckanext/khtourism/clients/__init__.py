"""Registered client systems (the LGSP, the national platform, app developers):
the registry, OAuth 2.0 client credentials, quotas and usage (``registry.py``),
signed webhooks (``webhooks.py``); tables in ``model.py`` (docs/integration.md)."""
