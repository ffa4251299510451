"""STO-01: each platform's onboarding documents are data the compliance owner keeps on pages (not the
admin): list per platform, add and edit through ``stores.actions``, refusals in Chinese on the field."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from ecomops.org.models import Platform
from ecomops.stores.models import PlatformDocumentType

from .conftest import make_user

pytestmark = pytest.mark.django_db

KEEPER = ("stores.view_platformdocumenttype", "stores.add_platformdocumenttype",
          "stores.change_platformdocumenttype")


def browser(user) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


@pytest.fixture
def keeper(org):
    return make_user("compliance", *KEEPER)


def test_sto01_document_types_are_listed_per_platform_with_add_and_edit_links(keeper):
    http = browser(keeper)
    page = http.get(reverse("stores:document_types"), {"platform": "jd"})
    html = page.content.decode()
    assert page.status_code == 200 and 'data-testid="platform-jd"' in html
    assert 'data-testid="platform-taobao"' not in html
    some = PlatformDocumentType.objects.filter(platform__code="jd").first()
    assert some is not None and reverse("stores:document_type_edit", args=[some.pk]) in html
    assert reverse("stores:document_type_create") in html


def test_sto01_add_a_document_type_to_a_platform(keeper):
    jd = Platform.objects.get(code="jd")
    response = browser(keeper).post(reverse("stores:document_type_create"), {
        "platform": jd.pk, "code": "food_licence_copy", "name": "食品经营许可证副本", "description": "加盖公章",
        "is_required": "on", "sort_order": "90", "is_active": "on",
    })
    assert response.status_code == 302
    assert response["Location"] == reverse("stores:document_types") + "?platform=jd"
    created = PlatformDocumentType.objects.get(platform=jd, code="food_licence_copy")
    assert created.is_required and created.history.get().history_user == keeper


def test_sto01_bad_document_type_input_is_refused_in_chinese(keeper):
    jd = Platform.objects.get(code="jd")
    taken = PlatformDocumentType.objects.filter(platform=jd).first()
    http = browser(keeper)
    missing = http.post(reverse("stores:document_type_create"), {"platform": jd.pk, "code": "x", "name": ""})
    assert missing.status_code == 400 and "这个字段是必填项" in missing.content.decode()
    duplicate = http.post(reverse("stores:document_type_create"),
                          {"platform": jd.pk, "code": taken.code, "name": "重复", "sort_order": "0"})
    assert duplicate.status_code == 400
    assert f"该平台已有编码为 {taken.code} 的资料类型" in duplicate.content.decode()
    assert not PlatformDocumentType.objects.filter(name="重复").exists()


def test_sto01_edit_keeps_the_platform_and_saves_the_change(keeper):
    doc = PlatformDocumentType.objects.filter(platform__code="taobao").first()
    url = reverse("stores:document_type_edit", args=[doc.pk])
    http = browser(keeper)
    page = http.get(url).content.decode()
    assert 'name="platform"' not in page and f'value="{doc.code}"' in page
    response = http.post(url, {"code": doc.code, "name": doc.name, "description": "须在有效期内",
                               "sort_order": str(doc.sort_order), "is_active": "on"})  # no longer required
    assert response.status_code == 302
    doc.refresh_from_db()
    assert (doc.platform.code, doc.is_required, doc.description) == ("taobao", False, "须在有效期内")


def test_sto01_document_type_pages_need_the_rights_and_are_internal(org, keeper):
    doc = PlatformDocumentType.objects.first()
    reader = browser(make_user("reader", "stores.view_platformdocumenttype"))
    page = reader.get(reverse("stores:document_types")).content.decode()
    assert reverse("stores:document_type_create") not in page
    assert reader.get(reverse("stores:document_type_create")).status_code == 403
    assert reader.post(reverse("stores:document_type_edit", args=[doc.pk]), {"name": "改"}).status_code == 403
    member = browser(org.member_a)
    for url in (reverse("stores:document_types"), reverse("stores:document_type_create"),
                reverse("stores:document_type_edit", args=[doc.pk])):
        assert member.get(url).status_code == 404


def test_sto01_document_types_through_the_api(org, keeper):
    from ecomops.core.tests.conftest import ApiClient

    http = HttpClient()
    http.force_login(keeper)
    api = ApiClient(http)
    jd = Platform.objects.get(code="jd")
    created = api.post("platform-document-types", {"platform_id": jd.pk, "code": "cosmetics_filing",
                                                   "name": "化妆品备案凭证", "is_required": False})
    assert created.status_code == 201, created.content
    assert created.json()["platform"]["code"] == "jd" and created.json()["is_required"] is False
    again = api.post("platform-document-types", {"platform_id": jd.pk, "code": "cosmetics_filing", "name": "重复"})
    assert again.status_code == 400 and again.json()["error"]["field"] == "code"
    changed = api.patch(f"platform-document-types/{created.json()['id']}", {"is_active": False})
    assert changed.status_code == 200 and changed.json()["is_active"] is False
    member = HttpClient()
    member.force_login(org.member_a)
    assert ApiClient(member).post("platform-document-types", {"platform_id": jd.pk, "code": "x",
                                                              "name": "x"}).status_code == 403
