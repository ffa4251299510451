"""Pages of the packing station and the carriers' manifests (FUL-02…04, ORD-01).

The station (验货打包) is made for a keyboard-wedge scanner and a scale that types: one input with the
focus; Enter posts the scan (htmx swaps the panel: the order's lines with scanned/expected, a big red
``role="alert"`` message and a low beep on a refusal, green and a short beep when complete); then the
packaging and the weight on the same page, every field reachable by keyboard alone. Without scripts
the same forms post and the whole page comes back. A supervisor (``fulfilment.discard_packcheck``)
sees a 作废验货 form with a reason on a check that has not left yet (e.g. its order was put on hold);
a discarded check shows who discarded it, when and why.

Thin: scope (DAT-02: a check or a manifest out of the user's scope is a 404), render, call
``fulfilment.actions``.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ecomops.core.decorators import internal_page
from ecomops.core.errors import BusinessError, NotAllowed
from ecomops.core.outcome import run_action
from ecomops.inventory.models import Warehouse
from ecomops.orders.enums import Courier
from ecomops.supply.models import PackagingMaterial

from . import actions
from .enums import DISCARDABLE, CheckState, HandoverState
from .models import PackCheck
from .prepack import prepacked_material

C = CheckState
VIEW_CHECK, VIEW_HANDOVER = actions.VIEW_CHECK_PERM, actions.VIEW_HANDOVER_PERM


def pk_of(value) -> int:
    """A posted id, or 0 (no row has it) when it is not a positive number."""
    text = str(value or "").strip()
    return int(text) if text.isdigit() and len(text) < 19 else 0


def _visible_check(user, pk) -> PackCheck | None:
    pk = pk_of(pk)
    if not pk:
        return None
    return (PackCheck.objects.visible_to(user).select_related("order", "order__store", "material", "discarded_by")
            .filter(pk=pk).first())


def _station_context(request, check: PackCheck | None, **extra) -> dict:
    user = request.user
    lines = list(check.lines.select_related("sku").order_by("pk")) if check else []
    expected = actions.expected_weight(check) if check and check.state in (C.PACKED, C.WEIGHED) else None
    return {
        "check": check, "order": check.order if check else None, "lines": lines,
        "expected": expected,
        "materials": PackagingMaterial.objects.filter(is_active=True).order_by("code"),
        "can_verify": user.has_perm(actions.VERIFY_PERM),
        "can_pack": user.has_perm(actions.PACK_PERM) and check is not None and check.state == C.VERIFIED,
        "prepacked_parcel": (prepacked_material(check.order) if check is not None and check.state == C.VERIFIED
                             else None),
        "can_weigh": user.has_perm(actions.WEIGH_PERM) and check is not None and check.state in (C.PACKED, C.WEIGHED),
        "can_discard": user.has_perm(actions.DISCARD_PERM) and check is not None and check.state in DISCARDABLE,
        "scanned_total": sum(x.scanned for x in lines), "expected_total": sum(x.expected for x in lines),
        "error": "", "success": "", "recheck": False, "focus": "scan",
        **extra,
    }


def _panel(request, context, status: int = 200):
    template = "fulfilment/_station_panel.html" if request.htmx else "fulfilment/station.html"
    return render(request, template, context, status=status)


@internal_page(VIEW_CHECK)
def station(request):
    check = _visible_check(request.user, request.GET.get("check"))
    return render(request, "fulfilment/station.html", _station_context(request, check))


@require_POST
@internal_page((VIEW_CHECK, actions.VERIFY_PERM))
def station_scan(request):
    """One scan. Without an order in hand (or after the last one is packed), the code opens the check
    of the order it names; while verifying, it is one item."""
    check = _visible_check(request.user, request.POST.get("check"))
    code = (request.POST.get("code") or "").strip()
    try:
        if check is not None and check.state == C.VERIFYING:
            result = actions.scan_item(check, code, user=request.user)
            check = _visible_check(request.user, check.pk)
            if result.complete:
                return _panel(request, _station_context(
                    request, check, success=_("验货通过：订单 %(no)s 商品齐全，请打包")
                    % {"no": check.order.platform_order_no}, focus="pack"))
            return _panel(request, _station_context(
                request, check, success=_("%(sku)s ✓ 还差 %(n)d 件") % {"sku": result.sku_code,
                                                                      "n": sum(result.remaining.values())},
                quiet=True))
        check = actions.start_check(code, user=request.user)
        check = _visible_check(request.user, check.pk)
        return _panel(request, _station_context(request, check, quiet=True, success=_(
            "订单 %(no)s：请逐件扫描商品") % {"no": check.order.platform_order_no}))
    except NotAllowed:
        raise PermissionDenied from None
    except BusinessError as refused:
        if check is not None:
            check = _visible_check(request.user, check.pk)
        return _panel(request, _station_context(request, check, error=refused.message))


@require_POST
@internal_page((VIEW_CHECK, actions.VERIFY_PERM))
def station_finish(request):
    check = _visible_check(request.user, request.POST.get("check"))
    if check is None:
        raise Http404
    try:
        actions.finish_check(check, user=request.user)
    except NotAllowed:
        raise PermissionDenied from None
    except BusinessError as refused:
        return _panel(request, _station_context(request, _visible_check(request.user, check.pk),
                                                error=refused.message))
    return _panel(request, _station_context(request, _visible_check(request.user, check.pk),
                                            success=_("验货通过，请打包"), focus="pack"))


@require_POST
@internal_page((VIEW_CHECK, actions.PACK_PERM))
def station_pack(request):
    check = _visible_check(request.user, request.POST.get("check"))
    if check is None:
        raise Http404
    material = PackagingMaterial.objects.filter(pk=pk_of(request.POST.get("material")), is_active=True).first()
    try:
        actions.pack(check, user=request.user, material=material, quantity=request.POST.get("quantity") or "")
    except NotAllowed:
        raise PermissionDenied from None
    except BusinessError as refused:
        return _panel(request, _station_context(request, _visible_check(request.user, check.pk),
                                                error=refused.message, focus="pack"))
    return _panel(request, _station_context(request, _visible_check(request.user, check.pk),
                                            success=_("已打包，请称重"), focus="weigh"))


@require_POST
@internal_page((VIEW_CHECK, actions.WEIGH_PERM))
def station_weigh(request):
    check = _visible_check(request.user, request.POST.get("check"))
    if check is None:
        raise Http404
    reason = request.POST.get("recheck_reason") or ""
    try:
        actions.weigh(check, user=request.user, weight_g=request.POST.get("weight_g") or "", recheck_reason=reason)
    except NotAllowed:
        raise PermissionDenied from None
    except BusinessError as refused:
        return _panel(request, _station_context(request, _visible_check(request.user, check.pk),
                                                error=refused.message, recheck=refused.code == "recheck",
                                                focus="recheck" if refused.code == "recheck" else "weigh",
                                                weight_value=request.POST.get("weight_g") or ""))
    check = _visible_check(request.user, check.pk)
    return _panel(request, _station_context(request, check, success=_(
        "已称重 %(w)s 克：订单 %(no)s 可交接出库，请扫描下一单") % {"w": check.weight_g,
                                                          "no": check.order.platform_order_no}))


@require_POST
@internal_page((VIEW_CHECK, actions.DISCARD_PERM))
def station_discard(request):
    """作废验货: the check is discarded with the reason typed; the station is then ready for the next
    scan (scanning the order again opens a new check)."""
    check = _visible_check(request.user, request.POST.get("check"))
    if check is None:
        raise Http404
    try:
        actions.discard_check(check, user=request.user, reason=request.POST.get("reason") or "")
    except NotAllowed:
        raise PermissionDenied from None
    except BusinessError as refused:
        return _panel(request, _station_context(request, _visible_check(request.user, check.pk),
                                                error=refused.message, focus="discard",
                                                discard_value=request.POST.get("reason") or ""))
    return _panel(request, _station_context(request, None, success=_(
        "已作废订单 %(no)s 的验货记录；重新扫描运单号即可重新验货") % {"no": check.order.platform_order_no}))


@internal_page(VIEW_CHECK)
def packing_list(request, pk: int):
    from .documents import packing_list_pdf

    check = _visible_check(request.user, pk)
    if check is None:
        raise Http404
    response = HttpResponse(packing_list_pdf(check), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="packing-{check.order.platform_order_no}.pdf"'
    return response


# --- handover manifests ------------------------------------------------------------------------------


def _handover(request, pk: int):
    handover = actions.visible_handover_or_none(request.user, pk)
    if handover is None:
        raise Http404
    return handover


@internal_page(VIEW_HANDOVER)
def handovers(request):
    rows = []
    for handover in actions.visible_handovers(request.user).order_by("-created_at", "-pk")[:100]:
        rows.append({"handover": handover, "parcels": actions.parcels_of(handover, request.user).count()})
    return render(request, "fulfilment/handovers.html", {
        "rows": rows, "couriers": Courier.choices,
        "warehouses": Warehouse.objects.filter(is_active=True).order_by("code"),
        "can_open": request.user.has_perm(actions.OPEN_PERM),
    })


@require_POST
@internal_page((VIEW_HANDOVER, actions.OPEN_PERM))
def handover_open(request):
    warehouse = Warehouse.objects.filter(pk=pk_of(request.POST.get("warehouse"))).first()
    handover = run_action(request, actions.open_handover, request.POST.get("carrier") or "", warehouse,
                          user=request.user, done=_("已新建交接单"))
    if handover is None:
        return redirect("fulfilment:handovers")
    return redirect("fulfilment:handover", pk=handover.pk)


def _handover_context(request, handover, **extra) -> dict:
    from .exports import platforms_of

    user = request.user
    is_open = handover.state == HandoverState.OPEN
    parcels = list(actions.parcels_of(handover, user))
    return {"handover": handover, "parcels": parcels, "platforms": platforms_of(handover, user),
            "can_scan": is_open and user.has_perm(actions.SCAN_OUT_PERM) and user.has_perm("orders.ship_order"),
            "can_close": is_open and bool(parcels) and user.has_perm(actions.SCAN_OUT_PERM),
            "error": "", "success": "", **extra}


@internal_page(VIEW_HANDOVER)
def handover_detail(request, pk: int):
    handover = _handover(request, pk)
    return render(request, "fulfilment/handover.html", _handover_context(request, handover))


@require_POST
@internal_page((VIEW_HANDOVER, actions.SCAN_OUT_PERM, "orders.ship_order"))
def handover_scan(request, pk: int):
    handover = _handover(request, pk)
    error, success = "", ""
    try:
        parcel = actions.scan_out(handover, request.POST.get("code") or "", user=request.user)
        success = _("已出库：%(t)s（订单 %(no)s）") % {"t": parcel.tracking_no, "no": parcel.order.platform_order_no}
    except NotAllowed:
        raise PermissionDenied from None
    except BusinessError as refused:
        error = refused.message
    handover.refresh_from_db()
    context = _handover_context(request, handover, error=error, success=success)
    template = "fulfilment/_handover_panel.html" if request.htmx else "fulfilment/handover.html"
    return render(request, template, context)


@require_POST
@internal_page((VIEW_HANDOVER, actions.SCAN_OUT_PERM))
def handover_close(request, pk: int):
    handover = _handover(request, pk)
    run_action(request, actions.close_handover, handover, user=request.user,
               receiver_name=request.POST.get("receiver_name") or "", done=_("交接单已交接完毕"))
    return redirect("fulfilment:handover", pk=handover.pk)


@internal_page(VIEW_HANDOVER)
def handover_pdf(request, pk: int):
    from .documents import handover_pdf as build

    handover = _handover(request, pk)
    response = HttpResponse(build(handover, user=request.user), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{handover.number}.pdf"'
    return response


@internal_page(VIEW_HANDOVER)
def handover_export(request, pk: int, platform: str):
    from .exports import batch_ship_file, platforms_of

    handover = _handover(request, pk)
    if platform not in dict(platforms_of(handover, request.user)):
        messages.error(request, _("本交接单没有该平台的包裹"))
        return redirect("fulfilment:handover", pk=handover.pk)
    content, content_type, name = batch_ship_file(handover, request.user, platform)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
