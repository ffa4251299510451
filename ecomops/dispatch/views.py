"""The ship-batch board (ORD-05): the day's waves with their cut-offs and states, each batch's orders
in print order, printing (ORD-04 payment check) with the pick list, and the day's late flags. Every
figure, state and act is the user's part of a wave shared by every client (DAT-02, AGY-07)."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ecomops.core.decorators import internal_page
from ecomops.core.outcome import run_action

from . import actions
from .models import BatchOrder, BatchState, LateFlag, ShipBatch

VIEW = "dispatch.view_shipbatch"
PRINT = actions.PRINT_PERM


def _day(text: str | None) -> date:
    try:
        return date.fromisoformat(text) if text else timezone.localdate()
    except ValueError:
        return timezone.localdate()


@internal_page(VIEW)
def board(request):
    day = _day(request.GET.get("day"))
    visible = BatchOrder.objects.visible_to(request.user)
    batches = []
    for batch in ShipBatch.objects.filter(day=day).order_by("seq"):
        mine = visible.filter(batch=batch)
        part = actions.part_of(batch, request.user)
        batches.append({"batch": batch, "part": part, "state": BatchState(part.state).label, "orders": part.total,
                        "sf": mine.filter(order__courier="sf_express").count()})
    return render(request, "dispatch/board.html", {
        "day": day, "batches": batches,
        "late": LateFlag.objects.visible_to(request.user).filter(day=day).select_related("order", "clerk"),
        "pending": actions.Order.objects.visible_to(request.user).filter(state="reviewed",
                                                                        ship_entry__isnull=True).count(),
        "can_assign": request.user.has_perm(PRINT),
    })


def _batch(request, pk: int) -> ShipBatch:
    batch = actions.visible_batch_or_none(request.user, pk)
    if batch is None:
        raise Http404
    return batch


@internal_page(VIEW)
def batch_detail(request, pk: int):
    batch = _batch(request, pk)
    entries = actions.ordered_entries(batch, BatchOrder.objects.visible_to(request.user).filter(batch=batch))
    part = actions.part_of(batch, request.user)
    return render(request, "dispatch/batch.html", {"batch": batch, "entries": entries, "part": part,
                                                   "state": BatchState(part.state).label,
                                                   "can_print": request.user.has_perm(PRINT) and part.to_print > 0})


def _printed(result) -> str:
    text = _("已打印 %(n)d 单，转为待发货") % {"n": len(result.printed)}
    if result.skipped:
        text += _("；%(n)d 单未付款或已变更，已移出批次") % {"n": len(result.skipped)}
    return text


@require_POST
@internal_page((VIEW, PRINT))
def batch_print(request, pk: int):
    batch = _batch(request, pk)
    run_action(request, actions.print_batch, batch, user=request.user, flash_forbidden=True, done=_printed)
    return redirect("dispatch:batch", pk=batch.pk)


@internal_page(VIEW)
def batch_pdf(request, pk: int):
    from .picklist import pick_list_pdf

    batch = _batch(request, pk)
    response = HttpResponse(pick_list_pdf(batch, user=request.user), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{batch.number}.pdf"'
    return response


@require_POST
@internal_page((VIEW, PRINT))
def assign_pending(request):
    made = actions.assign_pending(user=request.user)
    messages.success(request, _("%(n)d 笔已审订单加入发货批次") % {"n": made})
    return redirect("dispatch:board")
