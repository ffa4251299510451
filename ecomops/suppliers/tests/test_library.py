"""CAT-06 supplier library: suppliers, contacts, quality agreements, rating history, styles supplied."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from ecomops.core.errors import BusinessError, NotAllowed
from ecomops.suppliers import actions
from ecomops.suppliers.models import Supplier, SupplierRating, next_sampling_due
from ecomops.suppliers.queries import current_rating, search_suppliers

from .conftest import pdf


def test_cat06_rating_history_is_append_only(sup):
    first = actions.rate_supplier(sup.supplier_a, user=sup.clerk, period="2026-q2", score="82.5",
                                  quality_score=80, delivery_score="90", service_score="77.25")
    second = actions.rate_supplier(sup.supplier_a, user=sup.clerk, period="2026-Q3", score="64")
    first.refresh_from_db()
    assert (first.period, first.score, first.quality_score) == ("2026-Q2", Decimal("82.50"), Decimal("80.00"))
    assert current_rating(sup.supplier_a) == second
    assert sup.supplier_a.ratings.count() == 2
    first.score = Decimal("99")
    with pytest.raises(ValueError, match="history"):
        first.save()
    with pytest.raises(ValueError, match="history"):
        second.delete()
    assert SupplierRating.objects.get(pk=first.pk).score == Decimal("82.50")
    listed = search_suppliers(sup.clerk, min_score=60, max_score=75)
    assert [s.code for s in listed] == ["SUP-A"] and listed[0].current_score == Decimal("64.00")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"score": "100.5"}, "score"),
        ({"score": "-1"}, "score"),
        ({"score": "abc"}, "score"),
        ({"score": 70.5}, "score"),
        ({"score": "70.123"}, "score"),
        ({"quality_score": "101"}, "quality_score"),
        ({"period": "去年"}, "period"),
        ({"period": ""}, "period"),
    ],
)
def test_cat06_bad_rating_names_the_field_in_chinese(sup, changes, field):
    with pytest.raises(BusinessError) as refused:
        actions.rate_supplier(sup.supplier_a, user=sup.clerk, **({"period": "2026-10", "score": "80"} | changes))
    assert refused.value.field == field
    assert any("\u4e00" <= ch <= "\u9fff" for ch in refused.value.message)
    assert not SupplierRating.objects.exists()


def test_cat06_agreement_validity_follows_its_dates(sup):
    today = timezone.localdate()
    agreement = actions.add_agreement(
        sup.supplier_a, user=sup.clerk, signed_on=today - timedelta(days=40), valid_from=today - timedelta(days=30),
        valid_to=today + timedelta(days=335), terms="抽检不合格的，供应商承担召回费用", sampling_interval_days=90,
        upload=pdf("agreement.pdf"),
    )
    assert agreement.status_on(today) == "valid"
    assert agreement.status_on(today + timedelta(days=336)) == "expired"
    assert agreement.status_on(today - timedelta(days=31)) == "not_yet_valid"
    assert agreement.original_name == "agreement.pdf"
    # The sampling interval is data of the agreement: next sampling = last check + 90 days.
    assert next_sampling_due(sup.supplier_a, today) == today - timedelta(days=30) + timedelta(days=90)
    actions.record_sampling(user=sup.clerk, supplier=sup.supplier_a, style=sup.style_a, sampled_on=today,
                            sample_size=2, result="pass", inspector="质检部")
    assert next_sampling_due(sup.supplier_a, today) == today + timedelta(days=90)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"valid_to": "before"}, "valid_to"),
        ({"terms": "   "}, "terms"),
        ({"signed_on": "future"}, "signed_on"),
        ({"sampling_interval_days": 0}, "sampling_interval_days"),
        ({"upload": "exe"}, "file"),
    ],
)
def test_cat06_bad_agreement_names_the_field(sup, changes, field):
    today = timezone.localdate()
    values = {"signed_on": today, "valid_from": today, "valid_to": today + timedelta(days=365), "terms": "条款"}
    values |= changes
    if values["valid_to"] == "before":
        values["valid_to"] = today - timedelta(days=1)
    if values["signed_on"] == "future":
        values["signed_on"] = today + timedelta(days=1)
    if values.get("upload") == "exe":
        values["upload"] = pdf("agreement.pdf", b"MZ\x90\x00not a pdf")
    with pytest.raises(BusinessError) as refused:
        actions.add_agreement(sup.supplier_a, user=sup.clerk, **values)
    assert refused.value.field == field
    assert not sup.supplier_a.agreements.exists()


def test_cat06_supplier_codes_and_credit_codes_are_checked(sup):
    supplier = actions.create_supplier(user=sup.clerk, client=sup.supplier_a.client, code="SUP-A2", name="新供应商",
                                       credit_code="91330106ma2cfx1a0b")
    assert supplier.credit_code == "91330106MA2CFX1A0B" and supplier.created_by == sup.clerk
    assert supplier.history.count() == 1
    with pytest.raises(BusinessError) as refused:
        actions.create_supplier(user=sup.clerk, client=None, code="SUP-A2", name="重复")
    assert refused.value.field == "code"
    with pytest.raises(BusinessError) as refused:
        actions.create_supplier(user=sup.clerk, client=None, code="SUP-X", name="坏代码", credit_code="123")
    assert refused.value.field == "credit_code" and "统一社会信用代码" in refused.value.message
    with pytest.raises(BusinessError) as refused:
        actions.update_supplier(supplier, user=sup.clerk, client=None)
    assert refused.value.field == "client"


def test_cat06_style_links_stay_within_the_client(sup):
    link = actions.link_style(sup.supplier_a, sup.style_a, user=sup.clerk, is_primary=True, purchase_price="75.50",
                              supplier_item_code="LJ-250")
    assert link.purchase_price == Decimal("75.50")
    shared = actions.link_style(sup.shared, sup.style_a, user=sup.clerk, is_primary=True)
    link.refresh_from_db()
    assert shared.is_primary and not link.is_primary
    with pytest.raises(BusinessError) as refused:  # B's style is outside clerk A's scope
        actions.link_style(sup.shared, sup.style_b, user=sup.clerk)
    assert refused.value.code == "not_found"
    with pytest.raises(BusinessError) as refused:  # A's supplier cannot supply B's goods, even for an admin
        actions.link_style(sup.supplier_a, sup.style_b, user=sup.clerk_b)
    with pytest.raises(BusinessError) as refused:
        actions.link_style(sup.supplier_a, sup.style_a, user=sup.clerk, purchase_price="1.234")
    assert refused.value.field == "purchase_price"


def test_cat06_scoping_of_suppliers(sup, org):
    assert set(Supplier.objects.visible_to(sup.clerk).values_list("code", flat=True)) == {"SUP-A", "SUP-S"}
    assert set(Supplier.objects.visible_to(sup.clerk_b).values_list("code", flat=True)) == {"SUP-B", "SUP-S"}
    # A client's own user sees the client's suppliers only, never the company's shared ones.
    assert set(Supplier.objects.visible_to(sup.member).values_list("code", flat=True)) == {"SUP-A"}
    assert set(Supplier.objects.visible_to(org.admin).values_list("code", flat=True)) == {"SUP-A", "SUP-S", "SUP-B"}
    with pytest.raises(BusinessError) as refused:
        actions.update_supplier(sup.supplier_b, user=sup.clerk, name="改名")
    assert refused.value.code == "not_found"


def test_cat06_client_users_cannot_register_shared_suppliers(sup, org):
    from ecomops.suppliers.tests.conftest import make_user

    member = make_user("member_clerk", "suppliers.add_supplier")
    from ecomops.org.models import ClientMember

    ClientMember.objects.create(user=member, client=org.client_a)
    with pytest.raises(NotAllowed):
        actions.create_supplier(user=member, client=None, code="SUP-M", name="共用")


def test_cat06_contact_phone_is_cleaned_and_checked(sup):
    contact = actions.add_contact(sup.supplier_a, user=sup.clerk, name="王经理", role="销售", phone="138-1234 5678")
    assert contact.phone == "13812345678"
    with pytest.raises(BusinessError) as refused:
        actions.add_contact(sup.supplier_a, user=sup.clerk, name="李", phone="电话号码")
    assert refused.value.field == "phone"
    with pytest.raises(BusinessError) as refused:
        actions.add_contact(sup.supplier_a, user=sup.clerk, name="李", email="not-an-email")
    assert refused.value.field == "email"
