"""WMS-18 packaging materials: their own append-only ledger and balances, cover from normal use, reorder
below the policy days and ahead of a big promotion (FUL-05)."""

from datetime import datetime, time, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from ecomops.audit.models import DueItem
from ecomops.core.errors import BusinessError, Conflict
from ecomops.supply.closing import open_documents
from ecomops.supply.daily import run_daily
from ecomops.supply.models import PackagingBalance, PackagingMove, PackagingReorder
from ecomops.supply.packaging import (
    PACKAGING_REORDER_DUE,
    PROMOTION_DUE,
    check_packaging,
    consume_packaging,
    create_material,
    create_packaging_receipt,
    enter_promotion,
    packaging_cover,
    post_packaging_receipt,
)


@pytest.fixture
def box(keeper):
    return create_material(user=keeper, code="BOX-3", name="三号纸箱", unit="个")


def _at(day):
    return timezone.make_aware(datetime.combine(day, time(10)))


def stocked(stock, keeper, box, quantity):
    receipt = create_packaging_receipt(user=keeper, warehouse=stock.wh, lines=[(box, quantity)])
    return post_packaging_receipt(receipt, user=keeper, at=_at(timezone.localdate() - timedelta(days=8)))


def test_receipts_and_consumption_keep_an_append_only_ledger(stock, keeper, box):
    """WMS-18: packaging is stock: a draft receipt is open for the daily close until posted; use cannot
    take more than is on hand; every change is a ledger row with the balance after it."""
    receipt = create_packaging_receipt(user=keeper, warehouse=stock.wh, lines=[(box, 100)], vendor="纸品厂")
    assert [n for n, _d, _u in open_documents(stock.wh, timezone.localdate())] == [receipt.number]
    post_packaging_receipt(receipt, user=keeper)
    assert open_documents(stock.wh, timezone.localdate()) == []
    with pytest.raises(Conflict):
        post_packaging_receipt(receipt, user=keeper)
    row = consume_packaging(user=keeper, warehouse=stock.wh, material=box, quantity=30)
    assert row.on_hand_after == 70
    with pytest.raises(BusinessError) as error:
        consume_packaging(user=keeper, warehouse=stock.wh, material=box, quantity=71)
    assert error.value.field == "quantity"
    with pytest.raises(BusinessError) as error:
        consume_packaging(user=keeper, warehouse=stock.wh, material=box, quantity=0)
    assert error.value.field == "quantity"
    assert PackagingBalance.objects.get(material=box).on_hand == 70
    assert list(PackagingMove.objects.values_list("kind", "quantity", "on_hand_after")) == [
        ("receipt", 100, 100), ("consumption", 30, 70)]
    with pytest.raises(ValueError):
        row.save()
    with pytest.raises(ValueError):
        PackagingMove.objects.all().delete()
    with pytest.raises(IntegrityError), transaction.atomic():
        PackagingBalance.objects.filter(material=box).update(on_hand=-1)


def test_reorder_when_cover_falls_below_ten_days_not_at_ten(stock, keeper, box):
    """WMS-18: daily use = last 7 days' consumption ÷ 7; cover = on hand ÷ daily use; below 10 days →
    reorder item to the warehouse; exactly 10 days is not below; a receipt that restores cover closes it."""
    stocked(stock, keeper, box, 170)
    today = timezone.localdate()
    for days_ago in range(1, 8):  # 10 a day for 7 days → on hand 100 = exactly 10 days
        consume_packaging(user=keeper, warehouse=stock.wh, material=box, quantity=10,
                                  at=_at(today - timedelta(days=days_ago)))
    assert check_packaging(stock.wh, today - timedelta(days=1)) == 0
    cover = packaging_cover(box, stock.wh, today - timedelta(days=1))
    assert cover.cover_days == 10 and not cover.below
    # today 6 more: 94 on hand at (60 + 6) ÷ 7 = 9.43 a day → 9.97 days, below 10
    consume_packaging(user=keeper, warehouse=stock.wh, material=box, quantity=6)
    reorder = PackagingReorder.objects.get(material=box, closed_at__isnull=True)
    assert reorder.on_hand == 94 and reorder.cover_days < 10 and "WMS-18" in reorder.reason
    assert DueItem.objects.open().filter(kind=PACKAGING_REORDER_DUE, clause="WMS-18").exists()
    assert run_daily(today).reorders == 0  # one open reorder per material
    receipt = create_packaging_receipt(user=keeper, warehouse=stock.wh, lines=[(box, 200)])
    post_packaging_receipt(receipt, user=keeper)
    reorder.refresh_from_db()
    assert reorder.closed_at is not None
    assert not DueItem.objects.open().filter(kind=PACKAGING_REORDER_DUE).exists()


def test_big_promotion_raises_the_prepare_item_three_days_ahead(stock, keeper):
    """WMS-18 / FUL-05: a promotion date entered → due item FUL-05 days (3) before it starts."""
    starts = timezone.localdate() + timedelta(days=20)
    promotion = enter_promotion(user=keeper, name="双11", starts_on=starts, warehouse=stock.wh)
    assert promotion.prepare_on == starts - timedelta(days=3) and "FUL-05" in promotion.policy_citation
    items = list(DueItem.objects.filter(kind=PROMOTION_DUE))
    assert items and all(timezone.localtime(i.due_at).date() == starts - timedelta(days=3) for i in items)
    assert {i.clause for i in items} == {"FUL-05"}
    with pytest.raises(BusinessError) as error:
        enter_promotion(user=keeper, name="过去", starts_on=timezone.localdate() - timedelta(days=1),
                                warehouse=stock.wh)
    assert error.value.field == "starts_on"
    with pytest.raises(BusinessError) as error:
        enter_promotion(user=keeper, name="", starts_on=starts, warehouse=stock.wh)
    assert error.value.field == "name"


def test_material_codes_are_unique(keeper, box):
    with pytest.raises(BusinessError) as error:
        create_material(user=keeper, code="BOX-3", name="另一个")
    assert error.value.field == "code"
