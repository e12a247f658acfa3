"""Each record type has its own search page, form and record page; forms speak both languages."""

from __future__ import annotations

import pytest

import ckan.model as model

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

TYPES = {
    # type: (a Vietnamese label of its form, the English one)
    "accommodation": ("Loại cơ sở lưu trú", "Accommodation type"),
    "tour-operator": ("Số giấy phép kinh doanh lữ hành", "Travel-business licence number"),
    "tour-guide": ("Số thẻ hướng dẫn viên", "Guide card number"),
    "heritage-site": ("Cấp xếp hạng", "Ranking"),
}


def test_each_type_has_its_search_page_form_and_record_page(app, world):
    curator = world.people["curator"].headers
    for record_type, (vi_label, en_label) in TYPES.items():
        assert app.get(f"/{record_type}/").status_code == 200
        form = app.get(f"/{record_type}/new", headers=curator)
        assert form.status_code == 200 and vi_label in form.body, record_type
        assert "Đơn vị hành chính cấp xã" in form.body
        assert "Bắc Nha Trang" in form.body  # the 65 units are the admin_unit choices
        english = app.get(f"/en/{record_type}/new", headers=curator)
        assert en_label in english.body and "Commune-level unit" in english.body, record_type

    guide = world.create("curator", "tour-guide", owner="curator", name="page-guide")
    world.call("curator", "khtourism_record_submit", id=guide["id"])
    world.call("curator", "khtourism_record_approve", id=guide["id"])
    page = app.get("/tour-guide/page-guide")
    assert page.status_code == 200
    assert "156100001" in page.body and "Quốc tế" in page.body
    assert "/tour-guide/" in app.get("/tour-guide/").body


def test_invalid_form_submission_shows_the_error_and_saves_nothing(app, world):
    form = {
        "name": "form-homestay",
        "title": "Homestay Biển",
        "owner_org": world.business_a["id"],
        "accommodation_type": "homestay",
        "star_rating": "3",
        "save": "continue",
    }
    response = app.post("/accommodation/new", data=form, headers=world.people["member_a"].headers)
    assert response.status_code == 200
    assert "Hạng sao: loại cơ sở “homestay” không được xếp hạng sao" in response.body
    assert model.Package.get("form-homestay") is None


def test_business_edit_of_a_published_record_through_the_form_waits_for_review(app, world):
    record = world.create("member_a", "accommodation", name="form-published")
    world.call("member_a", "khtourism_record_submit", id=record["id"])
    world.call("curator", "khtourism_record_approve", id=record["id"])
    member = world.people["member_a"].headers
    form = {
        "name": "form-published",
        "title": "Tên đề xuất",
        "owner_org": world.business_a["id"],
        "accommodation_type": "khach_san",
        "hotel_subtype": "city",
        "star_rating": "4",
        "rooms": "120",
        "admin_unit": "22366",
        "save": "",
    }
    response = app.post(
        "/accommodation/edit/form-published", data=form, headers=member, follow_redirects=False
    )
    assert response.status_code == 302, response.status_code
    assert app.get("/accommodation/form-published").body.count("Tên đề xuất") == 0
    own_view = app.get("/accommodation/form-published", headers=member).body
    assert "khtourism-pending-revision" in own_view
    diff = app.get(
        "/khtourism/record/form-published/revision", headers=world.people["curator"].headers
    )
    assert 'data-field="title"' in diff.body and "Tên đề xuất" in diff.body


def test_documents_of_a_published_record_change_only_through_curators(world):
    import ckan.plugins.toolkit as tk

    record = world.create("member_a", "accommodation", name="with-photos")
    world.call(
        "member_a",
        "resource_create",
        package_id=record["id"],
        url="https://example.vn/a.jpg",
        name="Ảnh mặt tiền",
    )
    world.call("member_a", "khtourism_record_submit", id=record["id"])
    world.call("curator", "khtourism_record_approve", id=record["id"])
    with pytest.raises(tk.NotAuthorized):
        world.call(
            "member_a", "resource_create", package_id=record["id"], url="https://example.vn/b.jpg"
        )
    resource = world.call(
        "curator",
        "resource_create",
        package_id=record["id"],
        url="https://example.vn/c.jpg",
        name="Ảnh do Sở bổ sung",
    )
    assert resource["name"] == "Ảnh do Sở bổ sung"


def test_search_pages_facet_on_the_record_fields_with_labels(app, world):
    for index, (kind, stars) in enumerate((("khach_san", "4"), ("homestay", "dat_chuan"))):
        record = world.create(
            "member_a",
            "accommodation",
            name=f"faceted-{index}",
            accommodation_type=kind,
            star_rating=stars,
            hotel_subtype="city" if kind == "khach_san" else "",
        )
        world.call("member_a", "khtourism_record_submit", id=record["id"])
        world.call("curator", "khtourism_record_approve", id=record["id"])
    result = world.call(
        "anonymous",
        "package_search",
        q="*:*",
        fq="dataset_type:accommodation",
        **{"facet.field": '["accommodation_type", "admin_unit"]'},
    )
    assert result["facets"]["accommodation_type"] == {"khach_san": 1, "homestay": 1}
    page = app.get("/accommodation/")
    assert page.status_code == 200
    assert "Loại cơ sở lưu trú" in page.body  # facet title from the schema
    assert "Nhà ở có phòng cho khách du lịch thuê" in page.body  # a code shown as its label
    assert "Phường Nha Trang" in page.body
    filtered = app.get("/accommodation/", params={"accommodation_type": "homestay"})
    assert "faceted-1" in filtered.body and "faceted-0" not in filtered.body
    english = app.get("/en/accommodation/")
    assert "Accommodation type" in english.body and "Homestay" in english.body


def test_the_default_licence_is_in_the_licence_list(app, world):
    record = world.create("member_a", "accommodation", name="licensed")
    assert record["license_id"] == "cc-by-4.0"
    assert record["license_url"] == "https://creativecommons.org/licenses/by/4.0/"
    assert record["isopen"] is True
    form = app.get("/accommodation/edit/licensed", headers=world.people["member_a"].headers)
    assert '<option value="cc-by-4.0" selected' in form.body.replace(
        'selected="selected"', "selected"
    )


def test_every_page_of_a_published_record_opens_for_an_anonymous_visitor(app, world):
    """The activity tab was an HTTP 500 for every anonymous visitor (a user given as a
    string reached the curator label check)."""
    record = world.create("member_a", "accommodation", name="anon-pages")
    world.call("member_a", "khtourism_record_submit", id=record["id"])
    world.call("curator", "khtourism_record_approve", id=record["id"])
    for path in (
        "/accommodation/anon-pages",
        "/dataset/anon-pages",
        "/dataset/activity/anon-pages",
        "/dataset/groups/anon-pages",
        "/en/dataset/activity/anon-pages",
    ):
        response = app.get(path)
        assert response.status_code == 200, (path, response.status_code)
    assert "anon-pages" in app.get("/dataset/activity/anon-pages").body
