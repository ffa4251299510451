"""CAT-06 pages: scoped (DAT-02), masked phones (LAW-04), Chinese field errors, recall moves."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from ecomops.stores.models import Qualification
from ecomops.suppliers import actions
from ecomops.suppliers.models import RecallCase, Supplier


def _http(user):
    http = HttpClient()
    http.force_login(user)
    return http


def test_cat06_supplier_list_and_detail_are_scoped(sup):
    page = _http(sup.clerk).get(reverse("suppliers:suppliers"))
    assert page.status_code == 200
    assert "杭州茶叶有限公司" in page.content.decode() and "乙品牌服装厂" not in page.content.decode()
    assert _http(sup.clerk).get(reverse("suppliers:supplier_detail", args=[sup.supplier_b.pk])).status_code == 404
    assert _http(sup.clerk).get(reverse("suppliers:supplier_edit", args=[sup.supplier_b.pk])).status_code in (403, 404)


def test_cat06_shared_suppliers_are_invisible_to_client_users(sup):
    member = _http(sup.member)
    listing = member.get(reverse("suppliers:suppliers")).content.decode()
    assert "杭州茶叶有限公司" in listing and "本公司包材供应商" not in listing
    assert member.get(reverse("suppliers:supplier_detail", args=[sup.shared.pk])).status_code == 404


def test_cat06_detail_masks_contact_phone_and_shows_the_archive(sup, org):
    actions.add_contact(sup.supplier_a, user=sup.clerk, name="王经理", phone="13812345678")
    Qualification.objects.create(holder_kind="supplier", holder_name=sup.supplier_a.name, client=org.client_a,
                                 kind="food_licence", number="JY13301060000001", created_by=org.admin)
    page = _http(sup.clerk).get(reverse("suppliers:supplier_detail", args=[sup.supplier_a.pk])).content.decode()
    assert "13812345678" not in page and "138******78" in page
    assert "JY13301060000001" not in page  # the clerk may not read the archive
    admin_page = _http(org.admin).get(reverse("suppliers:supplier_detail", args=[sup.supplier_a.pk])).content.decode()
    assert "13812345678" in admin_page and "JY13301060000001" in admin_page


def test_cat06_bad_rating_form_shows_chinese_error(sup):
    url = reverse("suppliers:rating_create", args=[sup.supplier_a.pk])
    response = _http(sup.clerk).post(url, {"period": "去年", "score": "80"})
    assert response.status_code == 200
    assert "评价期间格式应为" in response.content.decode()
    assert not sup.supplier_a.ratings.exists()


def test_cat06_create_supplier_page(sup, org):
    response = _http(sup.clerk).post(reverse("suppliers:supplier_create"), {
        "client": org.client_a.pk, "code": "SUP-W", "name": "网页登记", "status": "active"})
    supplier = Supplier.objects.get(code="SUP-W")
    assert response.status_code == 302 and supplier.client == org.client_a and supplier.created_by == sup.clerk
    bad = _http(sup.clerk).post(reverse("suppliers:supplier_create"), {
        "client": "", "code": "SUP-V", "name": "坏", "credit_code": "123", "status": "active"})
    assert bad.status_code == 200 and "统一社会信用代码" in bad.content.decode()


def test_cat06_failed_sampling_page_opens_recall_and_case_page_moves_it(sup):
    response = _http(sup.clerk).post(reverse("suppliers:sampling_create", args=[sup.supplier_a.pk]), {
        "style": sup.style_a.pk, "sampled_on": timezone.localdate().isoformat(), "sample_size": "2",
        "result": "fail", "inspector": "质检部", "findings": "标签不合规"})
    case = RecallCase.objects.get()
    assert response.status_code == 302 and response.url == reverse("suppliers:recall_detail", args=[case.pk])
    handler = _http(sup.handler)
    skipped = handler.post(reverse("suppliers:recall_move", args=[case.pk]), {"to_state": "closed", "note": "x"})
    assert skipped.status_code == 400
    moved = handler.post(reverse("suppliers:recall_move", args=[case.pk]), {"to_state": "delisted"})
    assert moved.status_code == 302
    case.refresh_from_db()
    assert case.state == "delisted"
    assert _http(sup.clerk_b).get(reverse("suppliers:recall_detail", args=[case.pk])).status_code == 404
    page = handler.get(reverse("suppliers:recall_detail", args=[case.pk])).content.decode()
    assert "标签不合规" in page


@pytest.mark.parametrize("name", ["suppliers:sampling", "suppliers:recalls", "suppliers:supplier_create"])
def test_cat06_pages_need_their_right(sup, org, name):
    assert _http(org.nobody).get(reverse(name)).status_code == 403
    assert _http(sup.clerk).get(reverse(name)).status_code == 200


@pytest.mark.parametrize("name", ["suppliers:supplier_edit", "suppliers:contact_create", "suppliers:agreement_create",
                                  "suppliers:rating_create", "suppliers:style_link", "suppliers:sampling_create"])
def test_cat06_forms_render_for_a_supplier(sup, org, name):
    response = _http(org.admin).get(reverse(name, args=[sup.supplier_a.pk]))
    assert response.status_code == 200 and 'name="csrfmiddlewaretoken"' in response.content.decode()


def test_cat06_style_link_and_agreement_pages_save(sup, org):
    http = _http(sup.clerk)
    linked = http.post(reverse("suppliers:style_link", args=[sup.supplier_a.pk]),
                       {"style": sup.style_a.pk, "is_primary": "on", "purchase_price": "70.00"})
    assert linked.status_code == 302 and sup.style_a.style_suppliers.get().is_primary
    today = timezone.localdate().isoformat()
    saved = http.post(reverse("suppliers:agreement_create", args=[sup.supplier_a.pk]),
                      {"signed_on": today, "valid_from": today, "valid_to": today, "terms": "质量条款"})
    assert saved.status_code == 302 and sup.supplier_a.agreements.count() == 1
    contact = actions.add_contact(sup.supplier_a, user=sup.clerk, name="王经理", phone="13812345678")
    assert http.get(reverse("suppliers:contact_edit", args=[contact.pk])).status_code == 403  # no phone right
    assert _http(org.admin).get(reverse("suppliers:contact_edit", args=[contact.pk])).status_code == 200
