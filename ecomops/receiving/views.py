"""Pages of receiving and QC (WMS-01…06, WMS-25): the receipt list, a receipt (lines, comparison with
the purchase order, signatures, booking, labels), the scan-friendly QC and put-away pages, and the QC
report. Thin: scope (another client's receipt is a 404), render, and call ``receiving.actions``.

The QC and put-away pages work with a barcode scanner alone: it types the code and presses Enter,
which submits the form; the server keeps what was scanned and puts the cursor on the next field.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ecomops.catalog.models import SKU
from ecomops.core.decorators import internal_page
from ecomops.core.forms import submit
from ecomops.core.outcome import run_action
from ecomops.inventory.models import Bin
from ecomops.org.scoping import get_visible_or_404

from . import actions, labels, sampling
from .enums import OPEN_STATES, QcStage, ReceiptState
from .forms import (
    CancelForm,
    FullInspectionForm,
    LabelForm,
    LineForm,
    PutAwayForm,
    ReceiptCreateForm,
    ReceiptFilterForm,
    SampleForm,
    ScanForm,
)
from .models import QcRecord, Receipt

VIEW_PERM = "receiving.view_receipt"
PER_PAGE = 25


def _receipt(request, pk: int) -> Receipt:
    return get_visible_or_404(
        Receipt.objects.select_related("warehouse", "purchase_order", "supplier", "lot", "inspection_bin",
                                       "defective_bin", "supplier_return", "client"),
        request.user, pk=pk,
    )


def _lines(receipt: Receipt):
    lines = list(receipt.lines.select_related("sku", "sku__style").order_by("pk"))
    for line in lines:
        line.issues = actions.line_issues(line.noted_quantity, line.counted_quantity, line.outstanding_quantity,
                                          line.state_ok, line.spec_ok)
        line.step = actions.line_step(receipt, line)
        line.step_label = actions.outcome_label(line.step) if line.step else ""
        line.rate = sampling.percent(line.step.rate) if line.step else ""
    return lines


@internal_page(VIEW_PERM)
def receipt_list(request):
    form = ReceiptFilterForm(request.GET or None)
    receipts = Receipt.objects.visible_to(request.user).select_related("warehouse", "supplier", "purchase_order")
    if form.is_valid():
        state = form.cleaned_data["state"]
        if state == "open":
            receipts = receipts.filter(state__in=OPEN_STATES)
        elif state:
            receipts = receipts.filter(state=state)
        q = form.cleaned_data["q"].strip()
        if q:
            receipts = receipts.filter(Q(number__icontains=q) | Q(delivery_note_no__icontains=q)
                                       | Q(purchase_order__number__icontains=q))
    page_obj = Paginator(receipts.order_by("-pk"), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "receiving/receipt_list.html", {
        "form": form, "page_obj": page_obj, "receipts": page_obj.object_list,
        "can_add": request.user.has_perm(actions.ADD_PERM),
    })


@internal_page(actions.ADD_PERM)
def receipt_create(request):
    form = ReceiptCreateForm(request.POST or None, user=request.user, initial={"purchase_order": request.GET.get("po")})
    if request.method == "POST" and form.is_valid():
        receipt = submit(form, actions.create_receipt, user=request.user, **form.cleaned_data)
        if receipt is not None:
            messages.success(request, _("已创建入库单 %(n)s，请逐个扫描商品录入数量") % {"n": receipt.number})
            return redirect("receiving:receipt_detail", pk=receipt.pk)
    return render(request, "receiving/receipt_create.html", {"form": form})


def _sku_of(receipt: Receipt, code: str) -> SKU | None:
    code = (code or "").strip()
    return SKU.objects.filter(client_id=receipt.client_id).filter(Q(barcode=code) | Q(sku_code=code)).first()


@internal_page(VIEW_PERM)
def receipt_detail(request, pk: int):
    receipt = _receipt(request, pk)
    scan = request.method == "POST" and LineForm.is_scan(request.POST)
    form = LineForm(request.POST or None, scan=scan) if receipt.is_editable else None
    if request.method == "POST":
        if form is None:
            messages.error(request, _("入库单已签字，不能再修改明细"))
            return redirect("receiving:receipt_detail", pk=receipt.pk)
        if scan and form.is_valid():
            form = _scanned_line(receipt, form)
        elif form.is_valid():
            data = dict(form.cleaned_data)
            sku = _sku_of(receipt, data.pop("sku"))
            if sku is None:
                form.add_error("sku", _("商品条码 / SKU 不存在：%(c)s") % {"c": form.cleaned_data["sku"]})
            else:
                reason = data.pop("mismatch_reason")
                if submit(form, actions.set_line, receipt, user=request.user, sku=sku, reason=reason, **data):
                    messages.success(request, _("已录入 %(sku)s") % {"sku": sku.sku_code})
                    return redirect("receiving:receipt_detail", pk=receipt.pk)
    lines = _lines(receipt)
    po_lines = list(receipt.purchase_order.lines.select_related("sku").order_by("pk"))
    return render(request, "receiving/receipt_detail.html", {
        "receipt": receipt, "lines": lines, "form": form, "po_lines": po_lines,
        "label_form": LabelForm(), "cancel_form": CancelForm(),
        "can_sign": request.user.has_perm(actions.SIGN_PERM) and receipt.state == ReceiptState.DRAFT,
        "can_approve": request.user.has_perm(actions.APPROVE_PERM) and receipt.state == ReceiptState.RECEIVER_SIGNED,
        "can_book": request.user.has_perm(actions.BOOK_PERM) and receipt.state == ReceiptState.SIGNED,
        "can_cancel": request.user.has_perm(actions.CHANGE_PERM)
        and receipt.state in (ReceiptState.DRAFT, ReceiptState.RECEIVER_SIGNED, ReceiptState.SIGNED),
        "labels_ready": receipt.state in (ReceiptState.SIGNED, ReceiptState.BOOKED, ReceiptState.INSPECTED,
                                          ReceiptState.COMPLETED, ReceiptState.REJECTED),
        "has_defects": any(line.defective_quantity for line in lines),
        "States": ReceiptState,
        "notice_open": actions.has_open_notice(receipt, request.user),
    })


@require_POST
@internal_page(VIEW_PERM)
def receipt_acknowledge(request, pk: int):
    """WMS-15: the salesperson or warehouse person has read the arrival notice; their due item is done."""
    receipt = _receipt(request, pk)
    if actions.acknowledge_notice(receipt, user=request.user):
        messages.success(request, _("已确认知悉到货通知"))
    return redirect("receiving:receipt_detail", pk=receipt.pk)


def _scanned_line(receipt: Receipt, form: LineForm) -> LineForm:
    """A scan + Enter on a receipt: the code is looked up at once; a known SKU of the purchase order
    comes back with its quantities filled in (the line entered so far, else the delivery expected) and
    the cursor on the count; an unknown code or a SKU not ordered is said on the code."""
    code = form.cleaned_data["sku"]
    sku = _sku_of(receipt, code)
    if sku is None:
        form.add_error("sku", _("商品条码 / SKU 不存在：%(c)s") % {"c": code})
        return form
    po_line = receipt.purchase_order.lines.filter(sku=sku).first()
    if po_line is None:
        form.add_error("sku", _("SKU %(sku)s 不在采购单 %(po)s 上，拒收（WMS-01）")
                       % {"sku": sku.sku_code, "po": receipt.purchase_order.number})
        return form
    line = receipt.lines.filter(sku=sku).first()
    if line is not None:
        initial = {"noted_quantity": line.noted_quantity, "counted_quantity": line.counted_quantity,
                   "state_ok": line.state_ok, "spec_ok": line.spec_ok, "mismatch_reason": line.mismatch_reason}
    else:
        initial = {"noted_quantity": po_line.outstanding}
    scanned = LineForm(initial={"sku": code, **initial})
    scanned.focus("counted_quantity")
    return scanned


@internal_page(VIEW_PERM)
@require_POST
def receipt_remove_line(request, pk: int, line_id: int):
    receipt = _receipt(request, pk)
    line = receipt.lines.filter(pk=line_id).first()
    if line is not None:
        run_action(request, actions.remove_line, receipt, line, user=request.user)
    return redirect("receiving:receipt_detail", pk=receipt.pk)


@internal_page(VIEW_PERM)
@require_POST
def receipt_sign(request, pk: int, role: str):
    receipt = _receipt(request, pk)
    if run_action(request, actions.sign_receipt, receipt, user=request.user, role=role):
        messages.success(request, _("已签字"))
    return redirect("receiving:receipt_detail", pk=receipt.pk)


@internal_page(VIEW_PERM)
@require_POST
def receipt_book(request, pk: int):
    receipt = _receipt(request, pk)
    if run_action(request, actions.book_receipt, receipt, user=request.user):
        messages.success(request, _("已记账，货物在待检区等待质检"))
    return redirect("receiving:receipt_detail", pk=receipt.pk)


@internal_page(VIEW_PERM)
@require_POST
def receipt_cancel(request, pk: int):
    receipt = _receipt(request, pk)
    form = CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("作废原因：请填写"))
    elif run_action(request, actions.cancel_receipt, receipt, user=request.user, reason=form.cleaned_data["reason"]):
        messages.success(request, _("已作废"))
    return redirect("receiving:receipt_detail", pk=receipt.pk)


def _pdf(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@internal_page(VIEW_PERM)
def receipt_labels(request, pk: int):
    """WMS-02: the barcode labels of the received goods as a PDF."""
    receipt = _receipt(request, pk)
    form = LabelForm(request.GET or None)
    per_carton = form.cleaned_data["per_carton"] if form.is_valid() else None
    if request.GET and not form.is_valid():
        messages.error(request, _("每箱件数：须为 1 到 10000 之间的整数"))
        return redirect("receiving:receipt_detail", pk=receipt.pk)
    content = run_action(request, labels.receipt_labels_pdf, receipt, per_carton, flash_forbidden=True)
    if content is None:
        return redirect("receiving:receipt_detail", pk=receipt.pk)
    return _pdf(content, f"labels-{receipt.number}.pdf")


@internal_page(VIEW_PERM)
def defect_labels(request, pk: int):
    """WMS-05: defect labels for the goods in the defective bin."""
    receipt = _receipt(request, pk)
    content = run_action(request, labels.defect_labels_pdf, receipt, flash_forbidden=True)
    if content is None:
        return redirect("receiving:receipt_detail", pk=receipt.pk)
    return _pdf(content, f"defects-{receipt.number}.pdf")


@internal_page(VIEW_PERM)
def qc_report(request, pk: int):
    """WMS-05: the QC report: every result, the outcome per colour-size, the defects and their reasons,
    the policy versions used (WMS-25)."""
    receipt = _receipt(request, pk)
    return render(request, "receiving/qc_report.html", {
        "receipt": receipt, "lines": _lines(receipt),
        "records": QcRecord.objects.filter(receipt=receipt).select_related("line__sku", "by").order_by("pk"),
        "policy": sorted((receipt.qc_policy.get("citations") or {}).items()),
        "values": receipt.qc_policy.get("values") or {},
    })


@internal_page((VIEW_PERM, actions.INSPECT_PERM))
def qc_page(request, pk: int):
    """WMS-25 at the inspection table: scan a SKU barcode (selects its line), enter the results; the
    page says what to sample next and what the outcome is."""
    receipt = _receipt(request, pk)
    lines = _lines(receipt)
    selected = next((line for line in lines if str(line.pk) == request.GET.get("line", "")), None)
    scan = ScanForm()
    sample_form = full_form = None
    if request.method == "POST":
        if "barcode" in request.POST:
            scan = ScanForm(request.POST)
            if scan.is_valid():
                code = scan.cleaned_data["barcode"]
                found = actions.find_line(receipt, code)
                if found is None:
                    scan.add_error("barcode", _("扫描商品条码：%(c)s 不在本入库单上") % {"c": code})
                else:
                    return redirect(reverse("receiving:qc", args=[receipt.pk]) + f"?line={found.pk}")
        elif selected is not None and "defective" in request.POST:
            full_form = FullInspectionForm(request.POST)
            if full_form.is_valid() and submit(full_form, actions.record_full_inspection, receipt, selected,
                                               user=request.user, **full_form.cleaned_data):
                messages.success(request, _("已登记全检结果"))
                return redirect(reverse("receiving:qc", args=[receipt.pk]) + f"?line={selected.pk}")
        elif selected is not None:
            sample_form = SampleForm(request.POST)
            if sample_form.is_valid() and submit(sample_form, actions.record_sample, receipt, selected,
                                                 user=request.user, **sample_form.cleaned_data):
                messages.success(request, _("已登记抽检结果"))
                return redirect(reverse("receiving:qc", args=[receipt.pk]) + f"?line={selected.pk}")
    if selected is not None and receipt.state == ReceiptState.BOOKED:
        if selected.qc_stage in (QcStage.FIRST_SAMPLE, QcStage.SECOND_SAMPLE):
            sample_form = sample_form or SampleForm()
        elif selected.qc_stage == QcStage.FULL_INSPECTION:
            full_form = full_form or FullInspectionForm(initial={"reason": selected.defect_reason})
    if sample_form is not None or full_form is not None:
        # After a scan the cursor waits on the result (不合格件数), not on the scan field again.
        scan.fields["barcode"].widget.attrs.pop("autofocus", None)
    return render(request, "receiving/qc.html", {
        "receipt": receipt, "lines": lines, "selected": selected, "scan": scan, "sample_form": sample_form,
        "full_form": full_form, "values": receipt.qc_policy.get("values") or {},
    })


@internal_page((VIEW_PERM, actions.PUTAWAY_PERM))
def putaway_page(request, pk: int):
    """WMS-05 put-away: scan the SKU (the page suggests the bin where it already lies), scan the bin,
    enter the quantity; each Enter submits and the page asks for the next field."""
    receipt = _receipt(request, pk)
    form = PutAwayForm(request.POST or None)
    focus, line, suggestion = "sku", None, None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["sku"]:
            line = actions.find_line(receipt, data["sku"])
            if line is None:
                form.add_error("sku", _("扫描商品条码：%(c)s 不在本入库单上") % {"c": data["sku"]})
            else:
                suggestion = actions.suggest_bin(receipt, line.sku)
                focus = "bin"
        bin_ = None
        if line is not None and data["bin"]:
            bin_ = Bin.objects.filter(warehouse=receipt.warehouse, code=data["bin"]).first()
            if bin_ is None:
                form.add_error("bin", _("扫描库位码：本仓没有库位 %(c)s") % {"c": data["bin"]})
            else:
                focus = "quantity"
        if line is not None and bin_ is not None and data["quantity"]:
            if submit(form, actions.put_away, receipt, user=request.user, sku=line.sku, bin=bin_,
                      quantity=data["quantity"]) is not None:
                messages.success(request, _("已上架 %(sku)s × %(q)s 到 %(bin)s")
                                 % {"sku": line.sku.sku_code, "q": data["quantity"], "bin": bin_.code})
                return redirect("receiving:putaway", pk=receipt.pk)
        elif line is not None and bin_ is not None and not form.has_error("quantity"):
            form = PutAwayForm(initial={"sku": data["sku"], "bin": data["bin"], "quantity": line.to_put_away})
    form.fields[focus].widget.attrs["autofocus"] = True
    return render(request, "receiving/putaway.html", {
        "receipt": receipt, "lines": _lines(receipt), "form": form, "line": line, "suggestion": suggestion,
        "done": receipt.state == ReceiptState.COMPLETED,
    })
