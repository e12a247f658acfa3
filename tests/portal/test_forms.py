"""Record forms: default licence, readable slugs, one field name per error, an optional
"Add data" step, no actions a user may not take, and how a business gets an account."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import ckan
import ckan.model as model

import ckanext.khtourism.theme as theme
from ckanext.khtourism.core.slugs import slug
from tests.portal.portal_helpers import publish

STAGE_ONE = {
    "title": "Khách sạn UX Hải Âu thử nghiệm",
    "accommodation_type": "khach_san",
    "hotel_subtype": "city",
    "star_rating": "3",
    "admin_unit": "22366",
    "save": "continue",
}


def _selected_licence(body: str) -> str:
    select = re.search(r'<select[^>]*name="license_id".*?</select>', body, re.S).group(0)
    return re.search(r'<option value="([^"]*)"\s+selected', select).group(1)


def test_slug_folds_vietnamese_diacritics():
    assert slug("Khách sạn UX Hải Âu thử nghiệm", "") == "khach-san-ux-hai-au-thu-nghiem"
    assert slug("Đảo Bình Ba — Homestay", "") == "dao-binh-ba-homestay"


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js to run the slug module")
def test_slug_preview_script_folds_diacritics_before_ckans_slugify():
    ckan_helpers = (
        Path(ckan.__file__).parent / "public/base/javascript/plugins/jquery.url-helpers.js"
    )
    ours = Path(theme.__file__).parent / "assets/js/slug-fold.js"
    script = f"""
      const vm = require('vm');
      const fs = require('fs');
      const context = {{jQuery: {{}}}};
      context.window = context;
      vm.createContext(context);
      vm.runInContext(fs.readFileSync({json.dumps(str(ckan_helpers))}, 'utf8'), context);
      const before = context.jQuery.url.slugify('Homestay thử nghiệm UX');
      vm.runInContext(fs.readFileSync({json.dumps(str(ours))}, 'utf8'), context);
      const after = context.jQuery.url.slugify('Khách sạn UX Hải Âu thử nghiệm');
      console.log(JSON.stringify([before, after]));
    """
    output = subprocess.run(["node", "-e", script], capture_output=True, text=True, check=True)
    before, after = json.loads(output.stdout)
    assert before != "homestay-thu-nghiem-ux"  # CKAN alone mangles it
    assert after == "khach-san-ux-hai-au-thu-nghiem"


@pytest.mark.usefixtures("with_plugins", "clean_db")
class TestForms:
    def test_new_record_form_starts_at_the_configured_default_licence(
        self, app, world, ckan_config, monkeypatch
    ):
        member = world.people["member_a"].headers
        assert _selected_licence(app.get("/accommodation/new", headers=member).body) == "cc-by-4.0"
        monkeypatch.setitem(ckan_config, "ckanext.khtourism.default_license", "cc-by-sa-4.0")
        body = app.get("/accommodation/new", headers=member).body
        assert _selected_licence(body) == "cc-by-sa-4.0"
        record = world.create("member_a", "accommodation", name="licence-default")
        assert record["license_id"] == "cc-by-sa-4.0"

    def test_form_without_a_slug_gets_one_from_the_title_without_diacritics(self, app, world):
        member = world.people["member_a"].headers
        form = dict(STAGE_ONE, owner_org=world.business_a["id"], name="")
        response = app.post("/accommodation/new", data=form, headers=member, follow_redirects=False)
        assert response.status_code == 302, response.body
        assert model.Package.get("khach-san-ux-hai-au-thu-nghiem") is not None

    def test_error_summary_names_the_field_once(self, app, world):
        form = dict(
            STAGE_ONE,
            name="homestay-loi",
            accommodation_type="homestay",
            hotel_subtype="",
            owner_org=world.business_a["id"],
        )
        body = app.post(
            "/accommodation/new", data=form, headers=world.people["member_a"].headers
        ).body
        summary = re.search(r'<div class="error-explanation.*?</div>', body, re.S).group(0)
        assert "Hạng sao: loại cơ sở “homestay” không được xếp hạng sao" in summary
        assert "Hạng sao: Hạng sao" not in summary

    def test_finishing_an_empty_add_data_step_creates_no_resource(self, app, world):
        member = world.people["member_a"].headers
        form = dict(STAGE_ONE, owner_org=world.business_a["id"], name="wizard-empty")
        app.post("/accommodation/new", data=form, headers=member, follow_redirects=False)
        assert model.Package.get("wizard-empty") is not None
        step_two = {
            "save": "go-metadata",
            # a browser sends the CSRF token with the form: CKAN counted it as data
            "_csrf_token": "token-of-the-form",
            "id": "",
            "url": "",
            "url_type": "",
            "name": "",
            "description": "",
            "format": "",
        }
        response = app.post(
            "/accommodation/wizard-empty/resource/new",
            data=step_two,
            headers=member,
            follow_redirects=False,
        )
        assert response.status_code == 302
        assert response.headers["Location"].endswith("/accommodation/wizard-empty")
        record = world.call("member_a", "package_show", id="wizard-empty")
        assert record["resources"] == [] and record["state"] == "active"
        assert record["workflow_state"] == "draft"  # the curation workflow is untouched

    def test_add_data_step_with_a_link_still_adds_it(self, app, world):
        member = world.people["member_a"].headers
        form = dict(STAGE_ONE, owner_org=world.business_a["id"], name="wizard-link")
        app.post("/accommodation/new", data=form, headers=member, follow_redirects=False)
        step_two = {
            "save": "go-metadata",
            "id": "",
            "url": "https://example.vn/gia.pdf",
            "name": "Bảng giá",
            "url_type": "",
        }
        app.post(
            "/accommodation/wizard-link/resource/new",
            data=step_two,
            headers=member,
            follow_redirects=False,
        )
        record = world.call("member_a", "package_show", id="wizard-link")
        assert [r["name"] for r in record["resources"]] == ["Bảng giá"]

    def test_add_resource_is_not_offered_on_a_published_record_to_its_business(self, app, world):
        publish(world, "accommodation", name="published-no-add")
        world.call(
            "curator",
            "resource_create",
            package_id="published-no-add",
            url="https://example.vn/a.jpg",
            name="Ảnh",
        )
        resource = world.call("curator", "package_show", id="published-no-add")["resources"][0]
        page = f"/accommodation/published-no-add/resource/{resource['id']}"
        member = app.get(page, headers=world.people["member_a"].headers).body
        assert "/accommodation/published-no-add/resource/new" not in member
        curator = app.get(page, headers=world.people["curator"].headers).body
        assert "/accommodation/published-no-add/resource/new" in curator

    def test_login_page_says_how_a_business_gets_an_account(self, app, ckan_config, monkeypatch):
        body = app.get("/user/login").body
        assert "để được cấp tài khoản" in body
        assert "/user/register" not in body  # no self-registration
        monkeypatch.setitem(
            ckan_config, "ckanext.khtourism.account_request_email", "dulieu@example.gov.vn"
        )
        assert 'href="mailto:dulieu@example.gov.vn"' in app.get("/user/login").body
