"""CAT-06 meets CAT-01/CAT-03: a delist-and-recall case takes the goods off sale in every store, and the
admission review cites the supplier library's sampling checks (a failed check never passes quality)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from ecomops.catalog import actions as catalog_actions
from ecomops.core.errors import BusinessError
from ecomops.listing import actions
from ecomops.listing.enums import AdmissionState, CheckItem, ItemResult, ListingEventKind, ListingState
from ecomops.listing.models import Listing, ListingEvent
from ecomops.org.models import ClientGrant
from ecomops.suppliers import actions as supplier_actions
from ecomops.suppliers.enums import RecallState
from ecomops.suppliers.models import Supplier

from .conftest import CLEAN, admit, with_perms

pytestmark = pytest.mark.django_db

RECALL_PERMS = ("suppliers.view_recallcase", "suppliers.change_recallcase", "suppliers.view_supplier",
                "listing.view_listing")


@pytest.fixture
def rc(lst):
    """``lst`` plus suppliers of A and B, a recall handler of A without any listing right but reading,
    and a shirt of A next to the dress."""
    lst.supplier_a = Supplier.objects.create(code="SUP-A", name="杭州丝绸厂", client=lst.client_a,
                                             created_by=lst.admin)
    lst.supplier_b = Supplier.objects.create(code="SUP-B", name="乙品牌服装厂", client=lst.client_b,
                                             created_by=lst.admin)
    lst.handler = with_perms(get_user_model().objects.create_user("handler", password=lst.password),
                             *RECALL_PERMS)
    ClientGrant.objects.create(user=lst.handler, client=lst.client_a)
    lst.shirt = catalog_actions.create_style(
        user=lst.admin, client=lst.client_a, style_no="S001", name="亚麻衬衫", category=lst.clothing,
        unit_cost=Decimal("60.00"), price=Decimal("199.00"), colours=[], sizes=["M"],
    )
    return lst


def _sample(o, style, *, result, supplier=None):
    return supplier_actions.record_sampling(
        user=o.admin, supplier=supplier or o.supplier_a, style=style, sampled_on=timezone.localdate(),
        sample_size=3, result=result, inspector="浙江省质检院", findings="" if result == "pass" else "甲醛超标",
    )


def _published(o, store, style):
    listing = actions.create_listing(user=o.user_a, store=store, style=style, **CLEAN)
    listing = actions.submit_listing(listing, user=o.user_a)
    return actions.approve_listing(listing, user=o.reviewer, publish=True)


# --- CAT-06: the recall case delists -------------------------------------------------------------


def test_cat06_delisted_case_takes_down_every_published_listing_of_its_styles(rc):
    o = rc
    admit(o.dress, opener=o.user_a, reviewer=o.reviewer)
    admit(o.shirt, opener=o.user_a, reviewer=o.reviewer)
    on_a1, on_a2 = _published(o, o.store_a1, o.dress), _published(o, o.store_a2, o.dress)
    other = _published(o, o.store_a1, o.shirt)
    case = _sample(o, o.dress, result="fail").recall_case
    case = supplier_actions.move_recall(case, user=o.handler, to_state=RecallState.DELISTED, note="立即下架")
    for listing in (on_a1, on_a2):
        listing.refresh_from_db()
        assert listing.status == ListingState.DELISTED and listing.delisted_at is not None
        assert case.number in listing.delist_reason and "甲醛超标" in listing.delist_reason
        event = listing.events.order_by("-at", "-pk").first()
        assert (event.kind, event.from_state, event.to_state) == (
            ListingEventKind.DELISTED, ListingState.PUBLISHED, ListingState.DELISTED)
        assert event.recall_case == case and event.actor == o.handler and case.number in event.note
    other.refresh_from_db()
    assert other.status == ListingState.PUBLISHED  # another style of the same client stays on sale
    moved = case.events.order_by("-at", "-pk").first()
    assert moved.to_state == RecallState.DELISTED and "下架 2 个在售商品" in moved.note and "立即下架" in moved.note


def test_cat06_listings_not_on_sale_are_left_as_they_are(rc):
    o = rc
    admit(o.dress, opener=o.user_a, reviewer=o.reviewer)
    draft = actions.create_listing(user=o.user_a, store=o.store_a1, style=o.dress, **CLEAN)
    case = _sample(o, o.dress, result="fail").recall_case
    supplier_actions.move_recall(case, user=o.handler, to_state=RecallState.DELISTED)
    draft.refresh_from_db()
    assert draft.status == ListingState.DRAFT
    assert not ListingEvent.objects.filter(recall_case=case).exists()
    assert "下架 0 个在售商品" in case.events.order_by("-at", "-pk").first().note


def test_cat06_case_and_delisting_are_one_transaction(rc, monkeypatch):
    o = rc
    admit(o.dress, opener=o.user_a, reviewer=o.reviewer)
    listing = _published(o, o.store_a1, o.dress)
    case = _sample(o, o.dress, result="fail").recall_case

    def broken(self, *args, **kwargs):
        raise RuntimeError("event store down")

    monkeypatch.setattr(ListingEvent, "save", broken)
    with pytest.raises(RuntimeError):
        supplier_actions.move_recall(case, user=o.handler, to_state=RecallState.DELISTED)
    case.refresh_from_db()
    listing.refresh_from_db()
    assert case.state == RecallState.OPENED and case.events.count() == 1
    assert listing.status == ListingState.PUBLISHED


def test_cat06_an_open_case_blocks_listing_until_it_is_closed(rc):
    o = rc
    admit(o.dress, opener=o.user_a, reviewer=o.reviewer)
    published = _published(o, o.store_a1, o.dress)
    waiting = actions.submit_listing(actions.create_listing(user=o.user_a, store=o.store_a2, style=o.dress,
                                                            **CLEAN), user=o.user_a)
    waiting = actions.approve_listing(waiting, user=o.reviewer)
    case = _sample(o, o.dress, result="fail").recall_case
    with pytest.raises(BusinessError, match="未结案的下架召回单") as refused:
        actions.publish_listing(waiting, user=o.user_a)
    assert case.number in refused.value.message
    supplier_actions.move_recall(case, user=o.handler, to_state=RecallState.DELISTED)
    published.refresh_from_db()
    with pytest.raises(BusinessError, match="未结案的下架召回单"):
        actions.relist_listing(published, user=o.user_a)
    supplier_actions.move_recall(case, user=o.handler, to_state=RecallState.CLOSED, note="未售出，下架即可")
    relisted = actions.relist_listing(published, user=o.user_a)
    assert relisted.status == ListingState.AWAITING_REVIEW


def test_cat06_pages_link_the_case_and_its_listings(rc):
    o = rc
    admit(o.dress, opener=o.user_a, reviewer=o.reviewer)
    listing = _published(o, o.store_a1, o.dress)
    case = _sample(o, o.dress, result="fail").recall_case
    supplier_actions.move_recall(case, user=o.handler, to_state=RecallState.DELISTED)
    http = HttpClient()
    http.force_login(o.handler)
    page = http.get(reverse("suppliers:recall_detail", args=[case.pk])).content.decode()
    assert 'data-testid="case-listings"' in page and reverse("listing:listing_detail", args=[listing.pk]) in page
    shown = http.get(reverse("listing:listing_detail", args=[listing.pk])).content.decode()
    assert reverse("suppliers:recall_detail", args=[case.pk]) in shown


# --- CAT-01: the quality item cites a sampling check ---------------------------------------------


def test_cat01_quality_passes_on_a_passed_sampling_check_of_the_client(rc):
    o = rc
    check = _sample(o, o.dress, result="pass")
    review = actions.open_admission(user=o.user_a, style=o.dress)
    item = actions.record_item(review, user=o.reviewer, code=CheckItem.QUALITY, result=ItemResult.PASSED,
                               sampling_check=check)
    assert item.sampling_check == check and item.sampling_reference == ""
    for code in (CheckItem.SAFETY, CheckItem.LEGALITY, CheckItem.INTELLECTUAL_PROPERTY):
        actions.record_item(review, user=o.reviewer, code=code, result=ItemResult.PASSED)
    for code in (CheckItem.BRAND_AUTHORISATION, CheckItem.CERTIFICATES):
        actions.record_item(review, user=o.reviewer, code=code, result=ItemResult.NOT_APPLICABLE)
    assert actions.decide_admission(review, user=o.reviewer, outcome="approved").status == AdmissionState.APPROVED


def test_cat01_a_failed_sampling_check_cannot_pass_quality(rc):
    o = rc
    failed = _sample(o, o.dress, result="fail")
    review = actions.open_admission(user=o.user_a, style=o.dress)
    with pytest.raises(BusinessError, match="结论为不合格") as refused:
        actions.record_item(review, user=o.reviewer, code=CheckItem.QUALITY, result=ItemResult.PASSED,
                            sampling_check=failed, sampling_reference="另有外部抽检合格")
    assert refused.value.field == "sampling_check"
    # It may support a "not passed" finding.
    item = actions.record_item(review, user=o.reviewer, code=CheckItem.QUALITY, result=ItemResult.FAILED,
                               sampling_check=failed, note="抽检甲醛超标")
    assert item.sampling_check == failed


def test_cat01_sampling_check_must_be_of_the_client_and_for_quality(rc):
    o = rc
    of_b = _sample(o, o.dress_b, result="pass", supplier=o.supplier_b)
    passed = _sample(o, o.shirt, result="pass")  # another style of the same client is allowed
    review = actions.open_admission(user=o.user_a, style=o.dress)
    with pytest.raises(BusinessError, match="不属于该款式的委托方") as refused:
        actions.record_item(review, user=o.reviewer, code=CheckItem.QUALITY, result=ItemResult.PASSED,
                            sampling_check=of_b)
    assert refused.value.field == "sampling_check"
    with pytest.raises(BusinessError, match="只有“质检报告或抽检结果”一项") as refused:
        actions.record_item(review, user=o.reviewer, code=CheckItem.SAFETY, result=ItemResult.PASSED,
                            sampling_check=passed)
    assert refused.value.field == "sampling_check"
    item = actions.record_item(review, user=o.reviewer, code=CheckItem.QUALITY, result=ItemResult.PASSED,
                               sampling_check=passed)
    assert item.sampling_check == passed


def test_cat01_admission_page_offers_the_clients_sampling_checks(rc):
    o = rc
    passed = _sample(o, o.dress, result="pass")
    failed = _sample(o, o.shirt, result="fail")
    of_b = _sample(o, o.dress_b, result="pass", supplier=o.supplier_b)
    review = actions.open_admission(user=o.user_a, style=o.dress)
    http = HttpClient()
    http.force_login(o.reviewer)
    url = reverse("listing:admission_detail", args=[review.pk])
    html = http.get(url).content.decode()
    assert f'<option value="{passed.pk}"' in html and f'<option value="{failed.pk}"' in html
    assert f'<option value="{of_b.pk}"' not in html
    post = reverse("listing:admission_item", args=[review.pk, "quality"])
    refused = http.post(post, {"quality-result": "passed", "quality-sampling_check": failed.pk})
    assert refused.status_code == 200 and "结论为不合格" in refused.content.decode()
    outside = http.post(post, {"quality-result": "passed", "quality-sampling_check": of_b.pk})
    assert "选择一个有效的选项" in outside.content.decode() or "Select a valid choice" in outside.content.decode()
    saved = http.post(post, {"quality-result": "passed", "quality-sampling_check": passed.pk})
    assert saved.status_code == 302
    assert review.items.get(code="quality").sampling_check == passed
    assert 'data-testid="sampling-check"' in http.get(url).content.decode()


def test_cat01_api_takes_a_sampling_check_by_id_within_scope(rc):
    o = rc
    passed = _sample(o, o.dress, result="pass")
    failed = _sample(o, o.shirt, result="fail")
    of_b = _sample(o, o.dress_b, result="pass", supplier=o.supplier_b)
    review = actions.open_admission(user=o.user_a, style=o.dress)
    http = HttpClient()
    http.force_login(o.reviewer)
    url = f"/api/v1/admissions/{review.pk}/items/quality"

    def put(body):
        return http.put(url, body, content_type="application/json")

    hidden = put({"result": "passed", "sampling_check_id": of_b.pk})
    # Another client's check reads as missing: the house shape for a bad reference in the body.
    assert hidden.status_code == 400 and hidden.json()["error"]["code"] == "not_found"
    assert hidden.json()["error"]["field"] == "sampling_check_id"
    bad = put({"result": "passed", "sampling_check_id": failed.pk})
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "sampling_check_id"
    ok = put({"result": "passed", "sampling_check_id": passed.pk})
    assert ok.status_code == 200, ok.content
    quality = next(i for i in ok.json()["items"] if i["code"] == "quality")
    assert quality["sampling_check_id"] == passed.pk
    assert Listing.objects.count() == 0
