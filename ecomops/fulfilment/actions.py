"""The packing station and the leaving of parcels (FUL-02, FUL-03, FUL-04, ORD-01): the only code that
changes a ``PackCheck`` or a ``Handover``.

Each function is one business act in one transaction: the permission (staff only, AGY-07), the
order found in the user's scope (DAT-02: another client's order is "unknown", with the same words),
the order row locked, the step checked against ``enums.CHECK_FLOW`` / ``HANDOVER_FLOW`` through
``core.flow.transition``, and the step written on the order's events (``orders.events``).

- ``start_check`` (FUL-02): a scanned tracking number or platform order number opens the order's
  check with the units it expects per SKU; ``scan_item`` counts one unit (wrong SKU "错货", more than
  ordered "多货" refused); the last unit verifies the order (``finish_check`` refuses what is missing,
  "少货").
- ``pack`` (FUL-03) records the packaging used and takes it out of the warehouse's packaging stock
  (``supply.packaging.consume_packaging``); the packing list goes into the parcel (``packing_list_pdf``).
- ``weigh`` (FUL-04): the weight against the expected one (SKU weights × quantities + packaging),
  within the policy's tolerance ``FUL-04.weight_tolerance_percent`` / ``FUL-04.weight_tolerance_min_g``;
  beyond it, refused until re-checked and confirmed with a reason (recorded).
- ``open_handover`` / ``scan_out`` / ``close_handover`` (ORD-01): parcels leave on a carrier's manifest
  (交接单). A scan ships the order through the one path to "shipped", ``orders.actions.ship_order``,
  which consumes the reservation into ledger moves; the manifest row is unique per order, and the
  manifest row is locked before the order (always in that order), so parallel scanners post each
  parcel once.
- ``discard_check`` (作废): a supervisor discards a check before its parcel left, with a reason (the
  order was put on hold, its address or lines changed, it went back to review …); the order may then
  be checked again from the start on a new check. Nothing changes by itself when an order is held (the
  parcel may simply wait); only ``start_check`` discards a stale check by itself, when the order's lines
  no longer match the units it expects ("订单明细已变更"). An order has one live check at most
  (``PackCheck.objects.live()``); the discarded ones stay as the record of what happened.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ecomops.core import validate
from ecomops.core.documents import next_number
from ecomops.core.errors import BusinessError, Conflict, NotAllowed
from ecomops.core.flow import transition
from ecomops.core.history import save_audited
from ecomops.inventory.models import Warehouse
from ecomops.logistics import freight
from ecomops.orders import actions as order_actions
from ecomops.orders import events as order_events
from ecomops.orders.enums import SHIPPED_OR_LATER, Courier, OrderState
from ecomops.orders.models import Order
from ecomops.org.actions import require_staff_perm
from ecomops.policy import registry
from ecomops.supply.models import PackagingMaterial
from ecomops.supply.packaging import consume_packaging

from .enums import CHECK_FLOW, DISCARDABLE, HANDOVER_FLOW, PACKED_OR_LATER, CheckState, HandoverState
from .models import Handover, HandoverParcel, PackCheck, PackCheckLine
from .prepack import prepacked_material

C = CheckState
S = OrderState
VERIFY_PERM = "fulfilment.verify_order"
PACK_PERM = "fulfilment.pack_order"
WEIGH_PERM = "fulfilment.weigh_parcel"
OPEN_PERM = "fulfilment.add_handover"
SCAN_OUT_PERM = "fulfilment.scan_out_handover"
DISCARD_PERM = "fulfilment.discard_packcheck"
VIEW_CHECK_PERM = "fulfilment.view_packcheck"
VIEW_HANDOVER_PERM = "fulfilment.view_handover"
TOLERANCE_PERCENT = "FUL-04.weight_tolerance_percent"
TOLERANCE_MIN = "FUL-04.weight_tolerance_min_g"
HANDOVER_PREFIX = "JJ"
CODE_MAX = 64
WEIGHT_MAX_G = 1_000_000
MATERIAL_MAX = 1000


# --- finding the order of a scanned code --------------------------------------------------------------


def _code(code) -> str:
    text = validate.text(code, field="code", label=_("条码"), max_length=CODE_MAX, required=True)
    return text.strip()


def _unknown(code: str) -> BusinessError:
    return BusinessError(_("找不到运单号或订单号“%(code)s”") % {"code": code}, field="code", code="not_found")


def find_order(code, *, user) -> Order:
    """The order a scanned code names: its tracking number, else its platform order number, among the
    orders the user may see (DAT-02: an order out of scope is unknown, in the same words). Two orders
    of different stores with one platform number: the one awaiting shipment, else the scan of the
    tracking number is asked for."""
    code = _code(code)
    visible = Order.objects.visible_to(user)
    found = list(visible.filter(tracking_no=code).order_by("pk")[:2]) or list(
        visible.filter(platform_order_no=code).order_by("pk")[:5])
    if not found:
        raise _unknown(code)
    if len(found) > 1:
        waiting = [o for o in found if o.state == S.AWAITING_SHIPMENT]
        if len(waiting) != 1:
            raise BusinessError(_("“%(code)s”对应多个订单，请扫描运单号") % {"code": code}, field="code",
                                code="ambiguous")
        found = waiting
    return found[0]


def _locked(order: Order) -> Order:
    return Order.objects.select_for_update(of=("self",)).select_related("store", "store__platform").get(pk=order.pk)


def _ready_to_ship(order: Order, what: str) -> None:
    """The order must be awaiting shipment (printed, stock reserved), not held, not split."""
    no = order.platform_order_no
    if order.state == S.ON_HOLD:
        raise BusinessError(_("订单 %(no)s 已挂起（%(why)s），不能%(what)s")
                            % {"no": no, "why": order.exception_reason or _("异常"), "what": what},
                            field="code", code="on_hold")
    if order.state != S.AWAITING_SHIPMENT:
        raise BusinessError(_("订单 %(no)s 当前为“%(state)s”，不是待发货，不能%(what)s")
                            % {"no": no, "state": order.get_state_display(), "what": what},
                            field="code", code="wrong_state")


# --- FUL-02: verification -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScanResult:
    """What a scan did: the check (with its lines), the SKU counted and the units still missing."""

    check: PackCheck
    sku_code: str
    remaining: dict[str, int]

    @property
    def complete(self) -> bool:
        return not self.remaining


def remaining_of(check: PackCheck) -> dict[str, int]:
    """SKU code → units not scanned yet (only the SKUs still missing)."""
    return {line.sku.sku_code: line.remaining
            for line in check.lines.select_related("sku").order_by("pk") if line.remaining}


def live_check(order: Order) -> PackCheck | None:
    """The order's live (not discarded) check, or None."""
    return PackCheck.objects.live().filter(order=order).first()


def _units_of(order: Order) -> dict[int, int]:
    """SKU id → units the order's lines hold (refused, by line, when a line has no SKU)."""
    units: dict[int, int] = {}
    for sku_id, quantity, line_no in order.lines.values_list("sku_id", "quantity", "line_no").order_by("line_no"):
        if sku_id is None:
            raise BusinessError(_("订单 %(no)s 第 %(line)s 行商品未匹配到SKU，不能验货")
                                % {"no": order.platform_order_no, "line": line_no}, field="code", code="unmatched")
        units[sku_id] = units.get(sku_id, 0) + quantity
    return units


@transaction.atomic
def start_check(code, *, user) -> PackCheck:
    """FUL-02: open (or resume) the check of the order whose waybill or order number was scanned. Refused,
    by name: unknown (or another client's), not awaiting shipment, on hold, split into parcels, a line
    without SKU, already packed (a supervisor may discard that check, ``discard_check``).

    A live check whose expected units (SKU → quantity) no longer match the order's lines (changed while
    the order was held or back in review) is discarded by itself ("订单明细已变更") and a fresh one
    opened; packaging it consumed is not returned (see ``discard_check``)."""
    require_staff_perm(user, VERIFY_PERM)
    order = _locked(find_order(code, user=user))
    _ready_to_ship(order, _("验货"))
    no = order.platform_order_no
    if order.parcel_lines.exclude(parcel__state="cancelled").exists():
        raise BusinessError(_("订单 %(no)s 已拆分或合并，请按包裹发货") % {"no": no}, field="code", code="has_parcels")
    units = _units_of(order)
    check = PackCheck.objects.select_for_update().live().filter(order=order).first()
    if check is not None:
        if dict(check.lines.values_list("sku_id", "expected")) != units:
            _discard(check, user=user, reason=_("订单明细已变更"), auto=True)
        elif check.state in PACKED_OR_LATER:
            raise Conflict(_("订单 %(no)s 已打包（%(state)s），不能重复验货；如需重新验货，请主管作废该验货记录")
                           % {"no": no, "state": check.get_state_display()}, field="code")
        else:
            return check  # resumed where it was left
    check = PackCheck(order=order, started_by=user)
    save_audited(check, user=user, reason=_("开始验货"))
    PackCheckLine.objects.bulk_create([PackCheckLine(check_record=check, sku_id=sku_id, expected=quantity)
                                       for sku_id, quantity in units.items()])
    order_events.check_started(order, user=user, data={"check": check.pk, "units": sum(units.values())})
    return check


def _check_in_scope(check: PackCheck, user) -> PackCheck:
    """The check, its order in the user's scope (else not found, DAT-02), both locked: the order
    first, then the check (the order every act of this module locks them in)."""
    order_id = PackCheck.objects.visible_to(user).filter(pk=check.pk).values_list("order_id", flat=True).first()
    if order_id is None:
        raise BusinessError(_("验货记录不存在"), field="check", code="not_found")
    order = _locked(Order(pk=order_id))
    found = PackCheck.objects.select_for_update(of=("self",)).select_related("material").get(pk=check.pk)
    found.order = order
    return found


def _not_discarded(check: PackCheck) -> None:
    if check.state == C.DISCARDED:
        raise Conflict(_("订单 %(no)s 的这条验货记录已作废，请重新扫描运单号验货")
                       % {"no": check.order.platform_order_no}, field="check")


def _verify(check: PackCheck, *, user, lines=None) -> None:
    """``lines``: the check's lines when the caller holds them already (not read again)."""
    transition(check, C.VERIFIED, flow=CHECK_FLOW, user=user, reason=_("验货通过"),
               changes={"verified_at": timezone.now()})
    lines = check.lines.all() if lines is None else lines
    order_events.verified(check.order, user=user,
                          data={"check": check.pk, "units": sum(line.expected for line in lines)})


@transaction.atomic
def scan_item(check: PackCheck, code, *, user) -> ScanResult:
    """FUL-02: one unit scanned (SKU barcode or SKU code). A SKU the order does not hold is refused
    (错货), a unit more than ordered too (多货); nothing is counted then. The last missing unit
    verifies the order."""
    require_staff_perm(user, VERIFY_PERM)
    check = _check_in_scope(check, user)
    _not_discarded(check)
    if check.state != C.VERIFYING:
        raise Conflict(_("订单 %(no)s 已验货完成（%(state)s）")
                       % {"no": check.order.platform_order_no, "state": check.get_state_display()}, field="code")
    code = _code(code)
    lines = list(check.lines.select_for_update().select_related("sku").order_by("pk"))
    line = (next((x for x in lines if x.sku.barcode == code), None)
            or next((x for x in lines if x.sku.sku_code == code), None))
    if line is None:
        raise BusinessError(_("错货：%(code)s 不是订单 %(no)s 的商品") % {"code": code,
                                                                         "no": check.order.platform_order_no},
                            field="code", code="wrong_item")
    if line.scanned >= line.expected:
        raise BusinessError(_("多货：%(sku)s 订单只要 %(n)d 件，已扫满")
                            % {"sku": line.sku.sku_code, "n": line.expected}, field="code", code="extra_item")
    line.scanned += 1
    line.save(update_fields=["scanned"])
    remaining = {x.sku.sku_code: x.remaining for x in lines if x.remaining}
    if not remaining:
        _verify(check, user=user, lines=lines)
    return ScanResult(check=check, sku_code=line.sku.sku_code, remaining=remaining)


@transaction.atomic
def finish_check(check: PackCheck, *, user) -> PackCheck:
    """FUL-02: verification is done only when every unit was scanned; refused naming what is missing (少货)."""
    require_staff_perm(user, VERIFY_PERM)
    check = _check_in_scope(check, user)
    _not_discarded(check)
    if check.state != C.VERIFYING:
        raise Conflict(_("订单 %(no)s 已验货完成（%(state)s）")
                       % {"no": check.order.platform_order_no, "state": check.get_state_display()})
    missing = remaining_of(check)
    if missing:
        raise BusinessError(_("少货：%(items)s") % {"items": "、".join(f"{sku} × {n}" for sku, n in missing.items())},
                            field="code", code="missing_item")
    _verify(check, user=user)
    return check


# --- FUL-03: packing ------------------------------------------------------------------------------------


@transaction.atomic
def pack(check: PackCheck, *, user, material: PackagingMaterial | None = None, quantity=1) -> PackCheck:
    """FUL-03: a verified order packed with ``quantity`` of a packaging material, taken out of the
    packaging stock of the order's warehouse (WMS-18 ledger, ``consume_packaging``). Refused before
    verification is complete, and when the warehouse lacks the packaging.

    FUL-05: an order of a single unit that was given a pre-packed parcel is already packed: it is
    recorded as pre-packed with the parcel's packaging (for the expected weight), whatever material
    was chosen, and no packaging is consumed again (the pre-pack job consumed it)."""
    require_staff_perm(user, PACK_PERM)
    check = _check_in_scope(check, user)
    _not_discarded(check)
    order = check.order
    no = order.platform_order_no
    if check.state == C.VERIFYING:
        raise BusinessError(_("订单 %(no)s 尚未验货通过，不能打包") % {"no": no}, field="state", code="not_verified")
    if check.state != C.VERIFIED:
        raise Conflict(_("订单 %(no)s 已打包（%(state)s）") % {"no": no, "state": check.get_state_display()})
    _ready_to_ship(order, _("打包"))
    if order.warehouse_id is None:
        raise BusinessError(_("订单 %(no)s 没有发货仓库，不能打包") % {"no": no}, field="warehouse")
    parcel = prepacked_material(order)
    if parcel is not None:
        transition(check, C.PACKED, flow=CHECK_FLOW, user=user, reason=_("预包装件"),
                   changes={"material": parcel, "material_quantity": 1, "prepacked": True, "packed_by": user,
                            "packed_at": timezone.now()})
        order_events.packed(order, user=user, note=_("预包装件（%(m)s）") % {"m": parcel.name},
                            data={"check": check.pk, "material": parcel.code, "quantity": 0, "prepacked": True})
        return check
    if material is None:
        raise BusinessError(_("请选择包材"), field="material")
    quantity = validate.count(quantity, field="quantity", label=_("包材数量"), maximum=MATERIAL_MAX)
    consume_packaging(user=user, warehouse=order.warehouse, material=material, quantity=quantity,
                      note=_("订单 %(no)s 打包") % {"no": no})
    transition(check, C.PACKED, flow=CHECK_FLOW, user=user, reason=_("打包"),
               changes={"material": material, "material_quantity": quantity, "packed_by": user,
                        "packed_at": timezone.now()})
    order_events.packed(order, user=user, note=f"{material.name} × {quantity}",
                        data={"check": check.pk, "material": material.code, "quantity": quantity})
    return check


# --- FUL-04: weighing -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Expected:
    """The parcel's expected weight (None: some SKU has no weight) and the tolerance of the policy."""

    grams: int | None
    tolerance: int | None
    citation: str

    def accepts(self, weight: int) -> bool:
        return self.grams is None or abs(weight - self.grams) <= self.tolerance


def expected_weight(check: PackCheck, *, on=None) -> Expected:
    """FUL-04: SKU unit weights × quantities + the packaging's weight × its quantity (a material
    without weight counts 0); unknown when a SKU has no weight. The tolerance is
    max(expected × ``FUL-04.weight_tolerance_percent``, ``FUL-04.weight_tolerance_min_g``), in whole
    grams (rounded half up)."""
    goods = 0
    for line in check.lines.select_related("sku"):
        if line.sku.weight_g is None:
            return Expected(None, None, "")
        goods += line.sku.weight_g * line.expected
    packaging = (check.material.weight_g or 0) * check.material_quantity if check.material_id else 0
    grams = goods + packaging
    percent = registry.resolve(TOLERANCE_PERCENT, on=on)
    minimum = registry.resolve(TOLERANCE_MIN, on=on)
    share = (Decimal(grams) * Decimal(percent.value)).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
    tolerance = max(int(share), int(minimum.value))
    return Expected(grams, tolerance, f"{percent.citation}；{minimum.citation}")


@transaction.atomic
def weigh(check: PackCheck, *, user, weight_g, recheck_reason: str = "") -> PackCheck:
    """FUL-04: the packed parcel's weight, typed or from a scale that types. A weight beyond the
    tolerance of the expected one is refused as a re-check (code ``recheck``), unless the weigher
    re-checked and confirms it with a reason, which is recorded (check and order event). Without an
    expected weight (a SKU without weight) the weight is accepted with a note. Weighing again before
    the parcel leaves replaces the weight."""
    require_staff_perm(user, WEIGH_PERM)
    check = _check_in_scope(check, user)
    _not_discarded(check)
    order = check.order
    no = order.platform_order_no
    if check.state not in (C.PACKED, C.WEIGHED):
        if check.state == C.HANDED_OVER:
            raise Conflict(_("订单 %(no)s 已交接出库，不能再称重") % {"no": no})
        raise BusinessError(_("订单 %(no)s 尚未打包，不能称重") % {"no": no}, field="state", code="not_packed")
    _ready_to_ship(order, _("称重"))
    grams = validate.count(weight_g, field="weight_g", label=_("重量（克）"), maximum=WEIGHT_MAX_G)
    reason = validate.text(recheck_reason, field="recheck_reason", label=_("复核原因"), max_length=200)
    expected = expected_weight(check)
    note, recheck = "", False
    if expected.grams is None:
        note = _("有商品未填重量，无法核对预计重量")
        reason = ""
    elif not expected.accepts(grams):
        if not reason:
            raise BusinessError(
                _("重量 %(w)d 克与预计 %(e)d 克相差 %(d)d 克，超过允许偏差 %(t)d 克：请复核；确认无误请填写复核原因")
                % {"w": grams, "e": expected.grams, "d": abs(grams - expected.grams), "t": expected.tolerance},
                field="weight_g", code="recheck")
        recheck = True
        note = _("复核确认：%(reason)s") % {"reason": reason}
    else:
        reason = ""
    transition(check, C.WEIGHED, flow=CHECK_FLOW, user=user, reason=note or _("称重"),
               changes={"weight_g": grams, "expected_weight_g": expected.grams, "tolerance_g": expected.tolerance,
                        "tolerance_citation": expected.citation[:200], "recheck": recheck,
                        "recheck_reason": reason, "weighed_by": user, "weighed_at": timezone.now()})
    order_events.weighed(order, user=user, note=note,
                         data={"check": check.pk, "weight_g": grams, "expected_weight_g": expected.grams,
                               "tolerance_g": expected.tolerance, "recheck": recheck})
    return check


# --- discarding a check (作废) -------------------------------------------------------------------------


def _discard(check: PackCheck, *, user, reason: str, auto: bool = False) -> None:
    """The step to "discarded" of a locked check, with who, when and why, and the order's event. The
    caller checked rights, scope and state; ``auto``: by ``start_check`` (the scan of ``user`` found
    the order's lines changed), not by a supervisor's decision."""
    before = check.state
    transition(check, C.DISCARDED, flow=CHECK_FLOW, user=user, reason=_("作废：%(reason)s") % {"reason": reason},
               changes={"discarded_by": user, "discarded_at": timezone.now(), "discard_reason": reason})
    order_events.check_discarded(check.order, user=user, note=reason,
                                 data={"check": check.pk, "from": before, "packaging_returned": False,
                                       "auto": auto})


@transaction.atomic
def discard_check(check: PackCheck, *, user, reason) -> PackCheck:
    """作废: a supervisor discards a check before its parcel left (from verifying, verified, packed or
    weighed; never once handed over, nor when the order has shipped), with a reason (required). Who,
    when and why are kept on the check and written on the order's events; the order may then be
    checked again from the start (``start_check`` opens a new check).

    Packaging already consumed by packing is NOT returned to the packaging stock: the carton may be
    reused or thrown away, which only the warehouse knows; a correction goes through the packaging
    ledger (``supply.packaging``) like any other packaging move."""
    require_staff_perm(user, DISCARD_PERM)
    check = _check_in_scope(check, user)
    order = check.order
    no = order.platform_order_no
    if check.state == C.DISCARDED:
        raise Conflict(_("订单 %(no)s 的这条验货记录已作废") % {"no": no}, field="check")
    if check.state not in DISCARDABLE:
        raise Conflict(_("订单 %(no)s 已交接出库（%(state)s），不能作废验货记录")
                       % {"no": no, "state": check.get_state_display()}, field="check")
    if order.state in SHIPPED_OR_LATER:
        raise Conflict(_("订单 %(no)s 已发货（%(state)s），不能作废验货记录")
                       % {"no": no, "state": order.get_state_display()}, field="check")
    reason = validate.text(reason, field="reason", label=_("作废原因"), max_length=200, required=True,
                           single_line=True)
    _discard(check, user=user, reason=reason)
    return check


# --- ORD-01: the handover manifest (交接单) ------------------------------------------------------------


@transaction.atomic
def open_handover(carrier: str, warehouse: Warehouse, *, user) -> Handover:
    """A new manifest for one carrier's parcels leaving one warehouse."""
    require_staff_perm(user, OPEN_PERM)
    if carrier not in Courier.values:
        raise BusinessError(_("快递公司无效"), field="carrier")
    if warehouse is None or not warehouse.is_active:
        raise BusinessError(_("请选择启用的仓库"), field="warehouse")
    handover = Handover(number=next_number(HANDOVER_PREFIX), carrier=carrier, warehouse=warehouse, created_by=user)
    save_audited(handover, user=user, reason=_("新建交接单"))
    return handover


def visible_handover_or_none(user, handover_id) -> Handover | None:
    """A manifest is seen by whoever may view manifests and sees one of its parcels, or while it is
    empty (like a ship batch: shared by every client's parcels of the carrier, DAT-02)."""
    handover = Handover.objects.filter(pk=handover_id).select_related("warehouse").first()
    if handover is None:
        return None
    if not handover.parcels.exists() or HandoverParcel.objects.visible_to(user).filter(handover=handover).exists():
        return handover
    return None


def visible_handovers(user):
    """The manifests ``user`` may see: those holding one of their parcels, and the empty ones."""
    mine = HandoverParcel.objects.visible_to(user).values("handover_id")
    used = HandoverParcel.objects.values("handover_id")
    return Handover.objects.filter(Q(pk__in=mine) | ~Q(pk__in=used)).select_related("warehouse")


def _handover_locked(handover: Handover, user) -> Handover:
    if user is None or visible_handover_or_none(user, handover.pk) is None:
        raise BusinessError(_("交接单不存在"), field="handover", code="not_found")
    return Handover.objects.select_for_update().select_related("warehouse").get(pk=handover.pk)


@transaction.atomic
def scan_out(handover: Handover, code, *, user) -> HandoverParcel:
    """ORD-01: one parcel scanned out onto the carrier's manifest. The order must be weighed (FUL-04),
    of this carrier and this warehouse, with its tracking number; it then ships through
    ``orders.actions.ship_order`` (its reserved units leave the ledger against it, once). The same
    parcel scanned again is a ``Conflict`` naming the manifest it is on; nothing is posted twice."""
    require_staff_perm(user, SCAN_OUT_PERM)
    if not user.has_perm("orders.ship_order"):
        raise NotAllowed(_("您没有执行此操作的权限"))
    handover = _handover_locked(handover, user)  # always the manifest first, then the order
    if handover.state != HandoverState.OPEN:
        raise Conflict(_("交接单 %(no)s 已交接完毕，不能再扫描") % {"no": handover.number}, field="code")
    order = _locked(find_order(code, user=user))
    no = order.platform_order_no
    already = HandoverParcel.objects.select_related("handover").filter(order=order).first()
    if already is not None:
        if already.handover_id == handover.pk:
            raise Conflict(_("订单 %(no)s（运单号 %(t)s）已在本交接单上") % {"no": no, "t": already.tracking_no},
                           field="code")
        raise Conflict(_("订单 %(no)s 已在交接单 %(h)s 上出库") % {"no": no, "h": already.handover.number},
                       field="code")
    if order.state in SHIPPED_OR_LATER:
        raise Conflict(_("订单 %(no)s 已发货（%(state)s），不会重复出库")
                       % {"no": no, "state": order.get_state_display()}, field="code")
    _ready_to_ship(order, _("出库交接"))
    check = PackCheck.objects.select_for_update().live().filter(order=order).first()
    if check is None or check.state != C.WEIGHED:
        state = check.get_state_display() if check is not None else _("未验货")
        raise BusinessError(_("订单 %(no)s 尚未称重（%(state)s），不能出库交接（FUL-04）") % {"no": no, "state": state},
                            field="code", code="not_weighed")
    if order.courier != handover.carrier:
        raise BusinessError(
            _("订单 %(no)s 的快递公司是“%(order)s”，本交接单是“%(handover)s”，不能交接")
            % {"no": no, "order": order.get_courier_display() or _("未指定"),
               "handover": handover.get_carrier_display()}, field="code", code="wrong_carrier")
    if order.warehouse_id != handover.warehouse_id:
        raise BusinessError(_("订单 %(no)s 从仓库 %(order)s 发货，本交接单是仓库 %(handover)s")
                            % {"no": no, "order": getattr(order.warehouse, "code", "—"),
                               "handover": handover.warehouse.code}, field="code", code="wrong_warehouse")
    if not order.tracking_no:
        raise BusinessError(_("订单 %(no)s 没有运单号，请先打印面单") % {"no": no}, field="code", code="no_tracking")
    order = order_actions.ship_order(order, user=user, courier=order.courier, tracking_no=order.tracking_no,
                                     reason=_("交接单 %(h)s 扫描出库") % {"h": handover.number})
    parcel = HandoverParcel(handover=handover, order=order, tracking_no=order.tracking_no, weight_g=check.weight_g,
                            scanned_by=user)
    parcel.save()
    # LOG-02/LOG-03: the parcel is on its way; its freight (price card of the day, our weight) and the
    # day it must be delivered by are recorded for tracking, the carrier's bill and the scorecard.
    freight.record_shipment(order, weight_g=check.weight_g)
    transition(check, C.HANDED_OVER, flow=CHECK_FLOW, user=user, reason=_("交接单 %(h)s") % {"h": handover.number})
    return parcel


@transaction.atomic
def close_handover(handover: Handover, *, user, receiver_name: str) -> Handover:
    """The carrier's person took the parcels: the manifest is closed with their name (交接人)."""
    require_staff_perm(user, SCAN_OUT_PERM)
    handover = _handover_locked(handover, user)
    name = validate.text(receiver_name, field="receiver_name", label=_("快递收件人"), max_length=40, required=True)
    if handover.state != HandoverState.OPEN:
        raise Conflict(_("交接单 %(no)s 已交接完毕") % {"no": handover.number})
    if not handover.parcels.exists():
        raise BusinessError(_("交接单 %(no)s 还没有包裹") % {"no": handover.number}, field="handover", code="empty")
    transition(handover, HandoverState.CLOSED, flow=HANDOVER_FLOW, user=user, reason=_("交接给 %(n)s") % {"n": name},
               changes={"receiver_name": name, "closed_by": user, "closed_at": timezone.now()})
    return handover


def parcels_of(handover: Handover, user):
    """The parcels of a manifest the user may see (their part, DAT-02), in scan order."""
    return (HandoverParcel.objects.visible_to(user).filter(handover=handover)
            .select_related("order", "order__store", "order__store__platform").order_by("pk"))


def checks_visible(user):
    return PackCheck.objects.visible_to(user)


def require_view(user, perm: str) -> None:
    if user is None or not user.has_perm(perm):
        raise NotAllowed(_("您没有查看此数据的权限"))


__all__ = ["start_check", "scan_item", "finish_check", "pack", "weigh", "discard_check", "open_handover", "scan_out",
           "close_handover", "expected_weight", "find_order", "live_check"]
