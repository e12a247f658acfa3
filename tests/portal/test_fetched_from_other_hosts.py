"""The "no CDN" check of the page tests looks at what a browser fetches, not at page text."""

from __future__ import annotations

from tests.portal.portal_helpers import fetched_from_other_hosts

# the CSRF token of a real CI run that made a substring check for "cdn" fail
_TOKEN = (
    "ijexmgm5n2jinzhkmtcxyzqzytlin2qwmgi3zmy1zmvhogu3mweyodii.axptkw.fechbduvvcdnt1coibyz5h6b29i"
)


def test_page_text_and_followed_links_are_not_fetched_resources() -> None:
    page = f"""
    <input type="hidden" name="_csrf_token" value="{_TOKEN}"/>
    <p>Khách sạn gần cdn.example</p>
    <a href="https://opendefinition.org/licenses/">giấy phép</a>
    <script src="/webassets/vendor/240e5086_jquery.js"></script>
    <link href="/webassets/vendor/f3b8236b_select2.css" rel="stylesheet"/>
    <img src="http://127.0.0.1:5000/base/images/ckan-logo.png" alt="">
    <div style="background: url('/images/map.png')"></div>
    """
    assert fetched_from_other_hosts(page) == []


def test_scripts_styles_images_and_css_from_another_host_are_found() -> None:
    page = """
    <script type="module" src="https://cdn.jsdelivr.net/npm/leaflet/dist/leaflet.js"></script>
    <link rel="stylesheet" href="//fonts.googleapis.com/css?family=Roboto">
    <IMG alt="" SRC='https://tile.openstreetmap.org/1/1/1.png'>
    <style>.hero { background: url(https://images.example.org/hero.jpg) }</style>
    """
    assert fetched_from_other_hosts(page) == [
        "https://cdn.jsdelivr.net/npm/leaflet/dist/leaflet.js",
        "//fonts.googleapis.com/css?family=Roboto",
        "https://tile.openstreetmap.org/1/1/1.png",
        "https://images.example.org/hero.jpg",
    ]
