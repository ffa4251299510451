"""WMS-12 sample loans: a transfer slip moves goods into the samples bin (company stock, not for sale),
due back after the policy period; extensions with a note approved by the warehouse supervisor; returns
put the goods back; overdue loans raise a due item to the supervisor (daily job and command)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from ecomops.audit.models import DueItem
from ecomops.core.errors import BusinessError, Conflict, NotAllowed
from ecomops.inventory import reservations
from ecomops.inventory.models import StockBalance
from ecomops.inventory.verify import differences
from ecomops.policy import registry
from ecomops.stockops import actions
from ecomops.stockops.enums import ExtensionState, LoanState
from ecomops.stockops.tests.conftest import SUPERVISOR, make_user

pytestmark = pytest.mark.django_db


def lend(ops, qty=2, **kw):
    return actions.lend_samples(user=ops.keeper, client=ops.org.client_a, warehouse=ops.wh, borrower="摄影组 小王",
                                lines=[(ops.sku, qty)], **kw)


def test_wms12_loan_moves_goods_to_samples_bin_not_sellable_due_after_policy_days(ops):
    ops.put(ops.sku, 5)
    loan = lend(ops)
    days = registry.value("WMS-12.sample_loan_due_after").days
    assert loan.due_on == timezone.localdate() + timedelta(days=days) and loan.policy_days == days == 7
    assert StockBalance.objects.get(bin=ops.samples, sku=ops.sku).on_hand == 2
    assert reservations.available(ops.sku.pk, ops.wh.pk) == 3  # still company stock, not for sale
    line = loan.lines.get()
    assert (line.sku.style.style_no, line.sku.colour, line.sku.size, line.quantity) == ("DRESS1", "黑", "M", 2)
    assert differences() == []


def test_wms12_loan_checks_its_fields(ops):
    ops.put(ops.sku, 1)
    with pytest.raises(BusinessError) as no_borrower:
        actions.lend_samples(user=ops.keeper, client=ops.org.client_a, warehouse=ops.wh, borrower="",
                             lines=[(ops.sku, 1)])
    assert no_borrower.value.field == "borrower"
    with pytest.raises(BusinessError, match="不足"):
        lend(ops, 2)
    with pytest.raises(BusinessError) as future:
        lend(ops, 1, lent_on=timezone.localdate() + timedelta(days=1))
    assert future.value.field == "lent_on"
    with pytest.raises(BusinessError) as not_samples:
        lend(ops, 1, samples_bin=ops.a2)
    assert not_samples.value.field == "samples_bin"


def test_wms12_extension_needs_note_and_the_supervisor(ops):
    ops.put(ops.sku, 5)
    loan = lend(ops)
    with pytest.raises(BusinessError) as no_note:
        actions.request_extension(loan, user=ops.keeper, new_due_on=loan.due_on + timedelta(days=3), note="")
    assert no_note.value.field == "note"
    with pytest.raises(BusinessError) as earlier:
        actions.request_extension(loan, user=ops.keeper, new_due_on=loan.due_on, note="补拍")
    assert earlier.value.field == "new_due_on"
    extension = actions.request_extension(loan, user=ops.keeper, new_due_on=loan.due_on + timedelta(days=3),
                                          note="补拍细节图")
    with pytest.raises(Conflict):
        actions.request_extension(loan, user=ops.keeper, new_due_on=loan.due_on + timedelta(days=4), note="再延")
    with pytest.raises(NotAllowed):
        actions.decide_extension(extension, user=ops.keeper2, approve=True)  # no right
    other = make_user("other_supervisor", *SUPERVISOR, client=ops.org.client_a)
    with pytest.raises(NotAllowed, match="仓库主管"):
        actions.decide_extension(extension, user=other, approve=True)  # the right, but not this warehouse's
    actions.decide_extension(extension, user=ops.supervisor, approve=True)
    loan.refresh_from_db()
    extension.refresh_from_db()
    assert extension.state == ExtensionState.APPROVED and loan.due_on == extension.new_due_on


def test_wms12_overdue_loan_raises_due_item_to_supervisor_once_and_return_completes_it(ops):
    ops.put(ops.sku, 5)
    loan = lend(ops, lent_on=timezone.localdate() - timedelta(days=10))
    on_time = lend(ops, 1)
    assert loan.is_overdue(timezone.localdate()) and not on_time.is_overdue(timezone.localdate())
    call_command("stock-daily-samples")
    actions.flag_overdue_loans()
    items = DueItem.objects.filter(kind=actions.OVERDUE_DUE_KIND)
    assert items.count() == 1
    item = items.get()
    assert item.owner == ops.supervisor and item.clause == "WMS-12" and loan.number in item.title
    assert item.done_at is None
    loan = actions.return_samples(loan, user=ops.keeper)
    assert loan.state == LoanState.RETURNED
    item.refresh_from_db()
    assert item.done_at is not None
    assert StockBalance.objects.get(bin=ops.samples, sku=ops.sku).on_hand == 1
    assert sum(StockBalance.objects.filter(bin=ops.a1, sku=ops.sku).values_list("on_hand", flat=True)) == 4
    with pytest.raises(Conflict):
        actions.return_samples(loan, user=ops.keeper)
    assert differences() == []


def test_wms12_without_a_named_supervisor_the_position_holders_are_told(ops):
    ops.wh.supervisor = None
    ops.wh.save()
    ops.put(ops.sku, 5)
    lend(ops, lent_on=timezone.localdate() - timedelta(days=8))
    raised = actions.flag_overdue_loans()
    assert raised and all(item.owner.is_superuser for item in raised)  # no position holders in tests


def test_wms12_dat02_another_clients_loan_is_refused(ops):
    ops.put(ops.sku, 5)
    loan = lend(ops)
    with pytest.raises(BusinessError) as refused:
        actions.return_samples(loan, user=ops.keeper_b)
    assert refused.value.code == "not_found"
