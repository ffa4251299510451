"""Pages of the warehouse core: stock query with drill-down (WMS-07, WMS-10), locations, the ledger,
the core's documents (bin move, outbound, opening) with reversal (WMS-13), the supervisor's board, the
daily close (WMS-13), the monthly report (WMS-19), traceability (CAT-05) and customer holds (WMS-11).

Thin: scope (another client's stock is a 404 or simply absent, DAT-02), render, and call actions,
``holds`` and ``closing`` through ``submit``.
"""

from __future__ import annotations

import io
from collections import defaultdict
from datetime import datetime, time, timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ecomops.audit.models import DueItem
from ecomops.catalog.models import SKU
from ecomops.core.decorators import internal_page, page
from ecomops.core.errors import BusinessError, NotAllowed
from ecomops.core.forms import add_business_error, submit
from ecomops.core.outcome import run_action
from ecomops.org.scoping import get_visible_or_404, scope_for, scope_q

from . import actions, closing, holds, queries, report, trace
from .enums import DocKind, DocState, HoldState
from .forms import (
    BinForm,
    CloseForm,
    DocumentForm,
    ExtendForm,
    HoldForm,
    LedgerFilterForm,
    LineForm,
    ReasonForm,
    ReleaseForm,
    ReportForm,
    StockFilterForm,
    TraceForm,
    WarehouseForm,
    ZoneForm,
)
from .ledger import DocRef
from .models import Bin, CustomerHold, DailyClose, Lot, Reversal, StockDocument, StockMove, Warehouse, Zone

PER_PAGE = 50


def _form_page(request, form, *, title: str, cancel: str, subtitle: str = "", status: int = 200):
    response = render(request, "inventory/form.html", {
        "form": form, "title": title, "cancel": cancel, "subtitle": subtitle,
    })
    response.status_code = status
    return response


def _status(request, form) -> int:
    return 400 if request.method == "POST" and form.errors else 200


# --- stock query ---------------------------------------------------------------------------------


@page("inventory.view_stockbalance")
def stock(request):
    form = StockFilterForm(request.GET or None, user=request.user)
    filters = {}
    if form.is_valid():
        data = form.cleaned_data
        barcode = data["barcode"].strip()
        if barcode:
            found = list(queries.find_skus(request.user, barcode)[:2])
            if len(found) == 1:
                url = reverse("inventory:stock_sku", args=[found[0].pk])
                if data["warehouse"]:
                    url += f"?warehouse={data['warehouse'].pk}"
                return redirect(url)
            if not found:
                messages.warning(request, _("没有找到条码 %(code)s 对应的 SKU") % {"code": barcode})
        filters = {"warehouse": data["warehouse"], "q": data["q"].strip() or barcode,
                   "client_id": data["client"].pk if data["client"] else None}
    rows = queries.stock_per_sku(request.user, **filters)
    page_obj = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "inventory/stock.html", {"form": form, "page_obj": page_obj, "rows": page_obj.object_list})


@page("inventory.view_stockbalance")
def stock_sku(request, pk: int):
    sku = get_visible_or_404(SKU.objects.select_related("style", "client"), request.user, pk=pk)
    warehouse = None
    if request.GET.get("warehouse", "").isdigit():
        warehouse = Warehouse.objects.filter(pk=int(request.GET["warehouse"])).first()
    balances = list(queries.balances_of(request.user, sku.pk, warehouse=warehouse))
    totals = list(queries.stock_per_sku(request.user, sku_ids=[sku.pk], warehouse=warehouse, only_in_stock=False))
    return render(request, "inventory/stock_sku.html", {
        "sku": sku, "balances": balances, "totals": totals[0] if totals else None, "warehouse": warehouse,
        "holds": CustomerHold.objects.visible_to(request.user).filter(sku=sku, state=HoldState.ACTIVE)
        .select_related("warehouse", "staff"),
    })


# --- locations (WMS-07) ----------------------------------------------------------------------------


@internal_page("inventory.view_warehouse")
def warehouse_list(request):
    rows = Warehouse.objects.order_by("code").select_related("supervisor")
    return render(request, "inventory/warehouse_list.html", {
        "warehouses": rows, "can_add": request.user.has_perm("inventory.add_warehouse"),
    })


@internal_page("inventory.view_warehouse")
def warehouse_detail(request, pk: int):
    warehouse = get_object_or_404(Warehouse, pk=pk)
    kind = request.GET.get("kind", "")
    bins = warehouse.bins.select_related("zone").order_by("pick_order", "code")
    if kind:
        bins = bins.filter(kind=kind)
    from .enums import BinKind

    return render(request, "inventory/warehouse_detail.html", {
        "warehouse": warehouse, "zones": warehouse.zones.order_by("code"), "bins": bins, "kind": kind,
        "kinds": BinKind.choices, "can_change": request.user.has_perm(actions.LOCATION_PERM),
    })


@internal_page("inventory.add_warehouse")
def warehouse_create(request):
    form = WarehouseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        warehouse = submit(form, actions.create_warehouse, user=request.user, **form.cleaned_data)
        if warehouse is not None:
            messages.success(request, _("已建立仓库 %(code)s") % {"code": warehouse.code})
            return redirect("inventory:warehouse_detail", pk=warehouse.pk)
    return _form_page(request, form, title=_("新建仓库"), cancel=reverse("inventory:warehouses"),
                      status=_status(request, form))


@internal_page(actions.LOCATION_PERM)
def warehouse_edit(request, pk: int):
    warehouse = get_object_or_404(Warehouse, pk=pk)
    form = WarehouseForm(request.POST or None, instance=Warehouse.objects.get(pk=pk))
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "code"}
        if submit(form, actions.update_warehouse, warehouse, user=request.user, **data) is not None:
            messages.success(request, _("已保存"))
            return redirect("inventory:warehouse_detail", pk=pk)
    return _form_page(request, form, title=_("编辑仓库"), subtitle=str(warehouse),
                      cancel=reverse("inventory:warehouse_detail", args=[pk]), status=_status(request, form))


@internal_page(actions.LOCATION_PERM)
def zone_create(request, pk: int):
    warehouse = get_object_or_404(Warehouse, pk=pk)
    form = ZoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if submit(form, actions.create_zone, warehouse, user=request.user, **form.cleaned_data) is not None:
            messages.success(request, _("已添加库区"))
            return redirect("inventory:warehouse_detail", pk=pk)
    return _form_page(request, form, title=_("添加库区"), subtitle=str(warehouse),
                      cancel=reverse("inventory:warehouse_detail", args=[pk]), status=_status(request, form))


@internal_page(actions.LOCATION_PERM)
def zone_edit(request, pk: int):
    zone = get_object_or_404(Zone.objects.select_related("warehouse"), pk=pk)
    form = ZoneForm(request.POST or None, instance=Zone.objects.get(pk=pk))
    if request.method == "POST" and form.is_valid():
        if submit(form, actions.update_zone, zone, user=request.user, **form.cleaned_data) is not None:
            messages.success(request, _("已保存"))
            return redirect("inventory:warehouse_detail", pk=zone.warehouse_id)
    return _form_page(request, form, title=_("编辑库区"), subtitle=str(zone),
                      cancel=reverse("inventory:warehouse_detail", args=[zone.warehouse_id]),
                      status=_status(request, form))


@internal_page(actions.LOCATION_PERM)
def bin_create(request, pk: int):
    warehouse = get_object_or_404(Warehouse, pk=pk)
    form = BinForm(request.POST or None, warehouse=warehouse)
    if request.method == "POST" and form.is_valid():
        if submit(form, actions.create_bin, warehouse, user=request.user, **form.cleaned_data) is not None:
            messages.success(request, _("已添加库位"))
            return redirect("inventory:warehouse_detail", pk=pk)
    return _form_page(request, form, title=_("添加库位"), subtitle=str(warehouse),
                      cancel=reverse("inventory:warehouse_detail", args=[pk]), status=_status(request, form))


@internal_page(actions.LOCATION_PERM)
def bin_edit(request, pk: int):
    bin_ = get_object_or_404(Bin.objects.select_related("warehouse"), pk=pk)
    form = BinForm(request.POST or None, instance=Bin.objects.get(pk=pk), warehouse=bin_.warehouse)
    if request.method == "POST" and form.is_valid():
        if submit(form, actions.update_bin, bin_, user=request.user, **form.cleaned_data) is not None:
            messages.success(request, _("已保存"))
            return redirect("inventory:warehouse_detail", pk=bin_.warehouse_id)
    return _form_page(request, form, title=_("编辑库位"), subtitle=str(bin_),
                      cancel=reverse("inventory:warehouse_detail", args=[bin_.warehouse_id]),
                      status=_status(request, form))


# --- ledger (WMS-13) -------------------------------------------------------------------------------


@page("inventory.view_stockmove")
def ledger(request):
    form = LedgerFilterForm(request.GET or None)
    moves = StockMove.objects.none()
    if form.is_valid():
        moves = queries.ledger(request.user, **form.cleaned_data)
    elif not request.GET:
        moves = queries.ledger(request.user)
    page_obj = Paginator(moves, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "inventory/ledger.html", {"form": form, "page_obj": page_obj, "moves": page_obj.object_list})


# --- the core's documents (WMS-10, WMS-13) -----------------------------------------------------------


def _document(request, pk: int) -> StockDocument:
    return get_visible_or_404(
        StockDocument.objects.select_related("warehouse", "client", "created_by", "posted_by"), request.user, pk=pk
    )


@internal_page("inventory.view_stockdocument")
def document_list(request):
    documents = StockDocument.objects.visible_to(request.user).select_related("warehouse", "client", "created_by")
    kind, state = request.GET.get("kind", ""), request.GET.get("state", "")
    if kind:
        documents = documents.filter(kind=kind)
    if state:
        documents = documents.filter(state=state)
    page_obj = Paginator(documents.order_by("-pk"), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "inventory/document_list.html", {
        "page_obj": page_obj, "documents": page_obj.object_list, "kind": kind, "state": state,
        "kinds": [(k.value, k.label) for k in StockDocument.KINDS], "states": DocState.choices,
        "can_add": request.user.has_perm(actions.DOCUMENT_PERM),
    })


@internal_page(actions.DOCUMENT_PERM)
def document_create(request):
    form = DocumentForm(request.POST or None, user=request.user, initial={"kind": request.GET.get("kind", "")})
    if request.method == "POST" and form.is_valid():
        document = submit(form, actions.create_document, user=request.user, **form.cleaned_data)
        if document is not None:
            messages.success(request, _("已建立单据 %(number)s，请扫码添加明细") % {"number": document.number})
            return redirect("inventory:document_detail", pk=document.pk)
    return _form_page(request, form, title=_("新建库存单据"), cancel=reverse("inventory:documents"),
                      status=_status(request, form))


@internal_page("inventory.view_stockdocument")
def document_detail(request, pk: int, line_form=None, reverse_form=None, status: int = 200):
    document = _document(request, pk)
    doc = DocRef.of(document.kind, document)
    can_edit = document.state == DocState.DRAFT and request.user.has_perm(actions.DOCUMENT_PERM)
    response = render(request, "inventory/document_detail.html", {
        "document": document,
        "lines": document.lines.select_related("sku", "lot", "from_bin", "to_bin").order_by("pk"),
        "line_form": line_form or (LineForm(document=document) if can_edit else None),
        "can_edit": can_edit,
        "can_post": document.state == DocState.DRAFT and request.user.has_perm(actions.POST_PERM),
        "reversal": actions.reversal_of(doc) if document.is_posted else None,
        "reverse_form": reverse_form or ReasonForm(),
        "can_reverse": document.is_posted and request.user.has_perm(actions.REVERSE_PERM),
        "moves": actions.moves_of(doc).select_related("sku", "lot", "from_bin", "to_bin") if document.is_posted else [],
    })
    response.status_code = status
    return response


@require_POST
@internal_page(actions.DOCUMENT_PERM)
def document_add_line(request, pk: int):
    document = _document(request, pk)
    form = LineForm(request.POST, document=document)
    if form.is_valid():
        data = form.cleaned_data
        code = data["barcode"].strip()
        skus = list(SKU.objects.visible_to(request.user).filter(client=document.client)
                    .filter(Q(barcode=code) | Q(sku_code=code))[:2])
        if len(skus) != 1:
            form.add_error("barcode", _("条码 %(code)s 不是该委托方的 SKU") % {"code": code})
        else:
            lines = submit(form, actions.add_line, document, user=request.user, sku=skus[0], quantity=data["quantity"],
                           from_bin=data.get("from_bin"), to_bin=data.get("to_bin"))
            if lines is not None:
                if len(lines) > 1:
                    messages.info(request, _("按先进先出拆为 %(n)s 行（WMS-10）") % {"n": len(lines)})
                return redirect("inventory:document_detail", pk=pk)
    return document_detail(request, pk, line_form=form, status=400)


@require_POST
@internal_page(actions.DOCUMENT_PERM)
def document_remove_line(request, pk: int, line_pk: int):
    document = _document(request, pk)
    line = get_object_or_404(document.lines, pk=line_pk)
    run_action(request, actions.remove_line, line, user=request.user)
    return redirect("inventory:document_detail", pk=pk)


@require_POST
@internal_page(actions.POST_PERM)
def document_post(request, pk: int):
    document = _document(request, pk)
    run_action(request, actions.post_document, document, user=request.user,
               done=lambda result: _("单据 %(number)s 已过账") % {"number": document.number})
    return redirect("inventory:document_detail", pk=pk)


@require_POST
@internal_page(actions.DOCUMENT_PERM)
def document_cancel(request, pk: int):
    document = _document(request, pk)
    run_action(request, actions.cancel_document, document, user=request.user, flash_forbidden=True,
               done=lambda result: _("单据 %(number)s 已作废") % {"number": document.number})
    return redirect("inventory:document_detail", pk=pk)


@require_POST
@internal_page(actions.REVERSE_PERM)
def document_reverse(request, pk: int):
    document = _document(request, pk)
    form = ReasonForm(request.POST)
    if form.is_valid():
        reversal = submit(form, actions.reverse_document, user=request.user, doc=DocRef.of(document.kind, document),
                          reason=form.cleaned_data["reason"], client=document.client)
        if reversal is not None:
            messages.success(request, _("已冲销，冲销单号 %(number)s") % {"number": reversal.number})
            return redirect("inventory:document_detail", pk=pk)
    return document_detail(request, pk, reverse_form=form, status=400)


@internal_page("inventory.view_reversal")
def reversal_list(request):
    rows = Reversal.objects.visible_to(request.user).select_related("by__staff", "client").order_by("-pk")
    page_obj = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    items = list(page_obj.object_list)
    for item in items:
        item.url = trace.document_url(item.original_kind, item.original_id)
        item.kind_label = dict(DocKind.choices).get(item.original_kind, item.original_kind)
    return render(request, "inventory/reversal_list.html", {"page_obj": page_obj, "reversals": items})


# --- supervisor's board -----------------------------------------------------------------------------


def _warehouse_param(request) -> Warehouse | None:
    value = request.GET.get("warehouse", "")
    if value.isdigit():
        return get_object_or_404(Warehouse, pk=int(value))
    return Warehouse.objects.filter(is_active=True).order_by("code").first()


def _visible_dues(user):
    """Due items the user may see, plus the company's own (no client, no store) on this internal page."""
    condition = scope_q(DueItem, scope_for(user))
    items = DueItem.objects.all()
    if condition is not None:
        items = items.filter(condition | Q(client__isnull=True, store__isnull=True))
    return items


# The warehouse supervisor's board (WMS-13): for those who answer for the warehouse's day (supervisor,
# statistician, general manager), not for everyone who may look up a stock figure (sales and order
# clerks see 库存, receivers and pickers their own pages).
BOARD_PERM = "inventory.view_dailyclose"


@internal_page(BOARD_PERM)
def board(request):
    warehouse = _warehouse_param(request)
    now = timezone.now()
    today = timezone.localdate()
    warehouse_clauses = Q(clause__startswith="WMS") | Q(clause="CAT-08")
    dues = list(_visible_dues(request.user).open().filter(warehouse_clauses)
                .select_related("owner", "owner__staff").order_by("due_at", "pk")[:500])
    per_owner: dict = defaultdict(lambda: {"owner": None, "open": 0, "late": 0, "items": []})
    for item in dues:
        entry = per_owner[item.owner_id]
        entry["owner"] = item.owner
        entry["open"] += 1
        entry["late"] += item.due_at < now
        entry["items"].append(item)
    owners = sorted(per_owner.values(), key=lambda e: (-e["late"], -e["open"]))
    horizon = now + timedelta(days=1)
    context = {
        "warehouse": warehouse, "warehouses": Warehouse.objects.filter(is_active=True).order_by("code"),
        "owners": owners, "late_count": sum(e["late"] for e in owners), "due_count": len(dues), "now": now,
        "today": today,
        "sample_loans": [i for i in dues if i.clause == "WMS-12" and i.due_at < now],
    }
    expiring = CustomerHold.objects.visible_to(request.user).filter(state=HoldState.ACTIVE, expires_at__lte=horizon)
    if warehouse is not None:
        expiring = expiring.filter(warehouse=warehouse)
    context["holds"] = expiring.select_related("sku", "warehouse", "staff").order_by("expires_at")[:100]
    if warehouse is not None:
        labels = dict(DocKind.choices)
        counts = closing.document_counts(warehouse, today)
        context.update({
            "counts": [(labels.get(k, k), n) for k, n in counts.items()],
            "blocking": closing.as_seen_by(request.user, closing.open_documents(warehouse, today)),
            "closed_today": closing.is_closed(warehouse, today),
        })
    return render(request, "inventory/board.html", context)


# --- daily close (WMS-13) ----------------------------------------------------------------------------


@internal_page("inventory.view_dailyclose")
def close_list(request):
    warehouse = _warehouse_param(request)
    closes = DailyClose.objects.select_related("warehouse", "closed_by").order_by("-day", "warehouse__code")
    if warehouse is not None and request.GET.get("warehouse"):
        closes = closes.filter(warehouse=warehouse)
    form = CloseForm(initial={"warehouse": warehouse, "day": timezone.localdate()})
    page_obj = Paginator(closes, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "inventory/close_list.html", {
        "form": form, "page_obj": page_obj, "closes": page_obj.object_list, "blocking": None,
        "can_close": request.user.has_perm(closing.CLOSE_PERM),
    })


@require_POST
@internal_page(closing.CLOSE_PERM)
def close_day(request):
    form = CloseForm(request.POST)
    blocking = None
    if form.is_valid():
        try:
            close = closing.close_day(form.cleaned_data["warehouse"], form.cleaned_data["day"], request.user)
            messages.success(request, _("已日结 %(day)s") % {"day": close.day})
            return redirect("inventory:close_detail", pk=close.pk)
        except closing.DayNotClosable as error:
            add_business_error(form, error)
            blocking = closing.as_seen_by(request.user, error.documents)
        except NotAllowed:
            raise PermissionDenied from None
        except BusinessError as error:
            add_business_error(form, error)
    closes = DailyClose.objects.select_related("warehouse", "closed_by").order_by("-day")
    page_obj = Paginator(closes, PER_PAGE).get_page(1)
    response = render(request, "inventory/close_list.html", {
        "form": form, "page_obj": page_obj, "closes": page_obj.object_list, "blocking": blocking, "can_close": True,
    })
    response.status_code = 400
    return response


@internal_page("inventory.view_dailyclose")
def close_detail(request, pk: int):
    close = get_object_or_404(DailyClose.objects.select_related("warehouse", "closed_by"), pk=pk)
    scope = scope_for(request.user)
    rows = [r for r in close.summary.get("rows", []) if scope.sees_client(r.get("client_id"))]
    labels = dict(DocKind.choices)
    documents = [(labels.get(k, k), n) for k, n in close.summary.get("documents", {}).items()]
    return render(request, "inventory/close_detail.html", {"close": close, "rows": rows, "documents": documents})


# --- monthly report (WMS-19) -------------------------------------------------------------------------


def _report_params(request):
    initial_month = timezone.localdate().strftime("%Y-%m")
    data = request.GET.copy()
    if "month" not in data:
        data["month"] = initial_month
    if "warehouse" not in data:
        first = Warehouse.objects.order_by("code").first()
        if first is not None:
            data["warehouse"] = str(first.pk)
    return ReportForm(data, user=request.user)


@page("inventory.view_stockbalance")
def monthly_report(request):
    form = _report_params(request)
    rows = []
    if form.is_valid():
        data = form.cleaned_data
        rows = report.monthly_rows(request.user, data["warehouse"], data["month"],
                                   data["client"].pk if data["client"] else None)
    totals = {
        "opening": sum(r.opening for r in rows), "inbound": sum(r.inbound for r in rows),
        "outbound": sum(r.outbound for r in rows), "closing": sum(r.closing for r in rows),
    }
    response = render(request, "inventory/report.html", {"form": form, "rows": rows, "totals": totals,
                                                         "query": request.GET.urlencode()})
    if form.errors:
        response.status_code = 400
    return response


@page("inventory.view_stockbalance")
def monthly_report_xlsx(request):
    form = _report_params(request)
    if not form.is_valid():
        return monthly_report(request)
    data = form.cleaned_data
    rows = report.monthly_rows(request.user, data["warehouse"], data["month"],
                               data["client"].pk if data["client"] else None)
    out = io.BytesIO()
    report.write_monthly_xlsx(data["warehouse"], data["month"], rows, out)
    response = HttpResponse(out.getvalue(), content_type=report.XLSX_CONTENT_TYPE)
    filename = f"stock-{data['warehouse'].code}-{data['month']}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- traceability (CAT-05) ---------------------------------------------------------------------------


@page("inventory.view_stockmove")
def trace_search(request):
    form = TraceForm(request.GET or None)
    skus, lots = [], []
    if form.is_valid():
        text = form.cleaned_data["q"].strip()
        lot = Lot.objects.visible_to(request.user).filter(number__iexact=text).first()
        if lot is not None:
            return redirect("inventory:trace_lot", pk=lot.pk)
        skus = list(queries.find_skus(request.user, text).select_related("style")[:20])
        if len(skus) == 1:
            return redirect("inventory:trace_sku", pk=skus[0].pk)
        if not skus:
            form.add_error("q", _("没有找到批次或 SKU：%(text)s") % {"text": text})
    return render(request, "inventory/trace_search.html", {"form": form, "skus": skus, "lots": lots},
                  status=400 if form.errors else 200)


@page("inventory.view_stockmove")
def trace_lot(request, pk: int):
    lot = get_visible_or_404(Lot.objects.select_related("client", "supplier"), request.user, pk=pk)
    return render(request, "inventory/trace_lot.html", {"trace": trace.lot_trace(lot), "lot": lot,
                                                        "source_url": trace.document_url(lot.source_kind,
                                                                                         lot.source_id)})


@page("inventory.view_stockmove")
def trace_sku(request, pk: int):
    sku = get_visible_or_404(SKU.objects.select_related("style", "client"), request.user, pk=pk)
    return render(request, "inventory/trace_sku.html", {"sku": sku, "lots": trace.lots_of_sku([sku.pk])})


# --- customer holds (WMS-11) -------------------------------------------------------------------------


def _hold(request, pk: int) -> CustomerHold:
    return get_visible_or_404(CustomerHold.objects.select_related("sku", "warehouse", "staff", "client"),
                              request.user, pk=pk)


@internal_page("inventory.view_customerhold")
def hold_list(request):
    state = request.GET.get("state", HoldState.ACTIVE)
    rows = CustomerHold.objects.visible_to(request.user).select_related("sku", "warehouse", "staff")
    if state:
        rows = rows.filter(state=state)
    page_obj = Paginator(rows.order_by("expires_at", "pk"), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "inventory/hold_list.html", {
        "page_obj": page_obj, "holds": page_obj.object_list, "state": state, "states": HoldState.choices,
        "can_add": request.user.has_perm(holds.CREATE_PERM), "lifetime_days": holds.lifetime().days,
    })


@internal_page(holds.CREATE_PERM)
def hold_create(request):
    form = HoldForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        code = data.pop("barcode").strip()
        skus = list(SKU.objects.visible_to(request.user).filter(Q(barcode=code) | Q(sku_code=code))[:2])
        if len(skus) != 1:
            form.add_error("barcode", _("没有找到唯一的 SKU：%(code)s") % {"code": code} if not skus
                           else _("条码 %(code)s 对应多个委托方的 SKU，请输入 SKU 编码") % {"code": code})
        else:
            hold = submit(form, holds.create_hold, user=request.user, sku=skus[0], **data)
            if hold is not None:
                messages.success(request, _("已留货 %(number)s，到期 %(at)s") % {
                    "number": hold.number, "at": timezone.localtime(hold.expires_at).strftime("%Y-%m-%d %H:%M")})
                return redirect("inventory:hold_detail", pk=hold.pk)
    return _form_page(request, form, title=_("客户留货"), cancel=reverse("inventory:holds"),
                      subtitle=_("留货 %(days)s 天后自动释放，可填写说明延期（WMS-11）")
                      % {"days": holds.lifetime().days},
                      status=_status(request, form))


@internal_page("inventory.view_customerhold")
def hold_detail(request, pk: int, extend_form=None, release_form=None, status: int = 200):
    hold = _hold(request, pk)
    response = render(request, "inventory/hold_detail.html", {
        "hold": hold, "extensions": hold.extensions.select_related("by").order_by("pk"),
        "extend_form": extend_form or ExtendForm(), "release_form": release_form or ReleaseForm(),
        "can_change": hold.is_active and request.user.has_perm(holds.CHANGE_PERM),
    })
    response.status_code = status
    return response


@require_POST
@internal_page(holds.CHANGE_PERM)
def hold_extend(request, pk: int):
    hold = _hold(request, pk)
    form = ExtendForm(request.POST)
    if form.is_valid():
        until = form.cleaned_data["until"]
        if until is not None:
            until = timezone.make_aware(datetime.combine(until, time(23, 59)))
        if submit(form, holds.extend_hold, hold, user=request.user, note=form.cleaned_data["note"],
                  until=until) is not None:
            messages.success(request, _("已延期"))
            return redirect("inventory:hold_detail", pk=pk)
    return hold_detail(request, pk, extend_form=form, status=400)


@require_POST
@internal_page(holds.CHANGE_PERM)
def hold_release(request, pk: int):
    hold = _hold(request, pk)
    form = ReleaseForm(request.POST)
    if form.is_valid():
        if submit(form, holds.release_hold, hold, user=request.user, reason=form.cleaned_data["reason"]) is not None:
            messages.success(request, _("已释放留货，商品回到正常销售"))
            return redirect("inventory:hold_detail", pk=pk)
    return hold_detail(request, pk, release_form=form, status=400)

