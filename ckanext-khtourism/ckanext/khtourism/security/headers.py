"""Security headers on every response, and uploads served so they cannot run.

Pages: ``Content-Security-Policy`` (scripts from the portal only; no inline
scripts or event handlers — CKAN's one template that had them is overridden,
``theme/templates/package/snippets/resource_upload_field.html``),
``X-Frame-Options``, ``X-Content-Type-Options: nosniff`` and
``Referrer-Policy``, each from a setting (empty: not sent). The policy's
``img-src`` also allows the maps' tile host (``ckanext.khtourism.maps.tile_url``).

Uploaded files (resource downloads and ``/uploads/…`` images) are served as
``Content-Disposition: attachment`` unless their media type is on the inline
allow-list (raster images and PDF; never HTML or SVG), with ``nosniff`` and a
sandboxing policy, so an uploaded HTML or SVG file never runs script in the
portal's origin (stored XSS).
"""

from __future__ import annotations

import os
from urllib.parse import quote

from flask import Blueprint, Response, request

import ckan.plugins.toolkit as tk

from ckanext.khtourism.core.static_files import serves_an_upload
from ckanext.khtourism.maps import settings as map_settings

CSP = "ckanext.khtourism.security.content_security_policy"
FRAME_OPTIONS = "ckanext.khtourism.security.frame_options"
REFERRER_POLICY = "ckanext.khtourism.security.referrer_policy"
INLINE_UPLOAD_TYPES = "ckanext.khtourism.security.inline_upload_types"
UPLOAD_CSP = "ckanext.khtourism.security.upload_content_security_policy"

security_headers = Blueprint("khtourism_security", __name__)


def is_uploaded_file() -> bool:
    """Is this response an uploaded file (a resource download, an ``/uploads/`` image)?"""
    endpoint = request.endpoint or ""
    if endpoint.endswith("resource.download"):  # resource.download, <type>_resource.download
        return True
    return serves_an_upload()


def _attachment(response: Response) -> None:
    current = response.headers.get("Content-Disposition", "")
    parameters = current.split(";", 1)[1].strip() if ";" in current else ""
    if not parameters:
        parameters = "filename*=UTF-8''" + quote(os.path.basename(request.path) or "download")
    response.headers["Content-Disposition"] = f"attachment; {parameters}"


def _protect_upload(response: Response) -> None:
    inline = set(tk.config.get(INLINE_UPLOAD_TYPES) or [])
    mimetype = (response.mimetype or "").lower()
    if response.status_code < 300 and mimetype not in inline:
        _attachment(response)
    policy = tk.config.get(UPLOAD_CSP)
    # a sandboxed PDF is not shown by browsers' PDF viewers; a PDF cannot run the portal's script
    if policy and mimetype != "application/pdf":
        response.headers["Content-Security-Policy"] = policy


@security_headers.before_app_request
def limit_action_api() -> Response | None:
    from .action_limits import check_request

    return check_request()


@security_headers.before_app_request
def refuse_nul_in_action_parameters() -> Response | None:
    from .action_input import check_request

    return check_request()


@security_headers.after_app_request
def add_security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    for setting, header in (
        (FRAME_OPTIONS, "X-Frame-Options"),
        (REFERRER_POLICY, "Referrer-Policy"),
        (CSP, "Content-Security-Policy"),
    ):
        value = tk.config.get(setting)
        if setting == CSP and value:
            # maps: the basemap's tile host is allowed in img-src
            value = map_settings.policy_with_tiles(value, map_settings.tile_url())
        if value and header not in headers:
            headers[header] = value
    if is_uploaded_file():
        _protect_upload(response)
    return response
