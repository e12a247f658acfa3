"""Browsers keep the portal's static files: a webassets bundle for a year, any other file of
the public folders for ``ckanext.khtourism.static_max_age``; uploads and pages keep CKAN's
headers (core/static_files.py)."""

from __future__ import annotations

import os
import re

import pytest

from ckan.tests import factories

pytestmark = pytest.mark.usefixtures("with_plugins")

CKAN_NO_CACHE = "no-cache, public, max-age=0, must-revalidate"


def _bundles(app, page: str = "/") -> list[str]:
    body = app.get(page).get_data(as_text=True)
    return sorted(set(re.findall(r'(?:href|src)="(/webassets/[^"?]+)', body)))


def _cache_control(response) -> set[str]:
    return {part.strip() for part in response.headers.get("Cache-Control", "").split(",")}


def test_webassets_bundles_are_kept_a_year_by_everyone(app):
    bundles = _bundles(app)
    assert len(bundles) >= 5, bundles  # the portal's and CKAN's scripts and styles
    user = factories.User()
    signed_in = {"Authorization": factories.APIToken(user=user["name"])["token"]}
    for headers in ({}, signed_in):
        for bundle in bundles:
            response = app.get(bundle, headers=headers)
            assert response.status_code == 200, bundle
            assert _cache_control(response) == {"public", "max-age=31536000", "immutable"}
            assert "cookie" not in response.headers.get("Vary", "").lower(), bundle


def test_other_public_files_are_kept_for_the_configured_time(app):
    for path in (
        "/base/images/ckan-logo.png",  # CKAN's public folder
        "/vendor/leaflet/images/marker-icon.png",  # the theme's (the map library)
        "/vendor/khanh-hoa-outline/khanh-hoa.geojson",
    ):
        response = app.get(path)
        assert response.status_code == 200, path
        assert _cache_control(response) == {"public", "max-age=3600"}, path
        assert "cookie" not in response.headers.get("Vary", "").lower(), path


def test_a_revalidated_file_keeps_the_same_lifetime(app):
    first = app.get("/base/images/ckan-logo.png")
    again = app.get("/base/images/ckan-logo.png", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert _cache_control(again) == {"public", "max-age=3600"}


@pytest.mark.ckan_config("ckanext.khtourism.static_max_age", "0")
def test_zero_keeps_ckans_headers_for_files_that_are_not_bundles(app):
    response = app.get("/base/images/ckan-logo.png")
    assert response.headers["Cache-Control"] == CKAN_NO_CACHE
    # a bundle's URL still changes with its content
    assert "immutable" in _cache_control(app.get(_bundles(app)[0]))


def test_uploads_pages_and_missing_files_keep_ckans_headers(app, ckan_config):
    uploads = os.path.join(ckan_config["ckan.storage_path"], "storage", "uploads", "group")
    os.makedirs(uploads, exist_ok=True)
    with open(os.path.join(uploads, "logo-static-files-test.png"), "wb") as upload:
        upload.write(b"\x89PNG\r\n\x1a\n")
    response = app.get("/uploads/group/logo-static-files-test.png")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == CKAN_NO_CACHE
    page = app.get("/")
    assert "max-age=3600" not in page.headers.get("Cache-Control", "")
    assert "immutable" not in page.headers.get("Cache-Control", "")
    missing = app.get("/base/images/no-such-file.png")
    assert missing.status_code == 404
    assert "max-age=3600" not in missing.headers.get("Cache-Control", "")


def test_a_file_sent_with_a_cookie_is_kept_by_the_browser_only():
    from ckanext.khtourism.core.static_files import cached_headers

    headers = [
        ("Content-Type", "image/png"),
        ("Cache-Control", CKAN_NO_CACHE),
        ("Vary", "Accept-Encoding, Cookie"),
        ("Set-Cookie", "ckan=refreshed; HttpOnly; Path=/"),
    ]
    assert cached_headers(headers, 3600) == [
        ("Content-Type", "image/png"),
        ("Vary", "Accept-Encoding"),
        ("Set-Cookie", "ckan=refreshed; HttpOnly; Path=/"),
        ("Cache-Control", "private, max-age=3600"),
    ]
    assert cached_headers([("Vary", "Cookie")], 31_536_000, immutable=True) == [
        ("Cache-Control", "public, max-age=31536000, immutable")
    ]


@pytest.mark.ckan_config("ckanext.khtourism.static_max_age", "31536000")
def test_only_bundles_are_immutable_whatever_the_configured_lifetime(app):
    # a file whose URL does not change with its content may change under it
    assert _cache_control(app.get("/base/images/ckan-logo.png")) == {"public", "max-age=31536000"}
