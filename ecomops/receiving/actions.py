"""Every change to receiving and QC goes through here (WMS-01…06, WMS-15, WMS-25, CAT-08).

Receive (WMS-01) → sign by the receiver and the warehouse supervisor (WMS-03) → book the same day into
an inspection bin as a new lot, and on the purchase order → QC sampling per colour-size (WMS-04,
WMS-25) → put away the accepted goods to normal bins; defects and rejected deliveries go to the
defective bin and onto the supplier's return (WMS-05, WMS-16) → inbound notice to sales and the
warehouse (WMS-06, WMS-15) and, for a new style, the CAT-08 due items.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ecomops.audit import dues
from ecomops.catalog.models import SKU
from ecomops.core.errors import BusinessError, Conflict, NotAllowed
from ecomops.core.flow import allowed, transition
from ecomops.core.history import save_audited
from ecomops.inventory import actions as inventory
from ecomops.inventory.enums import BinKind, DocKind
from ecomops.inventory.ledger import DocRef, Move, post_moves
from ecomops.inventory.models import Bin, StockBalance, StockMove
from ecomops.org.actions import require_internal, require_perm
from ecomops.org.enums import StaffState
from ecomops.org.scoping import scope_for
from ecomops.policy import registry
from ecomops.supply.enums import OPEN_PO_STATES, ReturnReason
from ecomops.supply.models import PurchaseOrder
from ecomops.supply.purchasing import record_received
from ecomops.supply.returns import ReturnItem, raise_supplier_return

from . import sampling
from .enums import RECEIPT_FLOW, QcRecordKind, QcStage, ReceiptState
from .models import QcRecord, Receipt, ReceiptLine

RECEIPT_PREFIX = Receipt.number_prefix
PUTAWAY_PREFIX = "SJ"

ADD_PERM = "receiving.add_receipt"
CHANGE_PERM = "receiving.change_receipt"
SIGN_PERM = "receiving.sign_receipt"
APPROVE_PERM = "receiving.approve_receipt"
BOOK_PERM = "receiving.book_receipt"
INSPECT_PERM = "receiving.inspect_receipt"
PUTAWAY_PERM = "receiving.putaway_receipt"

# WMS-25 policy keys; values in force on the receipt (booking) date.
FIRST_RATE_KEY = "WMS-25.first_sample_rate"
SECOND_RATE_KEY = "WMS-25.second_sample_rate"
REJECT_BELOW_KEY = "WMS-25.reject_below_pass_rate"
MIN_UNITS_KEY = "WMS-25.min_sample_units"
QC_KEYS = (FIRST_RATE_KEY, SECOND_RATE_KEY, REJECT_BELOW_KEY, MIN_UNITS_KEY)

GM_POSITION = "general_manager"  # 总经理, department gm_office (总经办): WMS-25 rejections are reported there
GM_DEPARTMENT = "gm_office"
SALES_POSITIONS = ("sales_cs", "ecom_supervisor")  # WMS-15: arrival notices to sales …
WAREHOUSE_POSITIONS = ("warehouse_supervisor", "warehouse_clerk")  # … and to the warehouse

REJECTED_DUE_KIND = "receiving.qc_rejected"
NOTICE_DUE_KIND = "receiving.inbound_notice"

REASON_MAX = 200


# --- helpers ------------------------------------------------------------------------------------


def _check(user, perm: str, client_id: int) -> None:
    require_perm(user, perm)
    require_internal(user)
    if not scope_for(user).sees_client(client_id, whole=False):
        raise NotAllowed(_("您无权操作该委托方的收货"))


def _lock(receipt: Receipt) -> Receipt:
    return Receipt.objects.select_for_update().select_related("warehouse", "purchase_order", "supplier").get(
        pk=receipt.pk
    )


def _move_to(receipt: Receipt, state: str, *, user, reason: str) -> None:
    """``core.flow.transition`` with RECEIPT_FLOW; a refused step is a conflict (409) saying what was
    attempted (``reason``, also the history row's reason)."""

    def check(receipt: Receipt, to: str) -> None:
        if not allowed(RECEIPT_FLOW, receipt.state, to):
            raise Conflict(
                _("入库单 %(n)s 当前状态为“%(s)s”，不能%(what)s")
                % {"n": receipt.number, "s": receipt.get_state_display(), "what": reason}
            )

    transition(receipt, state, flow=RECEIPT_FLOW, user=user, reason=reason, check=check)


def _wrong_state(receipt: Receipt, what: str) -> Conflict:
    return Conflict(
        _("入库单 %(n)s 当前状态为“%(s)s”，不能%(what)s")
        % {"n": receipt.number, "s": receipt.get_state_display(), "what": what}
    )


def receipt_doc(receipt: Receipt) -> DocRef:
    return DocRef(kind=DocKind.RECEIPT, id=str(receipt.pk), number=receipt.number)


def putaway_doc(receipt: Receipt) -> DocRef:
    return DocRef(kind=DocKind.PUTAWAY, id=str(receipt.pk), number=receipt.putaway_number or receipt.number)


def _end_of_today() -> datetime:
    return timezone.make_aware(datetime.combine(timezone.localdate(), time(23, 59, 59)))


# --- WMS-01: compare delivery note, goods and purchase order ------------------------------------


@dataclass(frozen=True)
class Issue:
    code: str
    message: str


def line_issues(noted: int, counted: int, outstanding: int, state_ok: bool = True, spec_ok: bool = True) -> list[Issue]:
    """WMS-01: how the delivery note, the goods and the purchase order disagree on one SKU. Each of
    these needs a reason on the line; goods beyond what the order still expects are refused."""
    issues = []
    if noted != counted:
        issues.append(Issue("note_vs_goods", _("送货单 %(n)s 件，实收 %(c)s 件") % {"n": noted, "c": counted}))
    if counted < outstanding:
        issues.append(Issue("short", _("少于采购未到数量 %(o)s 件") % {"o": outstanding}))
    if not state_ok:
        issues.append(Issue("state", _("外观状态异常")))
    if not spec_ok:
        issues.append(Issue("spec", _("规格与采购单不符")))
    return issues


def _needs_reason(issues: list[Issue]) -> bool:
    # A short delivery against the purchase order is a normal partial delivery; everything else is a
    # mismatch the receiver must explain (WMS-01).
    return any(issue.code != "short" for issue in issues)


def _check_line(receipt: Receipt, sku: SKU, noted: int, counted: int, state_ok: bool, spec_ok: bool,
                reason: str, po_line) -> None:
    label = sku.sku_code
    if po_line is None:
        raise BusinessError(
            _("SKU %(sku)s 不在采购单 %(po)s 上，拒收（WMS-01）") % {"sku": label, "po": receipt.purchase_order.number},
            field="sku",
        )
    for name, value in (("noted_quantity", noted), ("counted_quantity", counted)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 0 or value > 1_000_000:
            raise BusinessError(_("数量须为 0 到 1000000 之间的整数"), field=name)
    if noted == 0 and counted == 0:
        raise BusinessError(_("送货单数量与实收数量不能都为 0"), field="counted_quantity")
    if counted > po_line.outstanding:
        raise BusinessError(
            _("SKU %(sku)s 实收 %(c)s 件，超过采购单未到数量 %(o)s 件，超出部分拒收（WMS-01）")
            % {"sku": label, "c": counted, "o": po_line.outstanding},
            field="counted_quantity",
        )
    issues = line_issues(noted, counted, po_line.outstanding, state_ok, spec_ok)
    if _needs_reason(issues) and not reason:
        raise BusinessError(
            _("SKU %(sku)s 有差异（%(list)s），请填写差异说明（WMS-01）")
            % {"sku": label, "list": "；".join(i.message for i in issues if i.code != "short")},
            field="mismatch_reason",
        )
    if len(reason) > REASON_MAX:
        raise BusinessError(_("差异说明最多 %(n)s 字") % {"n": REASON_MAX}, field="mismatch_reason")


# --- receipts -----------------------------------------------------------------------------------


@transaction.atomic
def create_receipt(*, user, purchase_order: PurchaseOrder, delivery_note_no: str, note: str = "") -> Receipt:
    """A receipt for a delivery against ``purchase_order`` (WMS-01); its supplier and warehouse are the
    order's. Refused for an order that is not open for receiving."""
    _check(user, ADD_PERM, purchase_order.client_id)
    delivery_note_no = (delivery_note_no or "").strip()
    if not delivery_note_no:
        raise BusinessError(_("请填写送货单号"), field="delivery_note_no")
    if len(delivery_note_no) > 60:
        raise BusinessError(_("送货单号最多 60 字"), field="delivery_note_no")
    if len(note or "") > REASON_MAX:
        raise BusinessError(_("备注最多 %(n)s 字") % {"n": REASON_MAX}, field="note")
    if purchase_order.state not in OPEN_PO_STATES:
        raise BusinessError(
            _("采购单 %(n)s 当前状态为“%(s)s”，不能收货")
            % {"n": purchase_order.number, "s": purchase_order.get_state_display()},
            field="purchase_order",
        )
    receipt = Receipt(
        number=inventory.next_number(RECEIPT_PREFIX),
        client_id=purchase_order.client_id,
        warehouse_id=purchase_order.warehouse_id,
        purchase_order=purchase_order,
        supplier_id=purchase_order.supplier_id,
        delivery_note_no=delivery_note_no,
        note=(note or "").strip(),
        created_by=user,
    )
    save_audited(receipt, user=user)
    return receipt


@transaction.atomic
def set_line(receipt: Receipt, *, user, sku: SKU, noted_quantity: int, counted_quantity: int,
             state_ok: bool = True, spec_ok: bool = True, reason: str = "") -> ReceiptLine:
    """Enter (or correct, while receiving) one SKU of the delivery: the delivery-note quantity, the
    counted goods and the state/spec checks (WMS-01). Goods not on the purchase order and goods beyond
    its outstanding quantity are refused; any other mismatch needs a reason."""
    _check(user, CHANGE_PERM, receipt.client_id)
    receipt = _lock(receipt)
    if not receipt.is_editable:
        raise _wrong_state(receipt, _("修改收货明细"))
    if sku.client_id != receipt.client_id:
        raise BusinessError(_("SKU %(sku)s 不属于该委托方") % {"sku": sku.sku_code}, field="sku")
    reason = (reason or "").strip()
    po_line = receipt.purchase_order.lines.filter(sku=sku).first()
    _check_line(receipt, sku, noted_quantity, counted_quantity, state_ok, spec_ok, reason, po_line)
    line = receipt.lines.filter(sku=sku).first() or ReceiptLine(receipt=receipt, sku=sku, po_line=po_line)
    line.noted_quantity, line.counted_quantity = noted_quantity, counted_quantity
    line.outstanding_quantity = po_line.outstanding
    line.state_ok, line.spec_ok, line.mismatch_reason = state_ok, spec_ok, reason
    save_audited(line, user=user)
    return line


@transaction.atomic
def remove_line(receipt: Receipt, line: ReceiptLine, *, user) -> None:
    _check(user, CHANGE_PERM, receipt.client_id)
    receipt = _lock(receipt)
    if not receipt.is_editable:
        raise _wrong_state(receipt, _("修改收货明细"))
    if line.receipt_id != receipt.pk:
        raise BusinessError(_("明细不属于该入库单"), field="line")
    line._history_user = user
    line.delete()


def _recheck_lines(receipt: Receipt) -> list[ReceiptLine]:
    """The purchase order may have moved on since the lines were entered (another receipt booked):
    compare again before signing and booking (WMS-01)."""
    lines = list(receipt.lines.select_related("sku", "po_line").order_by("pk"))
    if not any(line.counted_quantity for line in lines):
        raise BusinessError(_("入库单没有实收数量，不能签字"), field="lines")
    for line in lines:
        line.po_line.refresh_from_db()
        _check_line(receipt, line.sku, line.noted_quantity, line.counted_quantity, line.state_ok, line.spec_ok,
                    line.mismatch_reason, line.po_line)
    return lines


@transaction.atomic
def sign_receipt(receipt: Receipt, *, user, role: str) -> Receipt:
    """WMS-03: the receiver signs first, then the warehouse supervisor; two different people, each once."""
    if role not in ("receiver", "supervisor"):
        raise BusinessError(_("签字角色无效"), field="role")
    _check(user, SIGN_PERM if role == "receiver" else APPROVE_PERM, receipt.client_id)
    receipt = _lock(receipt)
    now = timezone.now()
    if role == "receiver":
        if receipt.state != ReceiptState.DRAFT:
            if receipt.receiver_signed_by_id:
                raise Conflict(_("入库单 %(n)s 收货员已签字，不能重复签字") % {"n": receipt.number})
            raise _wrong_state(receipt, _("签字"))
        _recheck_lines(receipt)
        receipt.receiver_signed_by, receipt.receiver_signed_at = user, now
        _move_to(receipt, ReceiptState.RECEIVER_SIGNED, user=user, reason=str(_("收货员签字")))
        return receipt
    if receipt.state == ReceiptState.DRAFT:
        raise Conflict(_("入库单 %(n)s 收货员尚未签字，仓库主管不能先签") % {"n": receipt.number})
    if receipt.state != ReceiptState.RECEIVER_SIGNED:
        if receipt.supervisor_signed_by_id:
            raise Conflict(_("入库单 %(n)s 仓库主管已签字，不能重复签字") % {"n": receipt.number})
        raise _wrong_state(receipt, _("签字"))
    if receipt.receiver_signed_by_id == user.pk:
        raise NotAllowed(_("收货员与仓库主管须由两人分别签字（WMS-03）"))
    _recheck_lines(receipt)
    receipt.supervisor_signed_by, receipt.supervisor_signed_at = user, now
    _move_to(receipt, ReceiptState.SIGNED, user=user, reason=str(_("仓库主管签字")))
    return receipt


def _bin_of_kind(warehouse, kind: str, chosen: Bin | None, field: str) -> Bin:
    if chosen is not None:
        if chosen.warehouse_id != warehouse.pk or chosen.kind != kind or not chosen.is_active:
            raise BusinessError(
                _("库位 %(bin)s 不是本仓启用的%(kind)s") % {"bin": chosen.code, "kind": BinKind(kind).label},
                field=field,
            )
        return chosen
    found = Bin.objects.filter(warehouse=warehouse, kind=kind, is_active=True).order_by("pick_order", "code").first()
    if found is None:
        raise BusinessError(
            _("仓库 %(wh)s 没有启用的%(kind)s库位") % {"wh": warehouse.code, "kind": BinKind(kind).label}, field=field
        )
    return found


def qc_rules(on) -> tuple[sampling.Rules, dict]:
    """The WMS-25 values in force on ``on`` and the record of the versions used."""
    resolved = {key: registry.resolve(key, on=on) for key in QC_KEYS}
    rules = sampling.Rules(
        first_rate=resolved[FIRST_RATE_KEY].value,
        second_rate=resolved[SECOND_RATE_KEY].value,
        reject_below=resolved[REJECT_BELOW_KEY].value,
        min_units=int(resolved[MIN_UNITS_KEY].value),
    )
    record = {
        "on": on.isoformat(),
        "values": {key: str(r.value) for key, r in resolved.items()},
        "versions": {key: r.version.number for key, r in resolved.items()},
        "citations": {key: r.citation for key, r in resolved.items()},
    }
    return rules, record


def rules_of(receipt: Receipt) -> sampling.Rules:
    values = receipt.qc_policy["values"]
    return sampling.Rules(
        first_rate=Decimal(values[FIRST_RATE_KEY]), second_rate=Decimal(values[SECOND_RATE_KEY]),
        reject_below=Decimal(values[REJECT_BELOW_KEY]), min_units=int(values[MIN_UNITS_KEY]),
    )


@transaction.atomic
def book_receipt(receipt: Receipt, *, user, inspection_bin: Bin | None = None) -> Receipt:
    """WMS-03: book the signed receipt the same day it was signed: a new lot (supplier = the order's)
    enters an inspection bin (WMS-04: nothing is for sale before QC), and the purchase order records
    what arrived. The WMS-25 values in force today are fixed on the receipt."""
    _check(user, BOOK_PERM, receipt.client_id)
    receipt = _lock(receipt)
    if receipt.state != ReceiptState.SIGNED:
        raise _wrong_state(receipt, _("记账"))
    today = timezone.localdate()
    signed_on = timezone.localdate(receipt.supervisor_signed_at)
    if signed_on != today:
        raise BusinessError(
            _("入库单 %(n)s 于 %(d)s 签字，须当日记账（WMS-03）；请作废后重新收货")
            % {"n": receipt.number, "d": signed_on},
            field="state",
        )
    bin_ = _bin_of_kind(receipt.warehouse, BinKind.INSPECTION, inspection_bin, "inspection_bin")
    lines = _recheck_lines(receipt)
    rules, record = qc_rules(today)
    lot = inventory.open_lot(client=receipt.client, source=receipt_doc(receipt), received_on=today,
                             supplier=receipt.supplier, note=_("入库单 %(n)s") % {"n": receipt.number})
    moves = [
        Move(sku_id=line.sku_id, lot_id=lot.pk, quantity=line.counted_quantity, to_bin=bin_,
             note=_("送货单 %(d)s") % {"d": receipt.delivery_note_no})
        for line in lines if line.counted_quantity
    ]
    post_moves(moves, doc=receipt_doc(receipt), user=user)
    record_received(
        receipt.purchase_order, {line.sku_id: line.counted_quantity for line in lines if line.counted_quantity},
        user=user,
    )
    for line in lines:
        if line.counted_quantity:
            line.qc_stage = QcStage.FIRST_SAMPLE
            line.first_sample = sampling.first_sample_size(line.counted_quantity, rules)
        else:
            line.qc_stage = QcStage.NOT_RECEIVED
        save_audited(line, user=user, reason=str(_("记账")))
    receipt.lot, receipt.inspection_bin = lot, bin_
    receipt.booked_by, receipt.booked_at = user, timezone.now()
    receipt.qc_policy = record
    _move_to(receipt, ReceiptState.BOOKED, user=user, reason=str(_("记账")))
    return receipt


@transaction.atomic
def cancel_receipt(receipt: Receipt, *, user, reason: str) -> Receipt:
    """A receipt not yet booked may be cancelled with a reason (a booked one is corrected by reversal)."""
    _check(user, CHANGE_PERM, receipt.client_id)
    receipt = _lock(receipt)
    reason = (reason or "").strip()
    if not reason:
        raise BusinessError(_("请填写作废原因"), field="reason")
    receipt.cancel_reason = reason[:REASON_MAX]
    _move_to(receipt, ReceiptState.CANCELLED, user=user, reason=str(_("作废")))
    return receipt


# --- WMS-25: QC sampling -------------------------------------------------------------------------


def line_step(receipt: Receipt, line: ReceiptLine) -> sampling.Step | None:
    """What QC does next on ``line`` (None for lines with nothing to inspect)."""
    if line.qc_stage == QcStage.NOT_RECEIVED or not receipt.qc_policy:
        return None
    return sampling.next_step(line.counted_quantity, rules_of(receipt), line.first_failed, line.second_failed)


def _qc_line(receipt: Receipt, line: ReceiptLine, user) -> ReceiptLine:
    _check(user, INSPECT_PERM, receipt.client_id)
    if receipt.state in (ReceiptState.DRAFT, ReceiptState.RECEIVER_SIGNED, ReceiptState.SIGNED):
        raise Conflict(_("入库单 %(n)s 尚未记账入待检区，不能质检（WMS-04）") % {"n": receipt.number})
    if receipt.state != ReceiptState.BOOKED:
        raise _wrong_state(receipt, _("质检"))
    line = ReceiptLine.objects.select_for_update().select_related("sku").filter(pk=line.pk, receipt=receipt).first()
    if line is None:
        raise BusinessError(_("明细不属于该入库单"), field="line")
    return line


def _counts(size: int, failed, passed) -> tuple[int, int]:
    if failed is None or isinstance(failed, bool) or not isinstance(failed, int) or failed < 0:
        raise BusinessError(_("请填写不合格件数（0 或正整数）"), field="failed")
    if passed is None:
        passed = size - failed
    if isinstance(passed, bool) or not isinstance(passed, int) or passed < 0:
        raise BusinessError(_("合格件数须为 0 或正整数"), field="passed")
    if passed + failed != size:
        raise BusinessError(
            _("本次须抽检 %(size)s 件：合格 %(p)s + 不合格 %(f)s 不等于 %(size)s")
            % {"size": size, "p": passed, "f": failed},
            field="failed",
        )
    return passed, failed


def _record(receipt, line, kind, *, sampled, passed, failed, outcome, reason, user) -> QcRecord:
    return QcRecord.objects.create(
        receipt=receipt, line=line, kind=kind, sampled=sampled, passed=passed, failed=failed,
        outcome=str(outcome)[:100], reason=(reason or "")[:REASON_MAX], by=user, at=timezone.now(),
    )


@transaction.atomic
def record_sample(receipt: Receipt, line: ReceiptLine, *, user, failed: int, passed: int | None = None,
                  reason: str = "") -> ReceiptLine:
    """WMS-25: the inspector's result of the sample the line is waiting for. All pass → accepted;
    a failure in the first → the second sample; after the second → full inspection (pass rate ≥ the
    policy line) or the whole delivery is rejected (below it)."""
    receipt = _lock(receipt)
    line = _qc_line(receipt, line, user)
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX:
        raise BusinessError(_("问题描述最多 %(n)s 字") % {"n": REASON_MAX}, field="reason")
    step = line_step(receipt, line)
    if step is None or step.outcome not in (sampling.Outcome.SAMPLE_FIRST, sampling.Outcome.SAMPLE_SECOND):
        raise Conflict(
            _("SKU %(sku)s 当前为“%(s)s”，不需要抽检") % {"sku": line.sku.sku_code, "s": line.get_qc_stage_display()}
        )
    passed, failed = _counts(step.sample_size, failed, passed)
    if failed and not reason:
        raise BusinessError(_("有不合格品时请填写问题描述"), field="reason")
    first = step.outcome == sampling.Outcome.SAMPLE_FIRST
    if first:
        line.first_sample, line.first_failed = step.sample_size, failed
        after = sampling.next_step(line.counted_quantity, rules_of(receipt), failed)
    else:
        line.second_sample, line.second_failed = step.sample_size, failed
        after = sampling.next_step(line.counted_quantity, rules_of(receipt), line.first_failed, failed)
    if reason:
        line.defect_reason = reason
    kind = QcRecordKind.FIRST_SAMPLE if first else QcRecordKind.SECOND_SAMPLE
    if after.outcome == sampling.Outcome.SAMPLE_SECOND:
        line.second_sample = after.sample_size
    _record(receipt, line, kind, sampled=step.sample_size, passed=passed, failed=failed,
            outcome=outcome_label(after), reason=reason, user=user)
    return _apply_step(receipt, line, after, user=user)


def outcome_label(step: sampling.Step) -> str:
    rate = sampling.percent(step.rate)
    return {
        sampling.Outcome.SAMPLE_FIRST: _("待首次抽检 %(n)s 件") % {"n": step.sample_size},
        sampling.Outcome.SAMPLE_SECOND: _("有不合格，再抽检 %(n)s 件") % {"n": step.sample_size},
        sampling.Outcome.ACCEPT: _("全部合格，接收"),
        sampling.Outcome.FULL_INSPECTION: _("合格率 %(r)s，全检") % {"r": rate},
        sampling.Outcome.REJECT: _("合格率 %(r)s，整批拒收") % {"r": rate},
    }[step.outcome]


def _apply_step(receipt: Receipt, line: ReceiptLine, step: sampling.Step, *, user) -> ReceiptLine:
    if step.outcome == sampling.Outcome.SAMPLE_SECOND:
        line.qc_stage = QcStage.SECOND_SAMPLE
    elif step.outcome == sampling.Outcome.ACCEPT:
        line.qc_stage, line.accepted_quantity, line.defective_quantity = QcStage.ACCEPTED, line.counted_quantity, 0
    elif step.outcome == sampling.Outcome.FULL_INSPECTION:
        line.qc_stage = QcStage.FULL_INSPECTION
    save_audited(line, user=user, reason=outcome_label(step))
    if step.outcome == sampling.Outcome.REJECT:
        _reject_delivery(receipt, line, step, user=user)
    else:
        _finish_qc_if_done(receipt, user=user)
    return line


@transaction.atomic
def record_full_inspection(receipt: Receipt, line: ReceiptLine, *, user, defective: int,
                           reason: str = "") -> ReceiptLine:
    """WMS-25: every unit of the colour-size was inspected: ``defective`` units failed (at least those
    the samples found). Good units are accepted; defects go to the defective bin and the supplier's
    return (reason qc_defect, WMS-05, WMS-16)."""
    receipt = _lock(receipt)
    line = _qc_line(receipt, line, user)
    if line.qc_stage != QcStage.FULL_INSPECTION:
        raise Conflict(
            _("SKU %(sku)s 当前为“%(s)s”，不需要全检") % {"sku": line.sku.sku_code, "s": line.get_qc_stage_display()}
        )
    if defective is None or isinstance(defective, bool) or not isinstance(defective, int):
        raise BusinessError(_("请填写全检次品件数"), field="defective")
    if not line.found_in_samples <= defective <= line.counted_quantity:
        raise BusinessError(
            _("全检次品件数须在 %(lo)s（抽检已发现）到 %(hi)s（全部件数）之间")
            % {"lo": line.found_in_samples, "hi": line.counted_quantity},
            field="defective",
        )
    reason = (reason or "").strip() or line.defect_reason
    if defective and not reason:
        raise BusinessError(_("请填写次品问题描述"), field="reason")
    if len(reason) > REASON_MAX:
        raise BusinessError(_("问题描述最多 %(n)s 字") % {"n": REASON_MAX}, field="reason")
    good = sampling.check_full_inspection(line.counted_quantity, line.found_in_samples, defective)
    line.accepted_quantity, line.defective_quantity, line.defect_reason = good, defective, reason
    line.qc_stage = QcStage.INSPECTED
    save_audited(line, user=user, reason=str(_("全检")))
    _record(receipt, line, QcRecordKind.FULL_INSPECTION, sampled=line.counted_quantity, passed=good,
            failed=defective, outcome=_("全检：合格 %(g)s 件，次品 %(d)s 件") % {"g": good, "d": defective},
            reason=reason, user=user)
    if defective:
        _isolate(receipt, [(line, defective, ReturnReason.QC_DEFECT, reason)], user=user)
    _finish_qc_if_done(receipt, user=user)
    return line


def _ensure_putaway_number(receipt: Receipt) -> None:
    if not receipt.putaway_number:
        receipt.putaway_number = inventory.next_number(PUTAWAY_PREFIX)


def _isolate(receipt: Receipt, items, *, user) -> None:
    """WMS-05: move non-conforming goods from the inspection bin to the defective bin (上架单) and add
    them to the supplier's collecting return (WMS-16)."""
    defective_bin = _bin_of_kind(receipt.warehouse, BinKind.DEFECTIVE, receipt.defective_bin, "defective_bin")
    _ensure_putaway_number(receipt)
    receipt.defective_bin = defective_bin
    moves = [
        Move(sku_id=line.sku_id, lot_id=receipt.lot_id, quantity=quantity, from_bin=receipt.inspection_bin,
             to_bin=defective_bin, note=str(ReturnReason(why).label))
        for line, quantity, why, _detail in items
    ]
    post_moves(moves, doc=putaway_doc(receipt), user=user)
    ret = raise_supplier_return(
        client=receipt.client, supplier=receipt.supplier, warehouse=receipt.warehouse,
        items=[ReturnItem(sku=line.sku, lot=receipt.lot, bin=defective_bin, quantity=quantity, reason=why,
                                 detail=detail or "") for line, quantity, why, detail in items],
        source=receipt.number, user=user,
    )
    receipt.supplier_return = ret
    save_audited(receipt, user=user, reason=str(_("次品入次品区")))


def _reject_delivery(receipt: Receipt, cause: ReceiptLine, step: sampling.Step, *, user) -> None:
    """WMS-25: the pass rate over both samples is below the line: the WHOLE delivery is rejected. What
    is still in the inspection bin goes to the defective bin and onto the supplier return (reason
    qc_rejected), and the GM office gets a due item."""
    items = []
    for line in receipt.lines.select_for_update().select_related("sku").order_by("pk"):
        if line.qc_stage == QcStage.NOT_RECEIVED:
            continue
        left = line.counted_quantity - line.defective_quantity
        line.qc_stage, line.accepted_quantity, line.defective_quantity = QcStage.REJECTED, 0, line.counted_quantity
        save_audited(line, user=user, reason=str(_("整批拒收")))
        if left:
            detail = _("整批拒收：%(sku)s 两次抽检合格率 %(r)s") % {"sku": cause.sku.sku_code,
                                                                    "r": sampling.percent(step.rate)}
            items.append((line, left, ReturnReason.QC_REJECTED, detail))
    _record(receipt, cause, QcRecordKind.REJECTION, sampled=step.sampled, passed=step.sampled - step.failed,
            failed=step.failed, outcome=outcome_label(step), reason=cause.defect_reason, user=user)
    if items:
        _isolate(receipt, items, user=user)
    now = timezone.now()
    receipt.rejected_at = receipt.qc_finished_at = now
    _move_to(receipt, ReceiptState.REJECTED, user=user, reason=str(_("整批拒收")))
    title = _("整批拒收：入库单 %(n)s（%(sup)s，采购单 %(po)s），%(sku)s 两次抽检合格率 %(r)s（WMS-25）") % {
        "n": receipt.number, "sup": receipt.supplier.name, "po": receipt.purchase_order.number,
        "sku": cause.sku.sku_code, "r": sampling.percent(step.rate),
    }
    dues.raise_dues(kind=REJECTED_DUE_KIND, owners=_gm_office(), title=title, due_at=_end_of_today(), source=receipt,
                    clause="WMS-25", link=reverse("receiving:receipt_detail", args=[receipt.pk]),
                    client=receipt.client)


def _finish_qc_if_done(receipt: Receipt, *, user) -> None:
    lines = list(receipt.lines.all())
    if not all(line.qc_done for line in lines):
        return
    receipt.qc_finished_at = timezone.now()
    if sum(line.accepted_quantity for line in lines) == 0:
        receipt.completed_at = receipt.qc_finished_at
        _move_to(receipt, ReceiptState.COMPLETED, user=user, reason=str(_("质检完成，无合格品")))
        return
    _move_to(receipt, ReceiptState.INSPECTED, user=user, reason=str(_("质检完成")))


def _active_users(q: Q) -> list:
    User = get_user_model()
    return list(User.objects.filter(q, is_active=True, staff__status=StaffState.ACTIVE).distinct().order_by("pk"))


def _superusers() -> list:
    return list(get_user_model().objects.filter(is_active=True, is_superuser=True).order_by("pk"))


def _gm_office() -> list:
    """总经办: the general manager and the staff of the GM office department (reference.toml)."""
    return _active_users(Q(staff__positions__code=GM_POSITION) | Q(staff__department__code=GM_DEPARTMENT)) or (
        _superusers()
    )


# --- WMS-05, WMS-06: put-away ---------------------------------------------------------------------


def find_line(receipt: Receipt, code: str) -> ReceiptLine | None:
    """The line of a scanned SKU barcode (or SKU code)."""
    code = (code or "").strip()
    if not code:
        return None
    return (
        receipt.lines.select_related("sku", "sku__style")
        .filter(Q(sku__barcode=code) | Q(sku__sku_code=code)).order_by("pk").first()
    )


def suggest_bin(receipt: Receipt, sku: SKU) -> Bin | None:
    """WMS-07: the normal bin where the SKU already lies (most units first), else None."""
    balance = (
        StockBalance.objects.select_related("bin")
        .filter(sku=sku, warehouse=receipt.warehouse, bin__kind=BinKind.NORMAL, bin__is_active=True, on_hand__gt=0)
        .order_by("-on_hand", "bin__pick_order", "bin__code").first()
    )
    return balance.bin if balance else None


@transaction.atomic
def put_away(receipt: Receipt, *, user, sku: SKU, bin: Bin, quantity: int) -> ReceiptLine:  # noqa: A002
    """WMS-05: ``quantity`` accepted units of ``sku`` go from the inspection bin to the normal bin
    ``bin``. When every accepted unit is put away the receipt is complete: the inbound notice goes out
    (WMS-06, WMS-15) and new styles get their CAT-08 due items."""
    _check(user, PUTAWAY_PERM, receipt.client_id)
    receipt = _lock(receipt)
    if receipt.state in (ReceiptState.DRAFT, ReceiptState.RECEIVER_SIGNED, ReceiptState.SIGNED,
                         ReceiptState.BOOKED):
        raise Conflict(_("入库单 %(n)s 质检尚未完成，不能上架（WMS-04）") % {"n": receipt.number})
    if receipt.state != ReceiptState.INSPECTED:
        raise _wrong_state(receipt, _("上架"))
    line = receipt.lines.select_for_update().select_related("sku", "sku__style").filter(sku=sku).first()
    if line is None:
        raise BusinessError(_("SKU %(sku)s 不在入库单 %(n)s 上") % {"sku": sku.sku_code, "n": receipt.number},
                            field="sku")
    if bin is None or bin.warehouse_id != receipt.warehouse_id or bin.kind != BinKind.NORMAL or not bin.is_active:
        raise BusinessError(_("请扫描本仓启用的正常库位（合格品只能上架到正常库位，WMS-05）"), field="bin")
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        raise BusinessError(_("上架数量须为正整数"), field="quantity")
    if quantity > line.to_put_away:
        raise BusinessError(
            _("SKU %(sku)s 待上架 %(left)s 件，不能上架 %(q)s 件") % {"sku": sku.sku_code, "left": line.to_put_away,
                                                                 "q": quantity},
            field="quantity",
        )
    _ensure_putaway_number(receipt)
    post_moves([Move(sku_id=sku.pk, lot_id=receipt.lot_id, quantity=quantity, from_bin=receipt.inspection_bin,
                     to_bin=bin)], doc=putaway_doc(receipt), user=user)
    line.put_away_quantity += quantity
    save_audited(line, user=user, reason=str(_("上架")))
    save_audited(receipt, user=user, reason=str(_("上架")))
    if all(line.to_put_away == 0 for line in receipt.lines.all()):
        receipt.completed_at = timezone.now()
        _move_to(receipt, ReceiptState.COMPLETED, user=user, reason=str(_("上架完成")))
        _after_put_away(receipt, user=user)
    return line


def _notice_owners(receipt: Receipt) -> list:
    """WMS-15: sales staff who serve the client, and the warehouse (supervisor, clerks) — only those who
    see the client (DAT-02, AGY-07: the notice is the client's, like the receipt it links to); the
    superusers when nobody does."""
    warehouse = _active_users(Q(staff__positions__code__in=WAREHOUSE_POSITIONS))
    if receipt.warehouse.supervisor_id:
        warehouse.append(receipt.warehouse.supervisor)
    found, seen = [], set()
    for user in _active_users(Q(staff__positions__code__in=SALES_POSITIONS)) + warehouse:
        if user.pk not in seen and scope_for(user).sees_client(receipt.client_id):
            seen.add(user.pk)
            found.append(user)
    return found or _superusers()


def first_time_styles(receipt: Receipt) -> list:
    """CAT-08: styles of this receipt's accepted goods never received before: no other completed
    receipt put any of them away, and no opening stock of them exists."""
    styles = {line.sku.style_id: line.sku.style for line in
              receipt.lines.select_related("sku__style").filter(accepted_quantity__gt=0)}
    earlier = set(
        ReceiptLine.objects.filter(sku__style_id__in=styles, accepted_quantity__gt=0,
                                   receipt__state=ReceiptState.COMPLETED)
        .exclude(receipt=receipt).values_list("sku__style_id", flat=True)
    ) | set(
        StockMove.objects.filter(sku__style_id__in=styles, doc_kind=DocKind.OPENING).values_list("sku__style_id",
                                                                                                 flat=True)
    )
    return [style for pk, style in sorted(styles.items()) if pk not in earlier]


def _after_put_away(receipt: Receipt, *, user) -> None:
    from ecomops.listing.actions import raise_new_product_chain

    lines = list(receipt.lines.select_related("sku__style").filter(accepted_quantity__gt=0).order_by("pk"))
    by_style: dict[str, int] = {}
    hero = False
    for line in lines:
        by_style[line.sku.style.style_no] = by_style.get(line.sku.style.style_no, 0) + line.accepted_quantity
        hero = hero or line.sku.style.is_hero
    summary = "、".join(f"{no} {qty} 件" for no, qty in by_style.items())
    title = _("到货通知：%(styles)s 已入库上架（入库单 %(n)s）") % {"styles": summary, "n": receipt.number}
    if hero:
        title = _("%(t)s，爆款补货须当天上架销售（WMS-15）") % {"t": title}
    dues.raise_dues(kind=NOTICE_DUE_KIND, owners=_notice_owners(receipt), title=title, due_at=_end_of_today(),
                    source=receipt, clause="WMS-15", link=reverse("receiving:receipt_detail", args=[receipt.pk]),
                    client=receipt.client)
    for style in first_time_styles(receipt):
        raise_new_product_chain(style, receipt.completed_at, user=user)  # CAT-08


def has_open_notice(receipt: Receipt, user) -> bool:
    """WMS-15: ``user`` has an arrival notice of this receipt still to read."""
    return dues.open_due_exists(kind=NOTICE_DUE_KIND, source=receipt, owner=user)


def acknowledge_notice(receipt: Receipt, *, user) -> int:
    """The sales or warehouse person has read the inbound notice (WMS-15)."""
    return dues.complete_due(kind=NOTICE_DUE_KIND, source=receipt, owner=user, user=user)

