"""CAT-06: periodic sampling of on-sale goods; a failed check triggers delisting and, where sold, recall."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from ecomops.audit.models import DueItem
from ecomops.core.errors import BusinessError, Conflict, NotAllowed
from ecomops.suppliers import actions
from ecomops.suppliers.enums import RecallState
from ecomops.suppliers.models import RecallCase, RecallEvent, SamplingCheck

from .conftest import pdf


def _sample(sup, *, result="fail", findings="重金属含量超标", user=None, **extra):
    return actions.record_sampling(
        user=user or sup.clerk, supplier=sup.supplier_a, style=sup.style_a, sku=sup.sku_a,
        sampled_on=timezone.localdate(), sample_size=3, result=result, inspector="浙江省质检院", findings=findings,
        **extra,
    )


def test_cat06_failed_check_opens_a_recall_case_and_due_item(sup):
    check = _sample(sup, upload=pdf())
    case = check.recall_case
    assert case.state == RecallState.OPENED
    assert case.client_id == sup.style_a.client_id and case.supplier == sup.supplier_a
    assert list(case.styles.all()) == [sup.style_a]
    assert [(e.from_state, e.to_state, e.actor) for e in case.events.all()] == [("", "opened", sup.clerk)]
    due = DueItem.objects.get(kind=actions.RECALL_DUE_KIND)
    assert due.clause == "CAT-06" and due.owner == sup.handler and due.source_id == str(case.pk)
    assert check.report.name and check.original_name == "report.pdf"


def test_cat06_passing_check_opens_nothing(sup):
    check = _sample(sup, result="pass", findings="")
    assert not RecallCase.objects.exists()
    assert not DueItem.objects.filter(kind=actions.RECALL_DUE_KIND).exists()
    assert not hasattr(check, "recall_case") or check.recall_case is None


def test_cat06_check_and_case_are_one_transaction(sup, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("due store down")

    monkeypatch.setattr(actions.dues, "raise_dues", broken)
    with pytest.raises(RuntimeError):
        _sample(sup)
    assert not SamplingCheck.objects.exists()
    assert not RecallCase.objects.exists() and not RecallEvent.objects.exists()


def test_cat06_failed_check_must_say_what_failed(sup):
    with pytest.raises(BusinessError) as refused:
        _sample(sup, findings="  ")
    assert refused.value.field == "findings" and "不合格" in refused.value.message
    assert not SamplingCheck.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"sample_size": 0}, "sample_size"),
        ({"result": "maybe"}, "result"),
        ({"sampled_on": timezone.localdate() + timedelta(days=1)}, "sampled_on"),
        ({"inspector": ""}, "inspector"),
    ],
)
def test_cat06_bad_sampling_input_names_the_field(sup, changes, field):
    values = {"supplier": sup.supplier_a, "style": sup.style_a, "sampled_on": timezone.localdate(),
              "sample_size": 3, "result": "pass", "inspector": "质检部"} | changes
    with pytest.raises(BusinessError) as refused:
        actions.record_sampling(user=sup.clerk, **values)
    assert refused.value.field == field


def test_cat06_supplier_of_another_client_cannot_be_sampled_for_a_style(sup, org):
    with pytest.raises(BusinessError) as refused:
        actions.record_sampling(user=org.admin, supplier=sup.supplier_b, style=sup.style_a,
                                sampled_on=timezone.localdate(), sample_size=1, result="pass", inspector="质检部")
    assert refused.value.field == "supplier"


def test_cat06_recall_moves_in_order_and_records_each_event(sup):
    case = _sample(sup).recall_case
    case = actions.move_recall(case, user=sup.handler, to_state=RecallState.DELISTED, note="全店铺下架")
    actions.add_affected_order(case, user=sup.handler, order_ref="TB20261101001", quantity=2)
    case = actions.move_recall(case, user=sup.handler, to_state=RecallState.RECALL_IN_PROGRESS)
    row = case.affected_orders.get()
    with pytest.raises(Conflict):  # the buyer has not been dealt with yet
        actions.move_recall(case, user=sup.handler, to_state=RecallState.CLOSED, note="完成")
    actions.set_affected_order_status(row, user=sup.handler, status="returned")
    case = actions.move_recall(case, user=sup.handler, to_state=RecallState.CLOSED, note="已全部召回")
    assert case.closed_at is not None
    moves = [(e.from_state, e.to_state) for e in case.events.order_by("at", "pk")]
    assert moves == [("", "opened"), ("opened", "delisted"), ("delisted", "recall_in_progress"),
                     ("recall_in_progress", "closed")]
    assert DueItem.objects.open().filter(kind=actions.RECALL_DUE_KIND).count() == 0


@pytest.mark.parametrize("target", [RecallState.RECALL_IN_PROGRESS, RecallState.CLOSED, RecallState.OPENED])
def test_cat06_recall_refuses_out_of_order_moves_from_opened(sup, target):
    case = _sample(sup).recall_case
    with pytest.raises(Conflict):
        actions.move_recall(case, user=sup.handler, to_state=target, note="跳步")
    case.refresh_from_db()
    assert case.state == RecallState.OPENED and case.events.count() == 1


def test_cat06_closed_case_moves_no_more(sup):
    case = _sample(sup).recall_case
    actions.move_recall(case, user=sup.handler, to_state=RecallState.DELISTED)
    actions.move_recall(case, user=sup.handler, to_state=RecallState.CLOSED, note="未售出，下架即可")
    for target in RecallState.values:
        with pytest.raises(Conflict):
            actions.move_recall(case, user=sup.handler, to_state=target, note="再动")
    with pytest.raises(Conflict):
        actions.add_affected_order(case, user=sup.handler, order_ref="X1")


def test_cat06_goods_that_were_sold_must_be_recalled_before_closing(sup):
    case = _sample(sup).recall_case
    actions.move_recall(case, user=sup.handler, to_state=RecallState.DELISTED)
    actions.add_affected_order(case, user=sup.handler, order_ref="TB1", store=None)
    with pytest.raises(Conflict):
        actions.move_recall(case, user=sup.handler, to_state=RecallState.CLOSED, note="直接结案")


def test_cat06_affected_orders_are_recorded_once(sup):
    case = _sample(sup).recall_case
    first = actions.add_affected_order(case, user=sup.handler, order_ref="TB1")
    again = actions.add_affected_order(case, user=sup.handler, order_ref="TB1")
    assert first.pk == again.pk and case.affected_orders.count() == 1


def test_cat06_moving_a_case_needs_the_right_and_the_scope(sup):
    case = _sample(sup).recall_case
    with pytest.raises(NotAllowed):
        actions.move_recall(case, user=sup.clerk, to_state=RecallState.DELISTED)
    with pytest.raises(BusinessError) as refused:
        actions.move_recall(case, user=sup.clerk_b, to_state=RecallState.DELISTED)
    assert refused.value.code == "not_found"
