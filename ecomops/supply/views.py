"""Pages of purchasing, replenishment, supplier returns, packaging materials and the shipping defect
register (WMS-01, WMS-14, WMS-16, WMS-17, WMS-18).

Thin: scope (another client's order, plan, return or defect is a 404), render, and call
the action modules through ``submit``. Internal pages: a client's own user gets 404.
"""

from __future__ import annotations

import io

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ecomops.core.decorators import internal_page
from ecomops.core.forms import submit
from ecomops.inventory.reservations import available
from ecomops.org.scoping import get_visible_or_404

from .defects import register_shipping_defect
from .enums import PlanState, POState, ReturnState
from .forms import (
    ConsumeForm,
    DecisionForm,
    DefectForm,
    HandOverForm,
    MaterialForm,
    MonthForm,
    PackagingReceiptForm,
    PromotionForm,
    PurchaseOrderForm,
    ReasonForm,
    TermsForm,
)
from .models import (
    PackagingBalance,
    PackagingMaterial,
    PackagingMove,
    PackagingReceipt,
    PackagingReorder,
    Promotion,
    PurchaseOrder,
    ReplenishmentPlan,
    ShippingDefect,
    SupplierReturn,
    SupplierReturnTerms,
)
from .owners import APPROVE_PERM
from .packaging import (
    consume_packaging,
    create_material,
    create_packaging_receipt,
    enter_promotion,
    packaging_cover,
    post_packaging_receipt,
)
from .plans import approve_plan, reject_plan
from .purchasing import cancel_purchase_order, confirm_purchase_order, create_purchase_order
from .returns import (
    cancel_return,
    hand_over_return,
    mark_return_ready,
    pickup_due_on,
    reopen_return,
    set_return_terms,
    uncollected_in_month,
)

PER_PAGE = 25


def _page(request, queryset):
    return Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))


def _form_page(request, form, *, title: str, back: str, intro: str = "", status: int = 200):
    return render(request, "supply/form.html", {"form": form, "title": title, "back": back, "intro": intro},
                  status=status)


@internal_page()
def index(request):
    user = request.user
    counts = {
        "orders": PurchaseOrder.objects.visible_to(user).filter(state=POState.DRAFT).count(),
        "plans": ReplenishmentPlan.objects.visible_to(user).filter(state=PlanState.PENDING).count(),
        "returns": SupplierReturn.objects.visible_to(user).filter(
            state__in=(ReturnState.COLLECTING, ReturnState.READY)).count(),
        "reorders": PackagingReorder.objects.filter(closed_at__isnull=True).count(),
    }
    return render(request, "supply/index.html", {"counts": counts})


# --- purchase orders ------------------------------------------------------------------------------


@internal_page("supply.view_purchaseorder")
def order_list(request):
    orders = PurchaseOrder.objects.visible_to(request.user).select_related("client", "supplier", "warehouse")
    state = request.GET.get("state", "")
    if state in POState.values:
        orders = orders.filter(state=state)
    page_obj = _page(request, orders.order_by("-id"))
    return render(request, "supply/order_list.html", {"page_obj": page_obj, "orders": page_obj.object_list,
                                                       "state": state, "states": POState.choices})


def _order(request, pk: int) -> PurchaseOrder:
    return get_visible_or_404(PurchaseOrder.objects.select_related("client", "supplier", "warehouse"),
                              request.user, pk=pk)


@internal_page("supply.view_purchaseorder")
def order_detail(request, pk: int, cancel_form=None, status: int = 200):
    order = _order(request, pk)
    return render(request, "supply/order_detail.html", {
        "order": order, "lines": order.lines.select_related("sku").order_by("pk"),
        "cancel_form": cancel_form or ReasonForm(),
        "can_change": request.user.has_perm("supply.change_purchaseorder"),
    }, status=status)


@internal_page("supply.add_purchaseorder")
def order_create(request):
    form = PurchaseOrderForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        order = submit(form, create_purchase_order, user=request.user, client=data["client"],
                       supplier=data["supplier"], warehouse=data["warehouse"], lines=data["items"],
                       expected_on=data["expected_on"], note=data["note"])
        if order is not None:
            messages.success(request, _("已创建采购单 %(n)s") % {"n": order.number})
            return redirect("supply:order_detail", pk=order.pk)
    return _form_page(request, form, title=_("新建采购单"), back="supply:orders",
                      status=400 if request.method == "POST" else 200)


@require_POST
@internal_page("supply.change_purchaseorder")
def order_confirm(request, pk: int):
    order = _order(request, pk)
    form = ReasonForm()
    if submit(form, confirm_purchase_order, order, user=request.user) is not None:
        messages.success(request, _("采购单已下单"))
    else:
        messages.error(request, form.non_field_errors()[0] if form.non_field_errors() else _("操作失败"))
    return redirect("supply:order_detail", pk=order.pk)


@require_POST
@internal_page("supply.change_purchaseorder")
def order_cancel(request, pk: int):
    order = _order(request, pk)
    form = ReasonForm(request.POST)
    if form.is_valid():
        if submit(form, cancel_purchase_order, order, user=request.user,
                  reason=form.cleaned_data["reason"]) is not None:
            messages.success(request, _("采购单已取消"))
            return redirect("supply:order_detail", pk=order.pk)
    return order_detail(request, pk, cancel_form=form, status=400)


# --- replenishment plans --------------------------------------------------------------------------


@internal_page("supply.view_replenishmentplan")
def plan_list(request):
    plans = (ReplenishmentPlan.objects.visible_to(request.user).select_related("client", "warehouse")
             .annotate(line_count=Count("lines")))
    state = request.GET.get("state", "")
    if state in PlanState.values:
        plans = plans.filter(state=state)
    page_obj = _page(request, plans.order_by("-plan_date", "-id"))
    return render(request, "supply/plan_list.html", {"page_obj": page_obj, "plans": page_obj.object_list,
                                                      "state": state, "states": PlanState.choices})


def _plan(request, pk: int) -> ReplenishmentPlan:
    return get_visible_or_404(ReplenishmentPlan.objects.select_related("client", "warehouse", "decided_by"),
                              request.user, pk=pk)


@internal_page("supply.view_replenishmentplan")
def plan_detail(request, pk: int, form=None, status: int = 200):
    plan = _plan(request, pk)
    lines = list(plan.lines.select_related("sku", "sku__style", "supplier", "purchase_order").order_by("pk"))
    return render(request, "supply/plan_detail.html", {
        "plan": plan, "lines": lines, "form": form or DecisionForm(),
        "missing_supplier": [line for line in lines if line.supplier_id is None],
        "can_decide": request.user.has_perm(APPROVE_PERM) and plan.state == PlanState.PENDING,
        "citations": sorted((plan.policy or {}).get("citations", {}).items()),
    }, status=status)


@require_POST
@internal_page(("supply.view_replenishmentplan", "supply.approve_replenishmentplan"))
def plan_decide(request, pk: int):
    plan = _plan(request, pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        note = form.cleaned_data["note"]
        if request.POST.get("decision") == "reject":
            done = submit(form, reject_plan, plan, user=request.user, note=note)
            text = _("补货计划已驳回")
        else:
            done = submit(form, approve_plan, plan, user=request.user, note=note)
            text = _("补货计划已批准，已生成采购单")
        if done is not None:
            messages.success(request, text)
            return redirect("supply:plan_detail", pk=plan.pk)
    return plan_detail(request, pk, form=form, status=400)


# --- supplier returns (WMS-16) --------------------------------------------------------------------


@internal_page("supply.view_supplierreturn")
def return_list(request):
    returns = (SupplierReturn.objects.visible_to(request.user).select_related("client", "supplier", "warehouse")
               .annotate(units=Sum("lines__quantity")))
    state = request.GET.get("state", "open")
    if state == "open":
        returns = returns.filter(state__in=(ReturnState.COLLECTING, ReturnState.READY))
    elif state in ReturnState.values:
        returns = returns.filter(state=state)
    page_obj = _page(request, returns.order_by("supplier__code", "-id"))
    rows = list(page_obj.object_list)
    for ret in rows:
        ret.due_on = pickup_due_on(ret) if ret.state in (ReturnState.COLLECTING, ReturnState.READY) else None
    return render(request, "supply/return_list.html", {
        "page_obj": page_obj, "returns": rows, "state": state, "states": ReturnState.choices,
        "today": timezone.localdate(),
    })


def _return(request, pk: int) -> SupplierReturn:
    return get_visible_or_404(SupplierReturn.objects.select_related("client", "supplier", "warehouse"),
                              request.user, pk=pk)


@internal_page("supply.view_supplierreturn")
def return_detail(request, pk: int, form=None, reason_form=None, status: int = 200):
    ret = _return(request, pk)
    terms = SupplierReturnTerms.objects.filter(supplier=ret.supplier).first()
    return render(request, "supply/return_detail.html", {
        "ret": ret, "lines": ret.lines.select_related("sku", "lot", "bin").order_by("pk"),
        "form": form or HandOverForm(), "reason_form": reason_form or ReasonForm(), "terms": terms,
        "due_on": pickup_due_on(ret) if ret.state in (ReturnState.COLLECTING, ReturnState.READY) else None,
        "can_change": request.user.has_perm("supply.change_supplierreturn"),
    }, status=status)


@require_POST
@internal_page("supply.change_supplierreturn")
def return_ready(request, pk: int):
    ret = _return(request, pk)
    form = ReasonForm()
    if submit(form, mark_return_ready, ret, user=request.user) is not None:
        messages.success(request, _("退厂单已备货，待供应商取回"))
        return redirect("supply:return_detail", pk=ret.pk)
    return return_detail(request, pk, reason_form=form, status=400)


@require_POST
@internal_page("supply.change_supplierreturn")
def return_reopen(request, pk: int):
    ret = _return(request, pk)
    form = ReasonForm()
    if submit(form, reopen_return, ret, user=request.user) is not None:
        messages.success(request, _("退厂单已改回收集中"))
        return redirect("supply:return_detail", pk=ret.pk)
    return return_detail(request, pk, reason_form=form, status=400)


@require_POST
@internal_page("supply.change_supplierreturn")
def return_hand_over(request, pk: int):
    ret = _return(request, pk)
    form = HandOverForm(request.POST)
    if form.is_valid():
        if submit(form, hand_over_return, ret, user=request.user, **form.cleaned_data) is not None:
            messages.success(request, _("已交接供应商，商品已出库"))
            return redirect("supply:return_detail", pk=ret.pk)
    return return_detail(request, pk, form=form, status=400)


@require_POST
@internal_page("supply.change_supplierreturn")
def return_cancel(request, pk: int):
    ret = _return(request, pk)
    form = ReasonForm(request.POST)
    if form.is_valid():
        if submit(form, cancel_return, ret, user=request.user,
                  reason=form.cleaned_data["reason"]) is not None:
            messages.success(request, _("退厂单已取消"))
            return redirect("supply:return_detail", pk=ret.pk)
    return return_detail(request, pk, reason_form=form, status=400)


def _month(request) -> tuple[int, int]:
    form = MonthForm(request.GET)
    text = form.cleaned_data.get("month") if form.is_valid() else ""
    if text:
        year, month = text.split("-")
        return int(year), int(month)
    today = timezone.localdate()
    return today.year, today.month


@internal_page("supply.view_supplierreturn")
def returns_uncollected(request):
    """WMS-16 month-end list: returns not collected within the month, for purchasing and finance."""
    year, month = _month(request)
    rows = list(uncollected_in_month(year, month, SupplierReturn.objects.visible_to(request.user))
                .select_related("client", "supplier", "warehouse").annotate(units=Sum("lines__quantity"))
                .order_by("supplier__code", "pk"))
    label = f"{year:04d}-{month:02d}"
    if request.GET.get("format") == "xlsx":
        from ecomops.catalog.sheets import write_xlsx

        headers = [_("退厂单号"), _("委托方"), _("供应商"), _("仓库"), _("状态"), _("件数"), _("创建时间"),
                   _("交接时间")]
        data = [[r.number, r.client.name, r.supplier.name, r.warehouse.code, r.get_state_display(), r.units or 0,
                 timezone.localtime(r.created_at).strftime("%Y-%m-%d %H:%M"),
                 timezone.localtime(r.handed_over_at).strftime("%Y-%m-%d %H:%M") if r.handed_over_at else ""]
                for r in rows]
        out = io.BytesIO()
        write_xlsx([(_("月内未退回"), headers, data, {"widths": [22, 16, 24, 8, 14, 8, 18, 18]})], out)
        response = HttpResponse(out.getvalue(),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="uncollected-returns-{label}.xlsx"'
        return response
    return render(request, "supply/returns_uncollected.html", {"rows": rows, "month": label})


@internal_page("supply.change_supplierreturnterms")
def return_terms(request):
    form = TermsForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if submit(form, set_return_terms, data["supplier"], user=request.user, source=data["source"],
                  note=data["note"]) is not None:
            messages.success(request, _("已保存退厂约定"))
            return redirect("supply:return_terms")
    terms = SupplierReturnTerms.objects.visible_to(request.user).select_related("supplier").order_by("supplier__code")
    return render(request, "supply/return_terms.html", {"form": form, "terms": terms},
                  status=400 if request.method == "POST" else 200)


# --- shipping defects (WMS-17) --------------------------------------------------------------------


@internal_page("supply.view_shippingdefect")
def defect_list(request):
    defects = ShippingDefect.objects.visible_to(request.user).select_related(
        "client", "warehouse", "from_bin", "to_bin", "registered_by")
    page_obj = _page(request, defects.order_by("-id"))
    return render(request, "supply/defect_list.html", {"page_obj": page_obj, "defects": page_obj.object_list})


@internal_page("supply.add_shippingdefect")
def defect_create(request):
    form = DefectForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        defect = submit(form, register_shipping_defect, user=request.user, warehouse=data["warehouse"],
                        sku=data["sku"], from_bin=data["bin"], quantity=data["quantity"], reason=data["reason"],
                        supplier=data["supplier"], brand=data["brand"], model=data["model"], name=data["name"])
        if defect is not None:
            messages.success(request, _("已登记 %(n)s：可售数量 %(a)s → %(b)s，已加入退厂单") % {
                "n": defect.number, "a": defect.available_before, "b": defect.available_after})
            return redirect("supply:defects")
    return _form_page(request, form, title=_("发货次品登记"), back="supply:defects",
                      intro=_("登记品牌、编码、型号、名称、数量和原因；商品移入次品区并加入供应商退厂单，"
                              "次品区不可售，平台可售数量随之减少（WMS-17）。"),
                      status=400 if request.method == "POST" else 200)


@internal_page("supply.add_shippingdefect")
def defect_lookup(request):
    """htmx: what the scanned code is and how many are sellable, under the code field."""
    from ecomops.catalog.models import SKU

    code = (request.GET.get("code") or "").strip()
    visible = SKU.objects.visible_to(request.user).select_related("style", "style__brand")
    sku = (visible.filter(sku_code=code).first() or visible.filter(barcode=code).first()) if code else None
    warehouse_id = request.GET.get("warehouse") or None
    free = available(sku.pk, int(warehouse_id)) if sku is not None and (warehouse_id or "").isdigit() else None
    return render(request, "supply/_defect_lookup.html", {"sku": sku, "free": free, "code": code})


# --- packaging materials (WMS-18) -----------------------------------------------------------------


@internal_page("supply.view_packagingmaterial")
def packaging(request):
    today = timezone.localdate()
    rows = []
    for balance in PackagingBalance.objects.select_related("material", "warehouse").order_by(
            "warehouse__code", "material__code"):
        rows.append(packaging_cover(balance.material, balance.warehouse, today))
    return render(request, "supply/packaging.html", {
        "covers": rows,
        "materials": PackagingMaterial.objects.order_by("code"),
        "reorders": PackagingReorder.objects.filter(closed_at__isnull=True).select_related("material", "warehouse"),
        "receipts": PackagingReceipt.objects.select_related("warehouse").order_by("-id")[:20],
        "promotions": Promotion.objects.filter(starts_on__gte=today).select_related("warehouse"),
        "moves": PackagingMove.objects.select_related("material", "warehouse", "by").order_by("-id")[:20],
        "consume_form": ConsumeForm(),
    })


@internal_page("supply.add_packagingmaterial")
def material_create(request):
    form = MaterialForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if submit(form, create_material, user=request.user, **form.cleaned_data) is not None:
            messages.success(request, _("已添加包装材料"))
            return redirect("supply:packaging")
    return _form_page(request, form, title=_("添加包装材料"), back="supply:packaging",
                      status=400 if request.method == "POST" else 200)


@internal_page("supply.add_packagingreceipt")
def packaging_receipt_create(request):
    form = PackagingReceiptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        receipt = submit(form, create_packaging_receipt, user=request.user, warehouse=data["warehouse"],
                         lines=data["lines"], vendor=data["vendor"], note=data["note"])
        if receipt is not None:
            messages.success(request, _("已创建包材入库单 %(n)s，请核对后过账") % {"n": receipt.number})
            return redirect("supply:packaging_receipt_detail", pk=receipt.pk)
    return _form_page(request, form, title=_("包材入库"), back="supply:packaging",
                      status=400 if request.method == "POST" else 200)


@internal_page("supply.view_packagingmaterial")
def packaging_receipt_detail(request, pk: int):
    receipt = _receipt(pk)
    return render(request, "supply/packaging_receipt.html", {
        "receipt": receipt, "lines": receipt.lines.select_related("material").order_by("pk"),
        "can_post": request.user.has_perm("supply.change_packagingreceipt"),
    })


def _receipt(pk: int) -> PackagingReceipt:
    return get_object_or_404(PackagingReceipt.objects.select_related("warehouse", "created_by", "posted_by"), pk=pk)


@require_POST
@internal_page("supply.change_packagingreceipt")
def packaging_receipt_post(request, pk: int):
    receipt = _receipt(pk)
    form = ReasonForm()
    if submit(form, post_packaging_receipt, receipt, user=request.user) is not None:
        messages.success(request, _("包材入库单已过账"))
    else:
        messages.error(request, "；".join(str(e) for e in form.non_field_errors()) or _("操作失败"))
    return redirect("supply:packaging_receipt_detail", pk=receipt.pk)


@require_POST
@internal_page("supply.add_packagingmove")
def packaging_consume(request):
    form = ConsumeForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        if submit(form, consume_packaging, user=request.user, **data) is not None:
            messages.success(request, _("已登记领用"))
            return redirect("supply:packaging")
    return _form_page(request, form, title=_("包材领用"), back="supply:packaging", status=400)


@internal_page("supply.add_promotion")
def promotion_create(request):
    form = PromotionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        promotion = submit(form, enter_promotion, user=request.user, **form.cleaned_data)
        if promotion is not None:
            messages.success(request, _("已登记大促，%(d)s 前备齐包材并预打包（FUL-05）") % {
                "d": promotion.prepare_on.isoformat()})
            return redirect("supply:packaging")
    return _form_page(request, form, title=_("登记大促"), back="supply:packaging",
                      intro=_("大促开始前按政策天数提醒仓库备足包材、预打包主推商品（WMS-18、FUL-05）。"),
                      status=400 if request.method == "POST" else 200)

