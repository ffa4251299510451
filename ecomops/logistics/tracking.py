"""After the parcel leaves (LOG-02): the carrier's tracking events, delivery, and logistics cases.

Events come as the carrier's CSV/.xlsx export or are pushed to the API; both go through
``record_events``. An event already recorded (same parcel, time and status) is skipped, so a file
imported twice changes nothing. A file with any bad row is refused whole, naming each row.

- "Delivered" marks the parcel delivered and the order received (ORD-01); the no-reason return
  deadline (LAW-01) counts from it.
- "Lost", "damaged" and "returned" open a logistics case of that kind, once per parcel and kind.
- A parcel not delivered by its due day (the contract's service standard, else the policy's,
  ``freight.standard_days``) is flagged late by the daily job: a "delayed" case and a due item for
  the people who handle the store's after-sales.

A case is informed to the buyer (the message is kept: the one typed, else the kind's buyer message
template, ``BuyerMessageTemplate``, filled with the order, courier and tracking number), claimed from
the carrier, compensated (at most the contract's cap per parcel) and closed; each step is on the
case's history and the order's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from ecomops.audit import dues
from ecomops.catalog.sheets import find_columns, parse_rows, read_table
from ecomops.core import validate
from ecomops.core.documents import next_number
from ecomops.core.errors import BusinessError, NotAllowed
from ecomops.core.flow import transition
from ecomops.core.history import save_audited
from ecomops.orders import actions as order_actions
from ecomops.orders import events as order_events
from ecomops.orders.enums import OrderState
from ecomops.orders.models import Order
from ecomops.org.actions import require_internal, require_perm

from . import buyer_texts
from .freight import contract_for
from .models import (
    CASE_FLOW,
    BuyerMessageTemplate,
    CaseKind,
    CaseState,
    LogisticsCase,
    Shipment,
    TrackingEvent,
    TrackingStatus,
)

CASE_PREFIX = "WL"
CASE_DUE_KIND = "logistics.case"
HANDLE_PERM = "logistics.handle_logisticscase"
RECORD_PERM = "logistics.add_trackingevent"
TEMPLATE_PERM = "logistics.change_buyermessagetemplate"
STATUS_CASE = {TrackingStatus.LOST: CaseKind.LOST, TrackingStatus.DAMAGED: CaseKind.DAMAGED,
               TrackingStatus.RETURNED: CaseKind.RETURNED}
# Carriers' exports name the status in words; the codes are accepted too.
STATUS_WORDS = {**{str(s.label): s.value for s in TrackingStatus}, **{s.value: s.value for s in TrackingStatus},
                "签收": "delivered", "揽收": "collected", "揽件": "collected", "在途": "in_transit",
                "派件": "delivering", "派送": "delivering", "退件": "returned", "遗失": "lost"}
COLUMNS = {"tracking_no": ("运单号", "快递单号", "单号"), "at": ("时间", "扫描时间", "操作时间"),
           "status": ("状态", "物流状态"), "place": ("地点", "网点", "所在城市"), "detail": ("描述", "轨迹", "详情")}


@dataclass(frozen=True)
class EventIn:
    tracking_no: str
    at: datetime
    status: str
    place: str = ""
    detail: str = ""
    row: int | None = None


@dataclass
class Recorded:
    added: int = 0
    skipped: int = 0
    delivered: int = 0
    cases: int = 0


def _when(text: str) -> datetime:
    value = parse_datetime(text.replace("/", "-").strip())
    if value is None:
        raise ValueError(text)
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def read_events(data: bytes, filename: str = "") -> list[EventIn]:
    """Rows of a carrier's tracking export: 运单号, 时间, 状态 (and optional 地点, 描述)."""
    table = read_table(data, filename=filename)
    columns = find_columns(table.headers, COLUMNS, optional=("place", "detail"),
                           missing=_("轨迹文件缺少“%(col)s”列"))

    def parse(number: int, cells: list[str]) -> EventIn:
        tracking = columns.cell(cells, "tracking_no")
        if not tracking or len(tracking) > 40:
            raise BusinessError(_("运单号为空或过长"))
        try:
            when = _when(columns.cell(cells, "at"))
        except ValueError:
            raise BusinessError(_("时间“%(v)s”无法识别，请用 2026-12-01 08:30 的格式")
                                % {"v": columns.cell(cells, "at")}) from None
        status = STATUS_WORDS.get(columns.cell(cells, "status"))
        if status is None:
            raise BusinessError(_("状态“%(v)s”无法识别") % {"v": columns.cell(cells, "status")})
        return EventIn(tracking, when, status, columns.cell(cells, "place")[:60], columns.cell(cells, "detail")[:200],
                       number)

    return parse_rows(table, parse, empty=_("轨迹文件没有明细行"))


def import_events(data: bytes, *, user, courier: str, filename: str = "") -> Recorded:
    return record_events(read_events(data, filename), user=user, courier=courier, source="csv")


@transaction.atomic
def record_events(events: list[EventIn], *, user, courier: str, source: str) -> Recorded:
    """Record the carrier's events for parcels the user may see (LOG-02); all or nothing. A tracking
    number we did not ship (or that the user may not see) is refused, naming its row or number."""
    require_perm(user, RECORD_PERM)
    numbers = {e.tracking_no for e in events}
    shipments = {s.tracking_no: s for s in Shipment.objects.visible_to(user).filter(courier=courier,
                                                                                   tracking_no__in=numbers)}
    unknown = [e for e in events if e.tracking_no not in shipments]
    if unknown:
        named = "；".join((_("第 %(row)d 行：") % {"row": e.row} if e.row else "")
                         + _("运单号 %(no)s 不是本系统发出的包裹") % {"no": e.tracking_no} for e in unknown[:20])
        raise BusinessError(named, field="tracking_no")
    result = Recorded()
    for event in sorted(events, key=lambda e: e.at):
        shipment = shipments[event.tracking_no]
        try:
            with transaction.atomic():
                TrackingEvent.objects.create(shipment=shipment, at=event.at, status=event.status, place=event.place,
                                             detail=event.detail, source=source, recorded_by=user)
        except IntegrityError:
            result.skipped += 1
            continue
        result.added += 1
        shipment.last_status = event.status
        if event.status == TrackingStatus.DELIVERED and shipment.delivered_at is None:
            shipment.delivered_at = event.at
            result.delivered += _received(shipment, user=user, at=event.at)
        shipment.save(update_fields=["last_status", "delivered_at"])
        if event.status in STATUS_CASE:
            reason = _("快递轨迹：%(status)s %(place)s %(detail)s") % {
                "status": TrackingStatus(event.status).label, "place": event.place, "detail": event.detail}
            result.cases += open_case(shipment, STATUS_CASE[event.status], reason=reason.strip(), user=user) is not None
    return result


def _received(shipment: Shipment, *, user, at: datetime) -> int:
    order = shipment.order
    if order.state != OrderState.SHIPPED:
        return 0
    order_actions.mark_received(order, user=user, at=at,
                                reason=_("快递签收（%(no)s）") % {"no": shipment.tracking_no})
    return 1


# --- cases ---------------------------------------------------------------------------------------


def _case_owners(shipment: Shipment) -> list:
    store = shipment.order.store
    return order_actions.refund_owners(store)


def open_case(shipment: Shipment, kind: str, *, reason: str, user=None,
              at: datetime | None = None) -> LogisticsCase | None:
    """A logistics case of ``kind`` for the parcel (once per parcel and kind: None when it exists),
    with a due item to the store's after-sales people, and the order's history noting it."""
    if kind not in CaseKind.values:
        raise BusinessError(_("请选择异常类型"), field="kind")
    if LogisticsCase.objects.filter(shipment=shipment, kind=kind).exists():
        return None
    at = at or timezone.now()
    try:
        with transaction.atomic():
            case = LogisticsCase.objects.create(number=next_number(CASE_PREFIX), shipment=shipment, kind=kind,
                                                reason=reason[:300], opened_at=at, opened_by=user)
    except IntegrityError:
        return None
    order = shipment.order
    order_events.state_noted(order, user=user, note=_("物流异常 %(no)s：%(kind)s，%(why)s") % {
        "no": case.number, "kind": case.get_kind_display(), "why": case.reason})
    dues.raise_dues(kind=CASE_DUE_KIND, owners=_case_owners(shipment),
                    title=_("物流异常 %(no)s（%(kind)s）：订单 %(order)s") % {
                        "no": case.number, "kind": case.get_kind_display(), "order": order.platform_order_no},
                    due_at=at + timedelta(days=1), source=case, clause="LOG-02", link=f"/logistics/cases/{case.pk}/",
                    store=order.store)
    return case


def flag_delays(today: date | None = None) -> int:
    """LOG-02: parcels not delivered by their due day get a "delayed" case (once). Returns how many."""
    today = today or timezone.localdate()
    late = (Shipment.objects.filter(delivered_at__isnull=True, due_on__lt=today)
            .exclude(cases__kind=CaseKind.DELAYED).select_related("order__store"))
    opened = 0
    for shipment in late.iterator(chunk_size=500):
        reason = _("应于 %(due)s 前签收（%(rule)s），至今未签收") % {"due": shipment.due_on,
                                                                "rule": shipment.standard_citation}
        opened += open_case(shipment, CaseKind.DELAYED, reason=reason) is not None
    return opened


def _case(case: LogisticsCase, user) -> LogisticsCase:
    require_perm(user, HANDLE_PERM)
    if not LogisticsCase.objects.visible_to(user).filter(pk=case.pk).exists():
        raise NotAllowed(_("物流异常单不存在或无权查看"))
    return LogisticsCase.objects.select_for_update().select_related("shipment__order").get(pk=case.pk)


def case_values(case: LogisticsCase) -> dict[str, str]:
    """What the placeholders of a buyer message become for this case. The courier is named in
    Chinese, as the message itself, whatever language the user's pages are in."""
    shipment = case.shipment
    with translation.override(None):
        courier = str(shipment.get_courier_display())
    return {buyer_texts.ORDER_NO: shipment.order.platform_order_no, buyer_texts.COURIER: courier,
            buyer_texts.TRACKING_NO: shipment.tracking_no}


def template_text(kind: str) -> str:
    """The text of the active template of ``kind``, else the built-in default (no template, or it is
    inactive or empty)."""
    template = BuyerMessageTemplate.objects.filter(kind=kind, is_active=True).first()
    if template is not None and template.text.strip():
        return template.text
    return buyer_texts.DEFAULT_TEXTS[kind]


def buyer_message(case: LogisticsCase) -> str:
    """The text sent to the buyer for this case: its kind's template filled with the case's values."""
    return buyer_texts.fill(template_text(case.kind), case_values(case))


@transaction.atomic
def update_template(template: BuyerMessageTemplate, *, user, text: str, active: bool) -> BuyerMessageTemplate:
    """Change the buyer message of a kind of case (LOG-02), kept on the template's history. An empty
    text, or one with a placeholder other than {订单号}, {快递公司}, {运单号}, is refused naming ``text``."""
    require_perm(user, TEMPLATE_PERM)
    require_internal(user)
    template = BuyerMessageTemplate.objects.select_for_update().get(pk=template.pk)
    text = validate.text(text, field="text", label=_("模板内容"), max_length=1000, required=True)
    if (template.text, template.is_active) == (text, bool(active)):
        return template  # nothing changed: no history entry
    template.text, template.is_active = text, bool(active)
    validate.validate_model(template)
    save_audited(template, user=user, reason=_("修改买家告知模板"))
    return template


def _step(case: LogisticsCase, to: str, *, user, note: str, changes: dict) -> LogisticsCase:
    transition(case, to, flow=CASE_FLOW, user=user, reason=note, changes=changes)
    order_events.state_noted(case.shipment.order, user=user, note=_("物流异常 %(no)s：%(note)s") % {
        "no": case.number, "note": note})
    if to == CaseState.CLOSED:
        dues.complete_due(kind=CASE_DUE_KIND, source=case, user=user)
    return case


@transaction.atomic
def inform_buyer(case: LogisticsCase, *, user, message: str = "") -> LogisticsCase:
    case = _case(case, user)
    text = validate.text(message, field="message", label=_("告知内容"), max_length=1000) or buyer_message(case)
    return _step(case, CaseState.INFORMED, user=user, note=_("已告知买家"),
                 changes={"message": text, "informed_at": timezone.now()})


@transaction.atomic
def claim(case: LogisticsCase, *, user, amount) -> LogisticsCase:
    case = _case(case, user)
    amount = validate.money(amount, field="claim_amount", label=_("索赔金额"), minimum=Decimal("0.01"))
    return _step(case, CaseState.CLAIMED, user=user, note=_("向快递索赔 %(amount)s 元") % {"amount": amount},
                 changes={"claim_amount": amount, "claimed_at": timezone.now()})


@transaction.atomic
def compensate(case: LogisticsCase, *, user, amount) -> LogisticsCase:
    """The carrier paid: at most the claim, and at most the contract's cap per parcel (LOG-01)."""
    case = _case(case, user)
    amount = validate.money(amount, field="compensation", label=_("赔付金额"))
    if case.claim_amount is not None and amount > case.claim_amount:
        raise BusinessError(_("赔付金额不能超过索赔金额 %(claim)s 元") % {"claim": case.claim_amount},
                            field="compensation")
    contract = contract_for(case.shipment.courier, timezone.localdate(case.shipment.shipped_at))
    if contract is not None and contract.compensation_cap and amount > contract.compensation_cap:
        raise BusinessError(_("赔付金额超过合同 %(no)s 的每票赔付上限 %(cap)s 元") % {
            "no": contract.number, "cap": contract.compensation_cap}, field="compensation")
    return _step(case, CaseState.COMPENSATED, user=user, note=_("快递赔付 %(amount)s 元") % {"amount": amount},
                 changes={"compensation": amount, "compensated_at": timezone.now()})


@transaction.atomic
def close_case(case: LogisticsCase, *, user, note: str) -> LogisticsCase:
    case = _case(case, user)
    note = validate.text(note, field="note", label=_("处理结果"), max_length=300, required=True)
    return _step(case, CaseState.CLOSED, user=user, note=note, changes={"note": note, "closed_at": timezone.now()})


def shipped_orders_without_record(since: date) -> list[Order]:
    """Orders shipped here since ``since`` whose parcel has no ``Shipment`` yet (the daily job adds them)."""
    start = timezone.make_aware(datetime.combine(since, time.min))
    return list(Order.objects.filter(shipped_at__gte=start, shipment__isnull=True).exclude(tracking_no="")
                .exclude(courier=""))
