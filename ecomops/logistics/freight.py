"""Freight (LOG-01, LOG-03): price cards, the cost of each parcel that leaves, and the carrier's
monthly bill set against our own weights and costs.

A parcel costs the first-weight price plus one step price for every started additional step:
``first_price + ceil(max(0, weight − first_weight) / step_weight) × step_price``. Prices are exact yuan
(fen), a whole number of steps, so no rounding is needed. The card is the one for the parcel's
province valid on the shipping day (Asia/Shanghai); without one, the card with no provinces (the rest
of the country). A parcel without a card, or without a weight, has no cost and is listed as such.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ecomops.catalog.sheets import find_columns, parse_rows, read_table
from ecomops.core import validate
from ecomops.core.addresses import province_name
from ecomops.core.errors import BusinessError, Conflict
from ecomops.core.history import save_audited
from ecomops.orders.enums import Courier
from ecomops.org.actions import require_internal, require_perm
from ecomops.policy import registry

from .models import BillCheck, CarrierBill, CarrierBillLine, CarrierContract, PriceCard, Shipment

STANDARD_DAYS = "LOG-02.default_standard_days"
BILL_WEIGHT_TOLERANCE = "LOG-03.bill_weight_tolerance_g"


def _courier(value: str, *, field: str = "courier") -> str:
    if value not in Courier.values:
        raise BusinessError(_("请选择快递公司"), field=field)
    return value


def clean_provinces(values, *, field: str = "provinces") -> list[str]:
    """Provinces typed for a price card or a carrier's service: each one of China's provincial-level
    divisions, written in full or short (浙江 → 浙江省), kept once under its full name and sorted; empty
    means every province. An unknown name is refused, naming it."""
    names = set()
    for value in values or ():
        text = validate.text(value, field=field, label=_("省份"), max_length=20)
        if not text:
            continue
        name = province_name(text)
        if name is None:
            raise BusinessError(_("省份“%(name)s”不存在，请填写省级行政区名称（如 浙江省）") % {"name": text},
                                field=field)
        names.add(name)
    return sorted(names)


def card_for(courier: str, province: str, on: date) -> PriceCard | None:
    """The price card of ``courier`` for ``province`` valid on ``on``: the province's own first, else
    the card for every other province; the latest valid_from wins."""
    valid = PriceCard.objects.filter(courier=courier, valid_from__lte=on).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=on)).order_by("-valid_from", "-pk")
    rest = None
    for card in valid:
        if province and province in (card.provinces or []):
            return card
        if not card.provinces and rest is None:
            rest = card
    return rest


def freight(card: PriceCard, weight_g: int) -> Decimal:
    """LOG-03: the price of a parcel of ``weight_g`` grams on ``card``."""
    extra = max(0, weight_g - card.first_weight_g)
    steps = -(-extra // card.step_weight_g)
    return card.first_price + steps * card.step_price


@transaction.atomic
def add_price_card(*, user, courier: str, name: str, first_weight_g, first_price, step_weight_g, step_price,
                   valid_from: date, valid_to: date | None = None, provinces=()) -> PriceCard:
    """A new price card (LOG-01). A changed price is a new card from a later date, never an edit."""
    require_perm(user, "logistics.add_pricecard")
    require_internal(user)
    card = PriceCard(
        courier=_courier(courier),
        name=validate.text(name, field="name", label=_("名称"), max_length=60, required=True),
        provinces=clean_provinces(provinces),
        first_weight_g=_grams(first_weight_g, field="first_weight_g", label=_("首重")),
        first_price=validate.money(first_price, field="first_price", label=_("首重价格")),
        step_weight_g=_grams(step_weight_g, field="step_weight_g", label=_("续重单位")),
        step_price=validate.money(step_price, field="step_price", label=_("续重单价")),
        valid_from=valid_from, valid_to=valid_to, created_by=user)
    if valid_to is not None and valid_to < valid_from:
        raise BusinessError(_("失效日期不能早于生效日期"), field="valid_to")
    save_audited(card, user=user)
    return card


def _grams(value, *, field: str, label: str, required: bool = True) -> int | None:
    if value in (None, ""):
        if required:
            raise BusinessError(_("请填写%(label)s（克）") % {"label": label}, field=field)
        return None
    try:
        grams = int(str(value).strip())
    except ValueError:
        raise BusinessError(_("%(label)s须为整数克") % {"label": label}, field=field) from None
    if grams <= 0 or grams > 1_000_000:
        raise BusinessError(_("%(label)s须在 1 到 1000000 克之间") % {"label": label}, field=field)
    return grams


CONTRACT_MAX_DAYS = 365  # a promised delivery time longer than a year is a typing error


@transaction.atomic
def add_contract(*, user, courier: str, number: str, starts_on: date, ends_on: date, standard_days,
                 settlement_terms: str = "", late_penalty="0", compensation_cap="0",
                 cargo_safety: str = "") -> CarrierContract:
    """A carrier contract (承运合同, LOG-01): its service standard, settlement terms and penalties for
    the days it runs. A renewed contract is a new one with its own number, never an edit."""
    require_perm(user, "logistics.add_carriercontract")
    require_internal(user)
    contract = CarrierContract(
        courier=_courier(courier),
        number=validate.text(number, field="number", label=_("合同编号"), max_length=40, required=True,
                             single_line=True),
        starts_on=starts_on, ends_on=ends_on,
        standard_days=_days(standard_days),
        settlement_terms=validate.text(settlement_terms, field="settlement_terms", label=_("结算方式"),
                                       max_length=200),
        late_penalty=validate.money(late_penalty or "0", field="late_penalty", label=_("每票延误扣款")),
        compensation_cap=validate.money(compensation_cap or "0", field="compensation_cap",
                                        label=_("丢件破损赔付上限")),
        cargo_safety=validate.text(cargo_safety, field="cargo_safety", label=_("货物安全条款"), max_length=300))
    if ends_on < starts_on:
        raise BusinessError(_("结束日期不能早于开始日期"), field="ends_on")
    duplicate = _("合同编号 %(no)s 已存在") % {"no": contract.number}
    if CarrierContract.objects.filter(number=contract.number).exists():
        raise Conflict(duplicate, field="number")
    validate.save_checked(contract, user=user, duplicate=duplicate, field="number")
    return contract


def _days(value) -> int:
    if value in (None, ""):
        raise BusinessError(_("请填写承诺时效（天）"), field="standard_days")
    try:
        days = int(str(value).strip())
    except ValueError:
        raise BusinessError(_("承诺时效须为整数天"), field="standard_days") from None
    if not 1 <= days <= CONTRACT_MAX_DAYS:
        raise BusinessError(_("承诺时效须在 1 到 %(n)d 天之间") % {"n": CONTRACT_MAX_DAYS}, field="standard_days")
    return days


def contract_for(courier: str, on: date) -> CarrierContract | None:
    return (CarrierContract.objects.filter(courier=courier, starts_on__lte=on, ends_on__gte=on)
            .order_by("-starts_on", "-pk").first())


def standard_days(courier: str, on: date) -> tuple[int, str]:
    """Days from the day after shipping within which the parcel must be delivered: the contract's
    service standard (LOG-01), else the policy's default (LOG-02)."""
    contract = contract_for(courier, on)
    if contract is not None:
        return contract.standard_days, _("合同 %(no)s") % {"no": contract.number}
    resolved = registry.resolve(STANDARD_DAYS, on=on)
    return int(resolved.value), str(resolved.citation)


def record_shipment(order, *, weight_g: int | None = None, at: datetime | None = None) -> Shipment:
    """The parcel of a shipped ``order`` (courier and tracking number set) as a ``Shipment``, with its
    freight from the price card of the shipping day and the day it must be delivered by. Once per
    order: a second call only fills a weight that was missing."""
    existing = Shipment.objects.filter(order=order).first()
    if existing is not None:
        if existing.weight_g is None and weight_g:
            existing.weight_g = weight_g
            _price(existing)
            existing.save(update_fields=["weight_g", "cost", "price_card"])
        return existing
    shipped_at = at or order.shipped_at or timezone.now()
    day = timezone.localdate(shipped_at)
    days, citation = standard_days(order.courier, day)
    shipment = Shipment(order=order, courier=order.courier, tracking_no=order.tracking_no, province=order.province,
                        weight_g=weight_g or None, shipped_at=shipped_at, due_on=day + timedelta(days=days),
                        standard_citation=citation[:80])
    _price(shipment)
    shipment.save()
    return shipment


def _price(shipment: Shipment) -> None:
    card = card_for(shipment.courier, shipment.province, timezone.localdate(shipment.shipped_at))
    shipment.price_card = card
    shipment.cost = freight(card, shipment.weight_g) if card is not None and shipment.weight_g else None


# --- the carrier's monthly bill (LOG-03) ------------------------------------------------------------

BILL_COLUMNS = {"tracking_no": ("运单号", "快递单号", "单号"),
                "weight": ("计费重量", "计费重量(kg)", "重量(kg)", "重量"),
                "amount": ("金额", "运费", "应付金额", "费用")}


@dataclass(frozen=True)
class BillRow:
    row: int
    tracking_no: str
    weight_g: int
    amount: Decimal


def read_bill(data: bytes, filename: str = "") -> list[BillRow]:
    """Rows of a carrier's bill (.xlsx or CSV in UTF-8 or GBK): 运单号, 计费重量 (kg), 金额 (yuan). Every
    bad row is named; nothing is returned half."""
    table = read_table(data, filename=filename)
    columns = find_columns(table.headers, BILL_COLUMNS, missing=_("账单缺少“%(col)s”列"))
    seen: set[str] = set()

    def parse(number: int, cells: list[str]) -> BillRow:
        tracking = columns.cell(cells, "tracking_no")
        if not tracking or len(tracking) > 40:
            raise BusinessError(_("运单号为空或过长"))
        if tracking in seen:
            raise BusinessError(_("运单号 %(no)s 重复") % {"no": tracking})
        try:
            kg = Decimal(columns.cell(cells, "weight"))
            if not kg.is_finite() or kg <= 0 or kg > 1000:
                raise ArithmeticError
        except ArithmeticError:
            raise BusinessError(_("计费重量须为大于 0 的千克数")) from None
        amount = validate.money(columns.cell(cells, "amount"), field="amount", label=_("金额"))
        seen.add(tracking)
        return BillRow(number, tracking, int((kg * 1000).to_integral_value()), amount)

    return parse_rows(table, parse, empty=_("账单没有明细行"))


@transaction.atomic
def import_bill(data: bytes, *, user, courier: str, month: date, filename: str = "") -> CarrierBill:
    """LOG-03: the carrier's bill for ``month`` set line by line against our shipments of that carrier:
    billed weight beyond the policy's tolerance, an amount different from our freight, a tracking
    number we never shipped, and our parcels of the month missing from the bill. The same file twice
    is refused; a corrected bill is a new import."""
    require_perm(user, "logistics.reconcile_carrierbill")
    require_internal(user)
    courier = _courier(courier)
    month = month.replace(day=1)
    fingerprint = hashlib.sha256(data).hexdigest()
    if CarrierBill.objects.filter(courier=courier, month=month, fingerprint=fingerprint).exists():
        raise Conflict(_("这份账单已经导入过（%(courier)s %(month)s）") % {
            "courier": Courier(courier).label, "month": f"{month:%Y-%m}"}, field="file")
    rows = read_bill(data, filename)
    tolerance = int(registry.value(BILL_WEIGHT_TOLERANCE, on=month))
    end = (month + timedelta(days=32)).replace(day=1)
    ours = {s.tracking_no: s for s in Shipment.objects.filter(
        courier=courier, shipped_at__date__gte=month - timedelta(days=1), shipped_at__date__lt=end + timedelta(days=1))}
    in_month = {no for no, s in ours.items() if month <= timezone.localdate(s.shipped_at) < end}
    bill = CarrierBill.objects.create(courier=courier, month=month, filename=filename[:200], fingerprint=fingerprint,
                                      imported_by=user)
    lines, billed_total, our_total, differing = [], Decimal("0"), Decimal("0"), 0
    for row in rows:
        shipment = ours.get(row.tracking_no)
        check = BillCheck.UNKNOWN
        if shipment is not None:
            check = BillCheck.MATCHED
            if shipment.weight_g is not None and abs(row.weight_g - shipment.weight_g) > tolerance:
                check = BillCheck.WEIGHT
            elif shipment.cost is not None and shipment.cost != row.amount:
                check = BillCheck.AMOUNT
            our_total += shipment.cost or 0
        billed_total += row.amount
        differing += check != BillCheck.MATCHED
        lines.append(CarrierBillLine(bill=bill, row=row.row, tracking_no=row.tracking_no, shipment=shipment,
                                     billed_weight_g=row.weight_g, billed_amount=row.amount,
                                     our_weight_g=shipment.weight_g if shipment else None,
                                     our_amount=shipment.cost if shipment else None, result=check))
    billed = {row.tracking_no for row in rows}
    for no in sorted(in_month - billed):
        shipment = ours[no]
        differing += 1
        our_total += shipment.cost or 0
        lines.append(CarrierBillLine(bill=bill, tracking_no=no, shipment=shipment, our_weight_g=shipment.weight_g,
                                     our_amount=shipment.cost, result=BillCheck.NOT_BILLED))
    CarrierBillLine.objects.bulk_create(lines)
    bill.parcels, bill.billed_total, bill.our_total, bill.differences = len(rows), billed_total, our_total, differing
    bill.save(update_fields=["parcels", "billed_total", "our_total", "differences"])
    return bill
