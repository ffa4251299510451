"""The wave pages (FUL-01): the user's waves, a wave from a printed ship batch, the wave with its pick
lines in walking order, the picker's scan box (a keyboard-wedge scanner types the code and Enter:
bin first, then the items), the short-pick form, the sorting wall's scan box with the slot shown big,
and the pick list PDF. A wave is seen whole or not at all (DAT-02)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ecomops.core.decorators import internal_page
from ecomops.core.errors import BusinessError, NotAllowed
from ecomops.core.outcome import run_action
from ecomops.dispatch.models import BatchOrder, ShipBatch
from ecomops.inventory.models import Warehouse

from . import actions
from .models import PickLine, PickState, SortLine, Wave, WaveMode, WaveOrder, WaveState

VIEW, ADD, PICK, CHANGE = actions.VIEW_PERM, actions.ADD_PERM, actions.PICK_PERM, actions.CANCEL_PERM


def _printed_batches(user):
    """The latest ship batches with printed orders awaiting shipment that the user sees and that are in
    no live wave yet."""
    free = (BatchOrder.objects.visible_to(user).filter(printed_at__isnull=False, order__state="awaiting_shipment")
            .exclude(order__wave_entries__live=True).values("batch_id"))
    return ShipBatch.objects.filter(pk__in=free).order_by("-day", "-seq")[:20]


@internal_page(VIEW)
def wave_list(request):
    waves = Wave.objects.visible_to(request.user).select_related("batch", "warehouse")
    state = request.GET.get("state") or ""
    if state in WaveState.values:
        waves = waves.filter(state=state)
    page = Paginator(waves, 50).get_page(request.GET.get("page"))
    can_add = request.user.has_perm(ADD)
    return render(request, "waves/list.html", {
        "page_obj": page, "waves": page.object_list, "state": state, "states": WaveState.choices,
        "can_add": can_add, "batches": _printed_batches(request.user) if can_add else [],
        "warehouses": Warehouse.objects.filter(is_active=True), "modes": WaveMode.choices,
        "chosen_batch": request.GET.get("batch", ""),
    })


@require_POST
@internal_page((VIEW, ADD))
def wave_create(request):
    batch = ShipBatch.objects.filter(pk=request.POST.get("batch") or 0).first() if (
        request.POST.get("batch") or "").isdigit() else None
    if batch is None:
        messages.error(request, _("请选择已打印的发货批次"))
        return redirect("waves:list")
    warehouse = None
    if (request.POST.get("warehouse") or "").isdigit():
        warehouse = Warehouse.objects.filter(pk=request.POST["warehouse"]).first()
    result = run_action(request, actions.create_wave, batch, user=request.user, warehouse=warehouse,
                        mode=request.POST.get("mode") or None, flash_forbidden=True, done=_created)
    if result is None:
        return redirect("waves:list")
    return redirect("waves:detail", pk=result.wave.pk)


def _created(result) -> str:
    text = _("已生成拣货波次 %(no)s（%(n)d 单）") % {"no": result.wave.number, "n": result.wave.orders.count()}
    if result.skipped:
        text += _("；%(n)d 单未加入：%(why)s") % {
            "n": len(result.skipped),
            "why": "；".join(f"{o.platform_order_no} {why}" for o, why in result.skipped[:5])}
    return text


def _wave(request, pk: int) -> Wave:
    wave = actions.visible_or_none(request.user, pk)
    if wave is None:
        raise Http404
    return wave


def _context(request, wave: Wave, **extra) -> dict:
    user = request.user
    lines = list(PickLine.objects.visible_to(user).filter(wave=wave).select_related("sku", "sku__style", "lot",
                                                                                       "order"))
    entries = list(WaveOrder.objects.visible_to(user).filter(wave=wave).select_related("order"))
    pickable = wave.state in (WaveState.OPEN, WaveState.PICKING)
    sorting = wave.state == WaveState.PICKED and wave.mode == WaveMode.PICK_THEN_SORT
    sorts = {}
    if wave.mode == WaveMode.PICK_THEN_SORT:
        for row in SortLine.objects.filter(wave_order__wave=wave).select_related("sku"):
            sorts.setdefault(row.wave_order_id, []).append(row)
    for entry in entries:
        entry.sort_rows = sorts.get(entry.pk, [])
    return {
        "wave": wave, "lines": lines, "entries": entries,
        "pending": [line for line in lines if line.state == PickState.PENDING],
        "done": sum(line.picked for line in lines), "total": sum(line.quantity for line in lines),
        "can_pick": pickable and user.has_perm(PICK), "can_sort": sorting and user.has_perm(PICK),
        "can_cancel": wave.is_live and user.has_perm(CHANGE),
        "scan_bin": extra.pop("scan_bin", ""), **extra,
    }


@internal_page(VIEW)
def wave_detail(request, pk: int):
    wave = _wave(request, pk)
    return render(request, "waves/detail.html", _context(request, wave))


@require_POST
@internal_page((VIEW, PICK))
def wave_scan(request, pk: int):
    """htmx: one pick scan. Answers the scan panel: the current bin, the last item or a red message."""
    wave = _wave(request, pk)
    bin_code = (request.POST.get("bin") or "").strip()
    error, result = "", None
    try:
        result = actions.scan(wave, user=request.user, code=request.POST.get("code") or "", bin_code=bin_code)
    except NotAllowed:
        raise PermissionDenied from None
    except BusinessError as refused:
        error = refused.message
        if refused.field == "bin":
            bin_code = ""
    if result is not None:
        bin_code = result.bin_code
        if result.pick is not None and result.pick.bin_done:
            bin_code = ""
    wave.refresh_from_db()
    context = _context(request, wave, scan_bin=bin_code, scan_error=error, scan_result=result)
    template = "waves/_pick_scan.html" if request.htmx else "waves/detail.html"
    return render(request, template, context, status=200)


@require_POST
@internal_page((VIEW, PICK))
def wave_short(request, pk: int):
    wave = _wave(request, pk)
    line = PickLine.objects.visible_to(request.user).filter(wave=wave, pk=request.POST.get("line") or 0).first() \
        if (request.POST.get("line") or "").isdigit() else None
    if line is None:
        messages.error(request, _("请选择缺货的拣货明细"))
        return redirect("waves:detail", pk=wave.pk)
    run_action(request, actions.report_short, line, user=request.user, found=request.POST.get("found", ""),
               reason=request.POST.get("reason", ""), flash_forbidden=True, done=_shorted)
    return redirect("waves:detail", pk=wave.pk)


def _shorted(result) -> str:
    return _("已登记缺货：%(n)d 单挂起异常，已生成盘点单 %(sheets)s") % {
        "n": len(result.held), "sheets": "、".join(s.number for s in result.counts)}


@require_POST
@internal_page((VIEW, PICK))
def wave_sort(request, pk: int):
    """htmx: one unit scanned at the sorting wall; answers with its slot, shown big."""
    wave = _wave(request, pk)
    error, result = "", None
    try:
        result = actions.sort_scan(wave, user=request.user, sku_code=request.POST.get("code") or "")
    except NotAllowed:
        raise PermissionDenied from None
    except BusinessError as refused:
        error = refused.message
    wave.refresh_from_db()
    context = _context(request, wave, sort_error=error, sort_result=result)
    template = "waves/_sort_scan.html" if request.htmx else "waves/detail.html"
    return render(request, template, context)


@require_POST
@internal_page((VIEW, PICK))
def wave_finish(request, pk: int):
    wave = _wave(request, pk)
    run_action(request, actions.finish, wave, user=request.user, flash_forbidden=True,
               done=lambda w: _("波次 %(no)s 已%(state)s") % {"no": w.number, "state": w.get_state_display()})
    return redirect("waves:detail", pk=wave.pk)


@require_POST
@internal_page((VIEW, CHANGE))
def wave_cancel(request, pk: int):
    wave = _wave(request, pk)
    run_action(request, actions.cancel_wave, wave, user=request.user, reason=request.POST.get("reason", ""),
               flash_forbidden=True, done=_("波次已取消"))
    return redirect("waves:detail", pk=wave.pk)


@internal_page(VIEW)
def wave_pdf(request, pk: int):
    from .picklist import pick_list_pdf

    wave = _wave(request, pk)
    response = HttpResponse(pick_list_pdf(wave, user=request.user), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{wave.number}.pdf"'
    return response
