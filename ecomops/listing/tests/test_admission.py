"""CAT-01: a product passes admission review — quality report or sampling, safety, legality, IP, brand
authorisation, certificates for its category — before its first listing anywhere."""

from datetime import timedelta

import pytest

from ecomops.catalog.models import Brand
from ecomops.core.errors import BusinessError, NotAllowed
from ecomops.listing import actions
from ecomops.listing.enums import AdmissionEventKind, AdmissionState, CheckItem, ItemResult
from ecomops.listing.models import AdmissionReview
from ecomops.stores.enums import HolderKind, QualificationKind

from .conftest import CLEAN, admit, food_licence, qualification

pytestmark = pytest.mark.django_db


def test_cat01_review_opens_with_the_whole_checklist_and_an_event(lst):
    review = actions.open_admission(user=lst.user_a, style=lst.dress, note="新款")
    assert [i.code for i in review.items.order_by("pk")] == CheckItem.values
    assert all(i.result == ItemResult.PENDING for i in review.items.all())
    event = review.events.get()
    assert (event.kind, event.actor, event.to_state) == (AdmissionEventKind.OPENED, lst.user_a, "pending")


def test_cat01_no_listing_anywhere_before_admission_is_approved(lst):
    with pytest.raises(BusinessError, match="尚未通过商品准入审核"):
        listing = actions.create_listing(user=lst.user_a, store=lst.store_a1, style=lst.dress, **CLEAN)
        actions.submit_listing(listing, user=lst.user_a)
    review = actions.open_admission(user=lst.user_a, style=lst.dress)
    listing = actions.create_listing(user=lst.user_a, store=lst.store_a2, style=lst.dress, **CLEAN)
    with pytest.raises(BusinessError, match="尚未通过商品准入审核"):
        actions.submit_listing(listing, user=lst.user_a)
    actions.decide_admission(review, user=lst.reviewer, outcome=AdmissionState.RETURNED, reasons="缺质检报告")
    with pytest.raises(BusinessError, match="尚未通过商品准入审核"):
        actions.submit_listing(listing, user=lst.user_a)


def test_cat01_approval_needs_every_item_checked_and_none_failed(lst):
    review = actions.open_admission(user=lst.user_a, style=lst.dress)
    with pytest.raises(BusinessError, match="还有未检查的项目"):
        actions.decide_admission(review, user=lst.reviewer, outcome=AdmissionState.APPROVED)
    for code in CheckItem.values:
        result = ItemResult.NOT_APPLICABLE if code in ("brand_authorisation", "certificates") else ItemResult.PASSED
        actions.record_item(review, user=lst.reviewer, code=code, result=result, sampling_reference="抽检合格")
    actions.record_item(review, user=lst.reviewer, code=CheckItem.INTELLECTUAL_PROPERTY, result=ItemResult.FAILED,
                        note="图案疑似侵权")
    with pytest.raises(BusinessError, match="有不符合的项目"):
        actions.decide_admission(review, user=lst.reviewer, outcome=AdmissionState.APPROVED)
    review = actions.decide_admission(review, user=lst.reviewer, outcome=AdmissionState.REJECTED,
                                      reasons="图案侵权")
    assert (review.status, review.decided_by, review.reasons) == ("rejected", lst.reviewer, "图案侵权")
    assert review.decided_at is not None
    # A rejected style may be reviewed again as a new review.
    again = actions.open_admission(user=lst.user_a, style=lst.dress)
    assert again.pk != review.pk


def test_cat01_items_need_their_evidence(lst):
    review = actions.open_admission(user=lst.user_a, style=lst.longjing)
    with pytest.raises(BusinessError, match="须选择质检报告或抽检记录"):
        actions.record_item(review, user=lst.reviewer, code=CheckItem.QUALITY, result=ItemResult.PASSED)
    with pytest.raises(BusinessError, match="不能选“不适用”"):
        actions.record_item(review, user=lst.reviewer, code=CheckItem.CERTIFICATES,
                            result=ItemResult.NOT_APPLICABLE)
    with pytest.raises(BusinessError, match="覆盖该类目的有效许可证"):
        actions.record_item(review, user=lst.reviewer, code=CheckItem.CERTIFICATES, result=ItemResult.PASSED)
    expired = food_licence(lst, days_left=-1, number="OLD")
    with pytest.raises(BusinessError, match="不在有效期内"):
        actions.record_item(review, user=lst.reviewer, code=CheckItem.CERTIFICATES, result=ItemResult.PASSED,
                            evidence=expired)
    report = qualification(user=lst.admin, kind=QualificationKind.QUALITY_REPORT, number="QR-1",
                           client=lst.client_a, valid_to=lst.today + timedelta(days=300))
    with pytest.raises(BusinessError, match="食品经营许可证"):
        actions.record_item(review, user=lst.reviewer, code=CheckItem.CERTIFICATES, result=ItemResult.PASSED,
                            evidence=report)
    item = actions.record_item(review, user=lst.reviewer, code=CheckItem.QUALITY, result=ItemResult.PASSED,
                               evidence=report, note="第三方检测")
    assert (item.evidence, item.checked_by) == (report, lst.reviewer)
    with pytest.raises(BusinessError, match="不符合时须写明原因"):
        actions.record_item(review, user=lst.reviewer, code=CheckItem.SAFETY, result=ItemResult.FAILED)


def test_cat01_branded_goods_need_a_valid_brand_authorisation(lst):
    brand = Brand.objects.create(client=lst.client_a, name="山岚")
    lst.dress.brand = brand
    lst.dress.save()
    review = actions.open_admission(user=lst.user_a, style=lst.dress)
    with pytest.raises(BusinessError, match="不能选“不适用”"):
        actions.record_item(review, user=lst.reviewer, code=CheckItem.BRAND_AUTHORISATION,
                            result=ItemResult.NOT_APPLICABLE)
    lapsed = qualification(user=lst.admin, kind=QualificationKind.BRAND_AUTHORISATION, number="BA-0",
                           client=lst.client_a, holder_kind=HolderKind.BRAND, holder_name="山岚",
                           valid_to=lst.today - timedelta(days=1))
    with pytest.raises(BusinessError, match="不在有效期内"):
        actions.record_item(review, user=lst.reviewer, code=CheckItem.BRAND_AUTHORISATION,
                            result=ItemResult.PASSED, evidence=lapsed)
    # Authorised for JD only: admitted, but store A1 (Taobao) may not list it.
    jd_only = qualification(user=lst.admin, kind=QualificationKind.BRAND_AUTHORISATION, number="BA-1",
                            client=lst.client_a, holder_kind=HolderKind.BRAND, holder_name="山岚", scope="京东",
                            valid_to=lst.today + timedelta(days=90))
    actions.decide_admission(review, user=lst.reviewer, outcome=AdmissionState.RETURNED, reasons="补授权")
    actions.resubmit_admission(review, user=lst.user_a)
    admit_items = {CheckItem.BRAND_AUTHORISATION: jd_only}
    for code in CheckItem.values:
        if code == CheckItem.CERTIFICATES:
            actions.record_item(review, user=lst.reviewer, code=code, result=ItemResult.NOT_APPLICABLE)
        else:
            actions.record_item(review, user=lst.reviewer, code=code, result=ItemResult.PASSED,
                                evidence=admit_items.get(code), sampling_reference="抽检合格")
    actions.decide_admission(review, user=lst.reviewer, outcome=AdmissionState.APPROVED)
    on_taobao = actions.create_listing(user=lst.user_a, store=lst.store_a1, style=lst.dress, **CLEAN)
    with pytest.raises(BusinessError, match="适用于淘宝的品牌授权书"):
        actions.submit_listing(on_taobao, user=lst.user_a)
    on_jd = actions.create_listing(user=lst.user_a, store=lst.store_a2, style=lst.dress, **CLEAN)
    assert actions.submit_listing(on_jd, user=lst.user_a).status == "awaiting_review"


def test_cat01_out_of_order_steps_are_refused(lst):
    review = admit(lst.dress, opener=lst.user_a, reviewer=lst.reviewer)
    with pytest.raises(BusinessError, match="已通过准入审核"):
        actions.open_admission(user=lst.user_a, style=lst.dress)
    with pytest.raises(BusinessError, match="不能记录检查结果"):
        actions.record_item(review, user=lst.reviewer, code=CheckItem.SAFETY, result=ItemResult.PASSED)
    with pytest.raises(BusinessError, match="不能变为"):
        actions.decide_admission(review, user=lst.reviewer, outcome=AdmissionState.REJECTED, reasons="x")
    with pytest.raises(BusinessError, match="不能变为"):
        actions.resubmit_admission(review, user=lst.user_a)
    pending = actions.open_admission(user=lst.user_a, style=lst.longjing)
    with pytest.raises(BusinessError, match="已有进行中的准入审核"):
        actions.open_admission(user=lst.user_a, style=lst.longjing)
    with pytest.raises(BusinessError, match="须写明原因"):
        actions.decide_admission(pending, user=lst.reviewer, outcome=AdmissionState.RETURNED)
    with pytest.raises(BusinessError, match="不能变为"):
        actions.resubmit_admission(pending, user=lst.user_a)


def test_cat01_permissions_and_scope(lst):
    with pytest.raises(NotAllowed):
        actions.open_admission(user=lst.reviewer, style=lst.dress)  # reviewers do not open reviews
    review = actions.open_admission(user=lst.user_a, style=lst.dress)
    with pytest.raises(NotAllowed):
        actions.record_item(review, user=lst.user_a, code=CheckItem.SAFETY, result=ItemResult.PASSED)
    with pytest.raises(BusinessError, match="款式不存在"):
        actions.record_item(review, user=lst.user_b, code=CheckItem.SAFETY, result=ItemResult.PASSED)
    with pytest.raises(NotAllowed):  # the client's own user only reads
        actions.open_admission(user=lst.member_a, style=lst.longjing)
    assert AdmissionReview.objects.visible_to(lst.user_b).count() == 0
    assert AdmissionReview.history.filter(id=review.pk).exists()
