"""The header menu names the record types, statistics and the language switch; /dataset/ has a
record-type facet; businesses are not offered what they may not do."""

from __future__ import annotations

import re

import pytest

from ckan.tests.helpers import call_action

from tests.portal.portal_helpers import publish

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


def _header(body: str) -> str:
    match = re.search(r'<header class="masthead">.*?</header>', body, re.S)
    assert match
    return match.group(0)


def _account_bar(body: str) -> str:
    match = re.search(r'<div class="account-masthead">.*?<header class="masthead">', body, re.S)
    assert match
    return match.group(0)


def test_header_menu_lists_record_types_statistics_and_language_switch(app):
    body = app.get("/").body
    header = _header(body)
    for record_type, label in (
        ("accommodation", "Cơ sở lưu trú"),
        ("tour-operator", "Doanh nghiệp lữ hành"),
        ("tour-guide", "Hướng dẫn viên"),
        ("heritage-site", "Di tích"),
    ):
        assert f'href="/{record_type}/"' in header, record_type
        assert label in header, label
    assert 'href="/thong-ke"' in header
    assert 'href="/api/tourism/v1/docs"' in header
    # the language switch is in the header, pointing at the same page in English
    account = _account_bar(body)
    assert "khtourism-language-switch" in account
    assert 'href="/en/"' in account
    english = _header(app.get("/en/accommodation/").body)
    assert "Tour operators" in english and 'href="/en/thong-ke"' in english


def test_footer_links_to_our_api_docs_not_docs_ckan_org(app):
    body = app.get("/").body
    footer = body[body.index('<footer class="site-footer">') :]
    assert "/api/tourism/v1/docs" in footer and 'href="/catalog"' in footer
    assert "docs.ckan.org" not in footer


def test_dataset_search_has_a_record_type_facet(app, world):
    publish(world, "accommodation", name="facet-hotel")
    publish(world, "heritage-site", name="facet-tower")
    body = app.get("/dataset/").body
    assert "facet-hotel" in body and "facet-tower" in body
    assert "dataset_type=accommodation" in body
    filtered = app.get("/dataset/?dataset_type=heritage-site").body
    assert "facet-tower" in filtered and "facet-hotel" not in filtered
    # the facet values are labelled, not codes — CKAN's own datasets too ("dataset" was
    # shown as it is, in both languages: found on a browser walk, 2026-12-05)
    assert re.search(
        r'dataset_type=accommodation"[^>]*>\s*<span class="item-label">Cơ sở lưu trú<', body
    )
    call_action(
        "package_create",
        {"user": world.people["sysadmin"].name},
        name="plain-table",
        notes="Một bảng số liệu",
        owner_org=world.curator_org["id"],
    )
    labels = {
        lang: re.search(
            r'dataset_type=dataset"[^>]*>\s*<span class="item-label">([^<]*)<',
            app.get(f"{prefix}/dataset/").body,
        )
        for lang, prefix in (("vi", ""), ("en", "/en"))
    }
    assert {lang: found and found.group(1) for lang, found in labels.items()} == {
        "vi": "Dữ liệu",
        "en": "Datasets",
    }


def test_curators_reach_harvest_administration_from_the_menu(app, world):
    curator = app.get("/", headers=world.people["curator"].headers).body
    assert 'href="/harvest/"' in _account_bar(curator)
    member = app.get("/", headers=world.people["member_a"].headers).body
    assert 'href="/harvest/"' not in _account_bar(member)


def test_businesses_are_not_offered_to_add_a_heritage_site(app, world):
    member = world.people["member_a"].headers
    assert "/heritage-site/new" not in app.get("/heritage-site/", headers=member).body
    assert "/accommodation/new" in app.get("/accommodation/", headers=member).body
    curator = world.people["curator"].headers
    assert "/heritage-site/new" in app.get("/heritage-site/", headers=curator).body


@pytest.mark.parametrize("record_type", ["heritage-site", "tourist-area"])
def test_a_business_opening_a_curator_only_form_gets_the_reason(app, world, record_type):
    """Walked in the browser: /tourist-area/new answered a business with the form (CKAN
    checks package_create without the type), whose saving then failed."""
    member = world.people["member_a"].headers
    for prefix, reason in (("", "Chỉ cán bộ thẩm định của Sở"), ("/en", "Only the Department")):
        page = app.get(f"{prefix}/{record_type}/new", headers=member, status=403)
        assert reason in page.body
    curator = world.people["curator"].headers
    assert 'id="dataset-edit"' in app.get(f"/{record_type}/new", headers=curator).body
    assert 'id="dataset-edit"' in app.get("/event/new", headers=member).body


def test_star_ratings_are_listed_in_their_order(app, world):
    for index, stars in enumerate(("5", "3", "5", "1", "5", "3")):
        publish(world, "accommodation", name=f"star-{index}", star_rating=stars)
    body = app.get("/accommodation/").body
    positions = [body.index(f"star_rating={stars}") for stars in ("1", "3", "5")]
    assert positions == sorted(positions)
