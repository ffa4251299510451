"""Pages of the warehouse operations (WMS-08, WMS-09, WMS-12): the index with open items, transfers
and what is in transit, count sheets (the counter's page is blind and works with a barcode scanner
alone), scrap notes and sample loans.

Thin: scope (DAT-02: another client's document is a 404), render, call ``stockops.actions``.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ecomops.core.decorators import internal_page
from ecomops.core.errors import BusinessError, NotAllowed
from ecomops.core.forms import add_business_error
from ecomops.core.outcome import run_action
from ecomops.inventory.enums import DocKind
from ecomops.inventory.models import Bin, Lot
from ecomops.org.scoping import get_visible_or_404

from . import actions
from .enums import CountState, ExtensionState, LoanState, ScrapState, TransferState
from .forms import (
    CountEntryForm,
    CountForm,
    ExtensionForm,
    LoanForm,
    ReceiveForm,
    ScanForm,
    ScrapForm,
    TransferForm,
    find_sku,
)
from .models import CountLine, CountSheet, SampleLoan, SampleLoanExtension, ScrapNote, Transfer

OPEN_TRANSFERS = [TransferState.REQUESTED, TransferState.SHIPPED, TransferState.DISCREPANCY]
OPEN_COUNTS = [CountState.COUNTING, CountState.SUBMITTED]
OPEN_SCRAPS = [ScrapState.DRAFT, ScrapState.APPROVED]


def _run(form, action, *args, **kwargs):
    """Run an action; a refusal is shown on the field it names ("lines.2.sku" → "lines", row named)."""
    try:
        return action(*args, **kwargs)
    except NotAllowed:
        raise PermissionDenied from None
    except BusinessError as error:
        field = error.field or ""
        head = field.split(".")[0]
        if head in ("lines", "counts", "reasons") and field not in form.fields:
            parts = field.split(".")
            if head == "lines" and len(parts) > 1 and parts[1].isdigit():
                error.message = _("第 %(n)s 行：%(msg)s") % {"n": int(parts[1]) + 1, "msg": error.message}
            error.field = head if head in form.fields else None
        add_business_error(form, error)
        return None


def _form_page(request, form, *, title: str, back: str):
    return render(request, "stockops/form.html", {"form": form, "title": title, "back": back})


@internal_page("stockops.view_transfer")
def index(request):
    user, today = request.user, timezone.localdate()
    loans = list(SampleLoan.objects.visible_to(user).filter(state=LoanState.LENT)
                 .select_related("warehouse").order_by("due_on", "pk")[:50])
    for loan in loans:
        loan.overdue = loan.is_overdue(today)
    return render(request, "stockops/index.html", {
        "transfers": Transfer.objects.visible_to(user).filter(state__in=OPEN_TRANSFERS)
        .select_related("from_warehouse", "to_warehouse")[:50],
        "counts": CountSheet.objects.visible_to(user).filter(state__in=OPEN_COUNTS).select_related("warehouse")[:50],
        "scraps": ScrapNote.objects.visible_to(user).filter(state__in=OPEN_SCRAPS).select_related("warehouse")[:50],
        "loans": loans,
        "overdue": sum(1 for loan in loans if loan.overdue),
        "in_transit": sum(row.quantity for row in actions.in_transit(user)),
    })


# --- transfers ----------------------------------------------------------------------------------


@internal_page("stockops.view_transfer")
def transfer_list(request):
    state = request.GET.get("state", "")
    rows = Transfer.objects.visible_to(request.user).select_related("from_warehouse", "to_warehouse", "client")
    if state in TransferState.values:
        rows = rows.filter(state=state)
    return render(request, "stockops/transfer_list.html", {
        "transfers": rows[:200], "state": state, "states": TransferState.choices})


@internal_page("stockops.view_transfer")
def in_transit(request):
    return render(request, "stockops/in_transit.html", {"rows": actions.in_transit(request.user)})


@internal_page("stockops.add_transfer")
def transfer_create(request):
    form = TransferForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        transfer = _run(form, actions.request_transfer, user=request.user, client=data["client"],
                        from_warehouse=data["from_warehouse"], to_warehouse=data["to_warehouse"],
                        lines=data["lines"], note=data["note"])
        if transfer is not None:
            messages.success(request, _("已提交调拨申请 %(n)s") % {"n": transfer.number})
            return redirect("stockops:transfer_detail", pk=transfer.pk)
    return _form_page(request, form, title=_("申请调拨"), back="stockops:transfers")


def _transfer(request, pk):
    return get_visible_or_404(Transfer.objects.select_related("from_warehouse", "to_warehouse", "client"),
                              request.user, pk=pk)


@internal_page("stockops.view_transfer")
def transfer_detail(request, pk: int):
    transfer = _transfer(request, pk)
    user = request.user
    receive_form = None
    if transfer.state == TransferState.SHIPPED and user.has_perm(actions.RECEIVE_PERM):
        receive_form = ReceiveForm(request.POST or None, transfer=transfer)
        if request.method == "POST" and receive_form.is_valid():
            done = _run(receive_form, actions.receive_transfer, transfer, user=user, counts=receive_form.counts(),
                        reasons=receive_form.reasons())
            if done is not None:
                messages.success(request, _("已收货签字"))
                return redirect("stockops:transfer_detail", pk=transfer.pk)
    return render(request, "stockops/transfer_detail.html", {
        "transfer": transfer,
        "lines": transfer.lines.select_related("sku").prefetch_related("lots__lot", "lots__from_bin"),
        "events": actions.events_of(DocKind.TRANSFER, transfer),
        "receive_form": receive_form,
        "can_ship": transfer.state == TransferState.REQUESTED and user.has_perm(actions.SHIP_PERM),
        "can_cancel": transfer.state == TransferState.REQUESTED and user.has_perm("stockops.change_transfer"),
        "can_settle": transfer.state == TransferState.DISCREPANCY and user.has_perm(actions.SETTLE_PERM),
        "in_transit": [r for r in actions.in_transit(user) if r.transfer.pk == transfer.pk],
    })


@require_POST
@internal_page("stockops.view_transfer")
def transfer_step(request, pk: int, step: str):
    transfer = _transfer(request, pk)
    reason = request.POST.get("reason", "")
    if step == "ship":
        run_action(request, actions.ship_transfer, transfer, user=request.user, done=_("已发货签字，货物在途"))
    elif step == "cancel":
        run_action(request, actions.cancel_transfer, transfer, user=request.user, reason=reason, done=_("已取消调拨"))
    elif step == "settle":
        run_action(request, actions.settle_transfer, transfer, user=request.user, reason=reason, done=_("已核销短少"))
    else:
        raise PermissionDenied
    return redirect("stockops:transfer_detail", pk=transfer.pk)


# --- counts -------------------------------------------------------------------------------------


@internal_page("stockops.view_countsheet")
def count_list(request):
    rows = CountSheet.objects.visible_to(request.user).select_related("warehouse", "client", "zone")
    return render(request, "stockops/count_list.html", {"sheets": rows[:200]})


@internal_page("stockops.add_countsheet")
def count_create(request):
    form = CountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        sheet = _run(form, actions.create_count, user=request.user, client=data["client"],
                     warehouse=data["warehouse"], kind=data["kind"], zone=data["zone"], bins=data["bin_list"],
                     skus=data["sku_list"], finance_participant=data["finance_participant"], note=data["note"])
        if sheet is not None:
            messages.success(request, _("已创建盘点单 %(n)s，账面已快照") % {"n": sheet.number})
            return redirect("stockops:count_detail", pk=sheet.pk)
    return _form_page(request, form, title=_("新建盘点单"), back="stockops:counts")


def _sheet(request, pk):
    return get_visible_or_404(CountSheet.objects.select_related("warehouse", "client", "zone"), request.user, pk=pk)


def _shows_book(user, sheet) -> bool:
    """Blind counting (WMS-08): book quantities only for an approver, and only after submission."""
    return sheet.state != CountState.COUNTING and user.has_perm(actions.APPROVE_COUNT_PERM) \
        and user.pk not in actions.counters_of(sheet)


def _count_context(request, sheet, **extra):
    user = request.user
    lines = list(sheet.lines.select_related("bin", "sku", "lot"))
    return {
        "sheet": sheet, "lines": lines, "show_book": _shows_book(user, sheet),
        "can_count": sheet.state == CountState.COUNTING and user.has_perm(actions.COUNT_PERM),
        "can_explain": sheet.state == CountState.SUBMITTED and user.has_perm(actions.COUNT_PERM),
        "can_approve": sheet.state == CountState.SUBMITTED and user.has_perm(actions.APPROVE_COUNT_PERM),
        "events": actions.events_of(DocKind.COUNT, sheet),
        "entry_form": extra.pop("entry_form", None) or CountEntryForm(),
        "moved": list(actions.moved_since_snapshot(sheet)[:5]) if sheet.state == CountState.SUBMITTED else [],
        **extra,
    }


@internal_page("stockops.view_countsheet")
def count_detail(request, pk: int):
    sheet = _sheet(request, pk)
    return render(request, "stockops/count_detail.html", _count_context(request, sheet))


@require_POST
@internal_page("stockops.view_countsheet")
def count_entry(request, pk: int):
    sheet = _sheet(request, pk)
    form = CountEntryForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        bin_ = actions.sheet_bins(sheet).filter(code=data["bin"].strip()).first()
        sku = find_sku(sheet.client, data["sku"].strip())
        lot = Lot.objects.filter(client=sheet.client, number=data["lot"].strip()).first() if data["lot"] else None
        if bin_ is None:
            form.add_error("bin", _("库位“%(c)s”不在本盘点单范围内") % {"c": data["bin"]})
        elif sku is None:
            form.add_error("sku", _("找不到该委托方的 SKU“%(c)s”") % {"c": data["sku"]})
        elif data["lot"] and lot is None:
            form.add_error("lot", _("找不到批次“%(c)s”") % {"c": data["lot"]})
        elif _run(form, actions.record_count, sheet, user=request.user, bin=bin_, sku=sku, lot=lot,
                  quantity=data["quantity"]) is not None:
            messages.success(request, _("已记录"))
            return redirect("stockops:count_detail", pk=sheet.pk)
    return render(request, "stockops/count_detail.html", _count_context(request, sheet, entry_form=form), status=200)


@require_POST
@internal_page("stockops.view_countsheet")
def count_scan(request, pk: int):
    """htmx: one scan (the scanner types the code and Enter). Answers the scan panel with the current bin
    and lot, what was counted and the sheet's lines, never the book quantities (WMS-08, blind)."""
    sheet = _sheet(request, pk)
    form = ScanForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    bin_ = actions.sheet_bins(sheet).filter(pk=data.get("bin")).first() if data.get("bin") else None
    lot = Lot.objects.filter(client=sheet.client, pk=data.get("lot")).first() if data.get("lot") else None
    error, result = "", None
    try:
        result = actions.scan_code(sheet, user=request.user, code=data.get("code") or "", bin=bin_, lot=lot)
    except NotAllowed:
        raise PermissionDenied from None
    except BusinessError as refused:
        error = refused.message
    if result is not None:
        bin_ = result.bin
        lot = result.lot if result.kind != "bin" else None
    context = _count_context(request, sheet, scan_bin=bin_, scan_lot=lot, scan_error=error, scan_result=result)
    template = "stockops/_count_scan.html" if request.htmx else "stockops/count_detail.html"
    return render(request, template, context)


@require_POST
@internal_page("stockops.view_countsheet")
def count_explain(request, pk: int, line_pk: int):
    sheet = _sheet(request, pk)
    line = CountLine.objects.filter(sheet=sheet, pk=line_pk).first()
    if line is None:
        return HttpResponse(status=404)
    run_action(request, actions.explain_difference, line, user=request.user, reason=request.POST.get("reason", ""),
               done=_("已填写差异原因"))
    return redirect("stockops:count_detail", pk=sheet.pk)


@require_POST
@internal_page("stockops.view_countsheet")
def count_step(request, pk: int, step: str):
    sheet = _sheet(request, pk)
    if step == "submit":
        run_action(request, actions.submit_count, sheet, user=request.user, done=_("已提交盘点，等待审核"))
    elif step == "approve":
        run_action(request, actions.approve_count, sheet, user=request.user, done=_("已审核，盘点差异已过账"))
    elif step == "cancel":
        run_action(request, actions.cancel_count, sheet, user=request.user, reason=request.POST.get("reason", ""),
                   done=_("已作废盘点单"))
    else:
        raise PermissionDenied
    return redirect("stockops:count_detail", pk=sheet.pk)


# --- scrap notes --------------------------------------------------------------------------------


@internal_page("stockops.view_scrapnote")
def scrap_list(request):
    rows = ScrapNote.objects.visible_to(request.user).select_related("warehouse", "client")
    return render(request, "stockops/scrap_list.html", {"notes": rows[:200]})


@internal_page("stockops.add_scrapnote")
def scrap_create(request):
    form = ScrapForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        note = _run(form, actions.create_scrap, user=request.user, client=data["client"],
                    warehouse=data["warehouse"], reason=data["reason"], lines=data["rows"])
        if note is not None:
            messages.success(request, _("已填写报废单 %(n)s，等待审批") % {"n": note.number})
            return redirect("stockops:scrap_detail", pk=note.pk)
    return _form_page(request, form, title=_("填写报废单"), back="stockops:scraps")


def _scrap(request, pk):
    return get_visible_or_404(ScrapNote.objects.select_related("warehouse", "client"), request.user, pk=pk)


@internal_page("stockops.view_scrapnote")
def scrap_detail(request, pk: int):
    note = _scrap(request, pk)
    user = request.user
    return render(request, "stockops/scrap_detail.html", {
        "note": note, "lines": note.lines.select_related("sku", "bin", "lot"),
        "events": actions.events_of(DocKind.SCRAP, note),
        "can_approve": note.state == ScrapState.DRAFT and user.has_perm(actions.APPROVE_SCRAP_PERM),
        "can_post": note.state == ScrapState.APPROVED and user.has_perm(actions.POST_PERM),
        "can_cancel": note.state in OPEN_SCRAPS and user.has_perm("stockops.change_scrapnote"),
    })


@require_POST
@internal_page("stockops.view_scrapnote")
def scrap_step(request, pk: int, step: str):
    note = _scrap(request, pk)
    if step == "approve":
        run_action(request, actions.approve_scrap, note, user=request.user, done=_("已审批报废单"))
    elif step == "post":
        run_action(request, actions.post_scrap, note, user=request.user, done=_("报废已过账"))
    elif step == "cancel":
        run_action(request, actions.cancel_scrap, note, user=request.user, reason=request.POST.get("reason", ""),
                   done=_("已作废报废单"))
    else:
        raise PermissionDenied
    return redirect("stockops:scrap_detail", pk=note.pk)


# --- sample loans -------------------------------------------------------------------------------


@internal_page("stockops.view_sampleloan")
def loan_list(request):
    today = timezone.localdate()
    loans = list(SampleLoan.objects.visible_to(request.user).select_related("warehouse", "client")[:200])
    for loan in loans:
        loan.overdue = loan.is_overdue(today)
    return render(request, "stockops/loan_list.html", {"loans": loans})


@internal_page("stockops.add_sampleloan")
def loan_create(request):
    form = LoanForm(request.POST or None, user=request.user, initial={"lent_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        loan = _run(form, actions.lend_samples, user=request.user, client=data["client"],
                    warehouse=data["warehouse"], borrower=data["borrower"], purpose=data["purpose"],
                    lent_on=data["lent_on"], lines=data["lines"])
        if loan is not None:
            messages.success(request, _("已借出样品 %(n)s") % {"n": loan.number})
            return redirect("stockops:loan_detail", pk=loan.pk)
    return _form_page(request, form, title=_("样品借出（拍摄）"), back="stockops:loans")


def _loan(request, pk):
    return get_visible_or_404(SampleLoan.objects.select_related("warehouse", "client", "samples_bin"),
                              request.user, pk=pk)


@internal_page("stockops.view_sampleloan")
def loan_detail(request, pk: int):
    loan = _loan(request, pk)
    user = request.user
    form = None
    lent = loan.state == LoanState.LENT
    if lent and user.has_perm(actions.LOAN_PERM):
        form = ExtensionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            if _run(form, actions.request_extension, loan, user=user, new_due_on=form.cleaned_data["new_due_on"],
                    note=form.cleaned_data["note"]) is not None:
                messages.success(request, _("已提交延期申请，等待仓库主管审批"))
                return redirect("stockops:loan_detail", pk=loan.pk)
    return render(request, "stockops/loan_detail.html", {
        "loan": loan, "lines": loan.lines.select_related("sku__style", "lot", "from_bin"),
        "extensions": loan.extensions.select_related("requested_by", "decided_by"),
        "overdue": loan.is_overdue(timezone.localdate()),
        "events": actions.events_of(DocKind.SAMPLE_LOAN, loan),
        "extension_form": form,
        "can_decide": lent and user.has_perm(actions.APPROVE_EXTENSION_PERM),
        "can_return": lent and user.has_perm(actions.LOAN_PERM),
        "normal_bins": Bin.objects.filter(warehouse=loan.warehouse, kind="normal", is_active=True),
    })


@require_POST
@internal_page("stockops.view_sampleloan")
def loan_return(request, pk: int):
    loan = _loan(request, pk)
    to_bin = None
    if request.POST.get("to_bin"):
        to_bin = Bin.objects.filter(warehouse=loan.warehouse, pk=request.POST["to_bin"]).first()
    run_action(request, actions.return_samples, loan, user=request.user, to_bin=to_bin, done=_("样品已归还入库"))
    return redirect("stockops:loan_detail", pk=loan.pk)


@require_POST
@internal_page("stockops.view_sampleloan")
def loan_decide(request, pk: int, extension_pk: int):
    loan = _loan(request, pk)
    extension = SampleLoanExtension.objects.filter(loan=loan, pk=extension_pk, state=ExtensionState.PENDING).first()
    if extension is None:
        return HttpResponse(status=404)
    approve = request.POST.get("decision") == "approve"
    run_action(request, actions.decide_extension, extension, user=request.user, approve=approve,
               done=_("已批准延期") if approve else _("已驳回延期"))
    return redirect("stockops:loan_detail", pk=loan.pk)
