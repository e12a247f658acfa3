"""Tourism data-sharing API v1 (``/api/tourism/v1``).

``params`` parses and validates every request parameter (one error shape,
``errors``), ``query`` turns them into one ``package_search`` call,
``serializers`` render JSON, GeoJSON, CSV and JSON-LD, ``openapi`` documents it
all from the same parameter definitions, ``blueprint`` wires the routes with
rate limiting (``ratelimit``), CORS and conditional requests (``http``), and
``changes`` keeps the change feed.
"""
