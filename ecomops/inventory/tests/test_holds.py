"""Customer holds by sales staff (WMS-11): reserved through the core, expire after the policy period
unless a note extends them, and the daily clean-up gives expired ones back to normal sale."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from ecomops.core.errors import BusinessError, Conflict, NotAllowed
from ecomops.inventory import holds, reservations
from ecomops.inventory.enums import HoldState, ReservationState
from ecomops.inventory.ledger import InsufficientStock
from ecomops.inventory.models import CustomerHold, Reservation
from ecomops.inventory.tests import support
from ecomops.inventory.verify import differences

wh = support.wh  # the fixture


def test_wms11_hold_reserves_stock_and_expires_after_policy_days(wh):
    """WMS-11: the hold takes the goods out of what is available, for 7 days (policy value)."""
    wh.put(wh.sku, 10)
    before = timezone.now()
    hold = holds.create_hold(user=wh.sales, sku=wh.sku, warehouse=wh.wh, quantity=4, customer="王女士")
    assert reservations.available(wh.sku.pk, wh.wh.pk) == 6
    assert holds.lifetime() == timedelta(days=7)
    assert before + timedelta(days=7) <= hold.expires_at <= timezone.now() + timedelta(days=7)
    [reservation] = Reservation.objects.filter(doc_kind="hold", doc_id=str(hold.pk))
    assert reservation.quantity == 4 and reservation.expires_at == hold.expires_at and hold.staff == wh.sales
    assert differences() == []


def test_wms11_hold_lifetime_follows_the_policy_registry(wh):
    """WMS-11: the number of days comes from the policy registry, not the code."""
    from ecomops.policy.models import PolicyParameter, PolicyVersion

    parameter = PolicyParameter.objects.get(key="WMS-11.reservation_expires_after")
    latest = PolicyVersion.objects.filter(parameter=parameter).order_by("-number").first()
    PolicyVersion.objects.create(parameter=parameter, number=latest.number + 1, value={"amount": 3, "unit": "days"},
                                 effective_from=timezone.localdate() - timedelta(days=0))
    wh.put(wh.sku, 2)
    hold = holds.create_hold(user=wh.sales, sku=wh.sku, warehouse=wh.wh, quantity=1, customer="客户")
    assert hold.expires_at - timezone.now() < timedelta(days=3, minutes=1)


def test_wms11_hold_refused_when_not_enough_and_bad_input_named(wh):
    wh.put(wh.sku, 2)
    with pytest.raises(InsufficientStock) as info:
        holds.create_hold(user=wh.sales, sku=wh.sku, warehouse=wh.wh, quantity=3, customer="客户")
    assert wh.sku.sku_code in info.value.message and CustomerHold.objects.count() == 0
    with pytest.raises(BusinessError) as info:
        holds.create_hold(user=wh.sales, sku=wh.sku, warehouse=wh.wh, quantity=1, customer="  ")
    assert info.value.field == "customer"
    with pytest.raises(BusinessError) as info:
        holds.create_hold(user=wh.sales, sku=wh.sku, warehouse=wh.wh, quantity=0, customer="x")
    assert info.value.field == "quantity"


def test_wms11_hold_of_another_clients_sku_is_refused(wh):
    wh.put(wh.sku_b, 5)
    with pytest.raises(NotAllowed):
        holds.create_hold(user=wh.sales, sku=wh.sku_b, warehouse=wh.wh, quantity=1, customer="x")


def test_wms11_extension_needs_a_note_and_sets_a_new_expiry(wh):
    """WMS-11: only a note extends a hold; the extension is recorded with who, when, old and new expiry."""
    wh.put(wh.sku, 5)
    hold = holds.create_hold(user=wh.sales, sku=wh.sku, warehouse=wh.wh, quantity=2, customer="客户")
    with pytest.raises(BusinessError) as info:
        holds.extend_hold(hold, user=wh.sales, note=" ")
    assert info.value.field == "note"
    with pytest.raises(BusinessError) as info:
        holds.extend_hold(hold, user=wh.sales, note="客户出差", until=hold.expires_at - timedelta(hours=1))
    assert info.value.field == "until"
    old = hold.expires_at
    new = old + timedelta(days=3)
    holds.extend_hold(hold, user=wh.sales, note="客户出差，下周来取", until=new)
    hold.refresh_from_db()
    assert hold.expires_at == new
    [ext] = hold.extensions.all()
    assert (ext.note, ext.old_expires_at, ext.new_expires_at, ext.by) == ("客户出差，下周来取", old, new, wh.sales)
    assert Reservation.objects.get(doc_kind="hold", doc_id=str(hold.pk)).expires_at == new


def test_wms11_daily_cleanup_releases_expired_holds_and_is_idempotent(wh):
    """WMS-11: the daily job gives expired holds back to normal sale; running it twice changes nothing."""
    wh.put(wh.sku, 10)
    expired = holds.create_hold(user=wh.sales, sku=wh.sku, warehouse=wh.wh, quantity=3, customer="甲")
    kept = holds.create_hold(user=wh.sales, sku=wh.sku, warehouse=wh.wh, quantity=2, customer="乙")
    holds.extend_hold(kept, user=wh.sales, note="已付定金", until=timezone.now() + timedelta(days=20))
    later = timezone.now() + timedelta(days=8)
    done = holds.release_expired(now=later)
    assert [h.pk for h in done] == [expired.pk]
    expired.refresh_from_db()
    kept.refresh_from_db()
    assert expired.state == HoldState.EXPIRED and "WMS-11" in expired.close_reason
    assert kept.state == HoldState.ACTIVE
    assert reservations.available(wh.sku.pk, wh.wh.pk) == 8
    assert Reservation.objects.get(doc_id=str(expired.pk), doc_kind="hold").state == ReservationState.RELEASED
    assert holds.release_expired(now=later) == []
    assert reservations.available(wh.sku.pk, wh.wh.pk) == 8
    assert differences() == []


def test_wms11_daily_holds_command(wh, capsys):
    wh.put(wh.sku, 3)
    hold = holds.create_hold(user=wh.sales, sku=wh.sku, warehouse=wh.wh, quantity=3, customer="甲")
    CustomerHold.objects.filter(pk=hold.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    call_command("stock-daily-holds")
    call_command("stock-daily-holds")
    out = capsys.readouterr().out
    assert "1 expired hold(s) released" in out and "0 expired hold(s) released" in out
    assert reservations.available(wh.sku.pk, wh.wh.pk) == 3


def test_wms11_manual_release_and_no_second_release(wh):
    wh.put(wh.sku, 3)
    hold = holds.create_hold(user=wh.sales, sku=wh.sku, warehouse=wh.wh, quantity=3, customer="甲")
    holds.release_hold(hold, user=wh.sales, reason="客户不要了")
    assert reservations.available(wh.sku.pk, wh.wh.pk) == 3
    with pytest.raises(Conflict):
        holds.release_hold(hold, user=wh.sales)
    with pytest.raises(Conflict):
        holds.extend_hold(hold, user=wh.sales, note="再留")
