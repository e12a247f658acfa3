"""Security headers on every page; uploaded HTML and SVG never run in the portal's origin."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

HTML = "<html><body><script>alert(document.cookie)</script></body></html>"
SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script>'
    '<rect width="1" height="1"/></svg>'
)
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)


def _download(app, world, record, resource, name):
    url = f"/{record['type']}/{record['name']}/resource/{resource['id']}/download/{name}"
    response = app.get(url, headers=world.people["member_a"].headers)
    assert response.status_code == 200, url
    return response


@pytest.mark.parametrize(
    ("content", "filename"), [(HTML, "page.html"), (SVG, "drawing.svg")], ids=["html", "svg"]
)
def test_uploaded_html_and_svg_are_attachments_that_cannot_run(
    app, world, create_with_upload, content, filename
):
    record = world.create("member_a", "accommodation", name="upload-xss")
    resource = create_with_upload(
        content,
        filename,
        context=world.context("member_a"),
        package_id=record["id"],
        url="upload",
    )
    response = _download(app, world, record, resource, filename)
    assert response.headers["Content-Disposition"].startswith("attachment"), response.headers
    assert filename in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    policy = response.headers["Content-Security-Policy"]
    assert "sandbox" in policy and "default-src 'none'" in policy


def test_an_uploaded_png_is_still_shown_inline(app, world, create_with_upload):
    record = world.create("member_a", "accommodation", name="upload-png")
    resource = create_with_upload(
        PNG, "photo.png", context=world.context("member_a"), package_id=record["id"], url="upload"
    )
    response = _download(app, world, record, resource, "photo.png")
    assert response.headers["Content-Type"].startswith("image/png")
    assert not response.headers.get("Content-Disposition", "inline").startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/ld\+json)[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)


def test_every_main_page_has_the_security_headers_and_no_inline_script(app, world):
    record = world.create("sysadmin", "accommodation", name="csp-page", workflow_state="published")
    member = world.people["member_a"].headers
    sysadmin = world.people["sysadmin"].headers
    pages = {
        "/": None,
        "/dataset/": None,
        "/accommodation/": None,
        "/accommodation/csp-page": None,
        "/organization/": None,
        "/user/login": None,
        "/api/tourism/v1/docs": None,
        "/accommodation/new": member,
        f"/accommodation/{record['name']}/resource/new": sysadmin,
        "/khtourism/my-records": member,
        "/ckan-admin/": sysadmin,
    }
    for path, headers in pages.items():
        response = app.get(path, headers=headers or {})
        assert response.status_code == 200, path
        h = response.headers
        assert h["X-Frame-Options"] == "SAMEORIGIN", path
        assert h["X-Content-Type-Options"] == "nosniff", path
        assert h["Referrer-Policy"] == "strict-origin-when-cross-origin", path
        policy = h["Content-Security-Policy"]
        assert "frame-ancestors 'self'" in policy and "script-src 'self'" in policy, path
        assert "unsafe-inline" not in policy.split("script-src", 1)[1].split(";", 1)[0], path
        body = response.body
        if "html" in h["Content-Type"]:
            assert not INLINE_SCRIPT.search(body), (path, INLINE_SCRIPT.search(body).group(0))
            handler = INLINE_HANDLER.search(re.sub(r"<script.*?</script>", "", body, flags=re.S))
            assert not handler, (path, body[handler.start() - 200 : handler.end() + 50])
    # the upload field's buttons still do their work, through the portal's own script
    form = app.get(f"/accommodation/{record['name']}/resource/new", headers=sysadmin).body
    assert 'data-khtourism-upload-action="upload"' in form
    assert "khtourism.js" in form or "upload-field" in form


@pytest.mark.ckan_config("ckanext.khtourism.security.frame_options", "DENY")
@pytest.mark.ckan_config("ckanext.khtourism.security.content_security_policy", "")
def test_the_headers_follow_their_settings(app):
    response = app.get("/")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "Content-Security-Policy" not in response.headers


def test_signed_in_pages_request_no_gravatar_image(app, world):
    """No third-party request (and no hash of a user's e-mail sent out): the portal's
    configuration shows CKAN's local placeholder for users without a picture."""
    record = world.create("member_a", "accommodation", name="no-gravatar")
    for path in (
        "/dashboard/datasets",
        "/khtourism/my-records",
        f"/dataset/activity/{record['name']}",
    ):
        page = app.get(path, headers=world.people["member_a"].headers)
        assert page.status_code == 200, path
        assert "gravatar.com" not in page.body, path
