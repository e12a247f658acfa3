"""The maps room: basemap settings, the GeoJSON the portal's maps show, their helpers.

The maps themselves are Leaflet (vendored under ``theme/public/vendor/``) driven by
``theme/assets/js/khtourism-map.js``; see docs/architecture.md "Front end".
"""
