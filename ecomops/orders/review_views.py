"""The review workbench (ORD-03): the queues, automatic review, taking a batch of at most the policy's
size, working through it from the keyboard, the out-of-stock queue (ORD-04) and the rules."""

from __future__ import annotations

from urllib.parse import unquote

from django import forms
from django.contrib import messages
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ecomops.core.decorators import internal_page
from ecomops.core.forms import submit
from ecomops.core.outcome import run_action
from ecomops.org.scoping import get_visible_or_404

from . import review
from .enums import AllocationState, OrderState, ReviewBatchState, ReviewRuleCode
from .models import RECEIVER_FIELDS, Order, ReviewBatch, ReviewRule
from .queries import masked_receiver

REVIEW = "orders.review_order"


@internal_page(("orders.view_order", REVIEW))
def workbench(request):
    visible = Order.objects.visible_to(request.user)
    mine = ReviewBatch.objects.filter(clerk=request.user, state=ReviewBatchState.OPEN).first()
    return render(request, "orders/review_workbench.html", {
        "to_review": visible.filter(Q(state=OrderState.PAID) | Q(state=OrderState.AWAITING_REVIEW, review_reasons=[],
                                                               allocation_state="")).count(),
        "manual": review.waiting_for_person(request.user).count(),
        "waiting": visible.filter(state=OrderState.AWAITING_REVIEW,
                                  allocation_state=AllocationState.WAITING_STOCK).count(),
        "reviewed": visible.filter(state=OrderState.REVIEWED).count(),
        "batch": mine, "rules": ReviewRule.objects.all(),
        "recent": ReviewBatch.objects.filter(clerk=request.user).order_by("-opened_at")[:10],
        "can_edit_rules": request.user.has_perm("orders.change_reviewrule"),
    })


@require_POST
@internal_page(("orders.view_order", REVIEW))
def run_auto(request):
    orders = Order.objects.visible_to(request.user).values_list("pk", flat=True)
    run = review.auto_review(list(orders), user=request.user)
    messages.success(request, _("自动审单：%(r)d 笔通过并占用库存，%(m)d 笔转人工，%(w)d 笔等待到货")
                     % {"r": run.reviewed, "m": run.manual, "w": run.waiting})
    return redirect("orders:review")


@require_POST
@internal_page(("orders.view_order", REVIEW))
def take_batch(request):
    batch = run_action(request, review.take_batch, user=request.user, flash_forbidden=True)
    if batch is None:
        return redirect("orders:review")
    return redirect("orders:review_batch", pk=batch.pk)


def _batch(request, pk: int) -> ReviewBatch:
    batch = review.visible_batch(request.user, pk)
    if batch is None:
        raise Http404
    return batch


@internal_page(("orders.view_order", REVIEW))
def batch_detail(request, pk: int):
    batch = _batch(request, pk)
    orders = list(Order.objects.visible_to(request.user).filter(review_batch=batch).select_related("store")
                  .prefetch_related("lines__sku").order_by("pk"))
    rows = [(o, masked_receiver(o)) for o in orders]
    rows.sort(key=lambda row: (0 if row[0].merchant_note or row[0].buyer_message else 1, row[0].paid_at or
                               row[0].placed_at, row[0].pk))
    return render(request, "orders/review_batch.html", {"batch": batch, "rows": rows,
                                                        "hold_prompt": _("挂起原因："),
                                                        "cancel_prompt": _("取消原因：")})


def _row(request, batch: ReviewBatch, order: Order):
    """htmx: the order's row of the batch again (with the messages of this act), not the whole page."""
    order = Order.objects.select_related("store").prefetch_related("lines__sku").get(pk=order.pk)
    return render(request, "orders/_review_row.html", {"batch": batch, "o": order, "receiver": masked_receiver(order),
                                                       "hold_prompt": _("挂起原因："), "cancel_prompt": _("取消原因："),
                                                       "inline_messages": True})


@require_POST
@internal_page(("orders.view_order", REVIEW))
def batch_act(request, pk: int):
    """One act on one order of the batch: approve, hold (with a reason), cancel (with a reason), change
    the address — or close the batch. htmx requests get the row back; others the page."""
    batch = _batch(request, pk)
    what = request.POST.get("do")
    if what == "close":
        batch = review.close_batch(batch, user=request.user)
        if batch.state == ReviewBatchState.OPEN:
            # A supervisor closed their part of another clerk's batch (DAT-02): the rest stays with the clerk.
            messages.success(request, _("批次 %(no)s 中您负责范围内的未处理订单已退回待审，其余订单仍由 %(clerk)s 审核")
                             % {"no": batch.number, "clerk": batch.clerk})
        else:
            messages.success(request, _("批次 %(no)s 已结束，未处理的订单已退回待审") % {"no": batch.number})
        return redirect("orders:review")
    order = get_visible_or_404(Order.objects.all(), request.user, pk=request.POST.get("order") or 0)
    # A reason comes from the form field, or from htmx's prompt (hx-prompt).
    # htmx percent-encodes a prompt answer that is not ASCII (headers are Latin-1).
    reason = (request.POST.get("reason") or unquote(request.headers.get("HX-Prompt") or "")).strip()
    if what == "approve":
        done = run_action(request, review.approve, batch, order, user=request.user, flash_forbidden=True)
        if done is not None:
            messages.success(request, _("订单 %(no)s：%(state)s") % {
                "no": done.platform_order_no,
                "state": done.get_state_display() if done.state == OrderState.REVIEWED else _("库存不足，等待到货")})
    elif what == "hold":
        if not reason:
            messages.error(request, _("请填写挂起原因"))
        elif run_action(request, review.hold_in_batch, batch, order, user=request.user, reason=reason,
                        flash_forbidden=True) is not None:
            messages.success(request, _("订单 %(no)s 已挂起") % {"no": order.platform_order_no})
    elif what == "cancel":
        if not reason:
            messages.error(request, _("请填写取消原因"))
        elif run_action(request, review.cancel_in_batch, batch, order, user=request.user, reason=reason,
                        flash_forbidden=True) is not None:
            messages.success(request, _("订单 %(no)s 已取消") % {"no": order.platform_order_no})
    elif what == "address":
        fields = {name: request.POST.get(name, "") for name in RECEIVER_FIELDS}
        if run_action(request, review.change_address_in_batch, batch, order, user=request.user, reason=reason,
                      flash_forbidden=True, **fields) is not None:
            messages.success(request, _("订单 %(no)s 的收货地址已修改") % {"no": order.platform_order_no})
    else:
        messages.error(request, _("未知操作"))
    if request.headers.get("HX-Request"):
        return _row(request, batch, order)
    return redirect("orders:review_batch", pk=batch.pk)


@internal_page(("orders.view_order", REVIEW))
def waiting(request):
    orders = (Order.objects.visible_to(request.user)
              .filter(state=OrderState.AWAITING_REVIEW, allocation_state=AllocationState.WAITING_STOCK)
              .select_related("store").order_by("paid_at", "pk")[:500])
    return render(request, "orders/review_waiting.html", {"orders": orders})


@require_POST
@internal_page(("orders.view_order", REVIEW))
def retry(request):
    run = review.retry_waiting(user=request.user)
    messages.success(request, _("重试完成：%(r)d 笔已占用库存，%(w)d 笔仍在等待")
                     % {"r": run.reviewed, "w": run.waiting})
    return redirect("orders:review_waiting")


@require_POST
@internal_page("orders.change_reviewrule")
def toggle_rule(request, pk: int):
    rule = get_object_or_404(ReviewRule, pk=pk)
    rule = review.update_rule(rule, user=request.user, enabled=not rule.enabled)
    messages.success(request, _("规则“%(rule)s”已%(state)s") % {
        "rule": rule.get_code_display(), "state": _("启用") if rule.enabled else _("停用")})
    return redirect("orders:review")


class RuleForm(forms.Form):
    enabled = forms.BooleanField(label=_("启用"), required=False)
    limit = forms.CharField(label=_("金额上限（元）"), required=False, max_length=20,
                            help_text=_("留空则用政策参数 ORD-03.auto_review_amount_limit"))


@internal_page("orders.change_reviewrule")
def rule_edit(request, pk: int):
    """ORD-03: switch a rule and edit its parameters; every change is in the rule's history."""
    rule = get_object_or_404(ReviewRule, pk=pk)
    amount = rule.code == ReviewRuleCode.AMOUNT
    form = RuleForm(request.POST or None, initial={"enabled": rule.enabled, "limit": rule.params.get("limit", "")})
    if not amount:
        del form.fields["limit"]
    if request.method == "POST" and form.is_valid():
        kwargs = {"enabled": form.cleaned_data["enabled"]}
        if amount:
            kwargs["limit"] = form.cleaned_data["limit"].strip()
        if submit(form, review.update_rule, rule, user=request.user, **kwargs) is not None:
            messages.success(request, _("审单规则已保存"))
            return redirect("orders:review")
    from ecomops.policy import registry

    return render(request, "orders/review_rule.html", {
        "rule": rule, "form": form,
        "history": rule.history.select_related("history_user").order_by("-history_date")[:20],
        "policy_limit": registry.value(review.AMOUNT_KEY) if amount else None})
