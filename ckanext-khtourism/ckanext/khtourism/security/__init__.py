"""Web hardening: CSRF, response headers, safe redirects, upload serving,
CSV cells, field-size limits and the action API's rate limit.

Each module is small and called from one place (``plugin.py``, a view or a
validator); ``docs/security.md`` ("Web hardening", "Bad input") describes them.
"""
