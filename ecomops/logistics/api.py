"""API of carriers and electronic waybill numbers (LOG-02, LAW-04): the carriers with the numbers they
have left, giving numbers to orders (all or nothing, in the caller's scope) and importing numbers bought
elsewhere (CSV). The carriers' API keys are never shown: only the name of the environment variable.

Also logistics (LOG-01…03): number pools, carrier services with their coverage, carrier contracts,
logistics cases and their steps, the buyer message templates, tracking
events pushed by a carrier or a tracking service, the carriers' monthly scorecard with the routing
suggestion, and price cards.
Parcels and cases are those of the caller's clients (DAT-02); a case outside them is a 404.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from django.http import Http404
from django.utils import timezone
from ninja import File, Path, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import AfterValidator, Field

from ecomops.apiutil.access import require_perm
from ecomops.apiutil.pagination import Page, PageQuery, paginate
from ecomops.apiutil.types import Code, Day, Id, RefId, Text
from ecomops.orders.enums import Courier
from ecomops.orders.models import Order

from . import buyer_texts, customs, freight, numbers, scorecard, services, tracking
from .models import (
    BuyerMessageTemplate,
    Carrier,
    CarrierContract,
    CarrierService,
    CaseKind,
    CaseState,
    CustomsDeclaration,
    CustomsMode,
    LogisticsCase,
    NumberSource,
    PriceCard,
    TrackingStatus,
)
from .queries import carrier_stock

router = Router(tags=["logistics"])
VIEW = "logistics.view_carrier"
VIEW_CASES, VIEW_SHIPMENTS = "logistics.view_logisticscase", "logistics.view_shipment"
MAX_ORDERS = 500


class LogisticsCarrierOut(Schema):
    id: int
    code: str
    name: str
    number_source: NumberSource
    api_url: str
    api_key_env: str = Field(description="保存接口密钥的环境变量名（密钥本身不保存、不返回）")
    is_active: bool
    pool_remaining: int = Field(0, description="号段中剩余的单号数")
    imported_waiting: int = Field(0, description="已导入、尚未使用的单号数")


class LogisticsAssignIn(Schema):
    carrier: Code(20) = Field(description="承运商编码")
    order_ids: list[RefId] = Field(min_length=1, max_length=MAX_ORDERS)


class LogisticsNumberOut(Schema):
    order_id: int
    platform_order_no: str
    tracking_no: str


class LogisticsAssignOut(Schema):
    given: list[LogisticsNumberOut] = Field(description="本次分配的运单号")
    kept: list[LogisticsNumberOut] = Field(description="已有运单号、保持不变的订单")


class LogisticsImportOut(Schema):
    created: int = Field(description="新导入的单号数")
    existing: int = Field(description="此前已导入、未重复写入的单号数")


def _carrier(code: str) -> Carrier:
    carrier = Carrier.objects.filter(code=code).first()
    if carrier is None:
        raise Http404
    return carrier


@router.get("/logistics/carriers", response=list[LogisticsCarrierOut], summary="承运商及剩余单号（LOG-02）")
def logistics_list_carriers(request):
    require_perm(request.auth, VIEW)
    stock = carrier_stock()
    return [{"id": c.pk, "code": c.code, "name": c.name, "number_source": c.number_source, "api_url": c.api_url,
             "api_key_env": c.api_key_env, "is_active": c.is_active, **stock.get(c.pk, {})}
            for c in Carrier.objects.order_by("code")]


@router.post("/logistics/tracking-numbers/assign", response=LogisticsAssignOut,
             summary="为订单分配承运商运单号（全部成功或全部不分配；已有运单号的订单保持不变）")
def logistics_assign_numbers(request, payload: LogisticsAssignIn):
    carrier = _carrier(payload.carrier)
    result = numbers.assign(payload.order_ids, carrier, user=request.auth)
    refs = dict(Order.objects.filter(pk__in=[*result.given, *result.kept]).values_list("pk", "platform_order_no"))
    return {"given": [{"order_id": pk, "platform_order_no": refs[pk], "tracking_no": no}
                      for pk, no in result.given.items()],
            "kept": [{"order_id": pk, "platform_order_no": refs[pk], "tracking_no": no}
                     for pk, no in result.kept.items()]}


@router.post("/logistics/carriers/{code}/tracking-numbers/import", response={201: LogisticsImportOut},
             summary="导入在别处购买的运单号（CSV，表头“运单号”，UTF-8 或 GBK；有错行时全部不导入）")
def logistics_import_numbers(request, code: Path[Code(20)], file: File[UploadedFile]):
    carrier = _carrier(code)
    result = numbers.import_numbers(file, carrier, user=request.auth)
    return Status(201, {"created": result.created, "existing": result.existing})


class LogisticsPoolIn(Schema):
    prefix: Text(10) = ""
    first: Annotated[int, Field(ge=0, le=10**18)] = Field(description="起始号")
    last: Annotated[int, Field(ge=0, le=10**18)] = Field(description="结束号")
    width: Annotated[int, Field(ge=1, le=30)] = 12


class LogisticsPoolOut(Schema):
    id: int
    prefix: str
    first: int
    last: int
    next_value: int
    width: int


@router.post("/logistics/carriers/{code}/pools", response={201: LogisticsPoolOut},
             summary="新增承运商号段（不得与已有号段重叠，LOG-02）")
def logistics_add_pool(request, code: Path[Code(20)], payload: LogisticsPoolIn):
    pool = numbers.add_pool(_carrier(code), user=request.auth, prefix=payload.prefix, first=payload.first,
                            last=payload.last, width=payload.width)
    return Status(201, {"id": pool.pk, "prefix": pool.prefix, "first": pool.first, "last": pool.last,
                        "next_value": pool.next_value, "width": pool.width})


class LogisticsServiceIn(Schema):
    name: Text(services.NAME_MAX, min_length=1) = Field(description="服务名称，如 标准快递、特快")
    provinces: list[Text(20, min_length=1)] = Field(default_factory=list, max_length=40,
                                                    description="覆盖省份；留空表示全国")
    is_default: bool = False


class LogisticsServiceOut(Schema):
    id: int
    name: str
    provinces: list[str] = Field(description="覆盖省份；空表示全国")
    is_default: bool
    is_active: bool


def _service_out(service: CarrierService) -> dict:
    return {"id": service.pk, "name": service.name, "provinces": service.provinces,
            "is_default": service.is_default, "is_active": service.is_active}


@router.get("/logistics/carriers/{code}/services", response=list[LogisticsServiceOut],
            summary="承运商的服务及覆盖省份（LOG-01）")
def logistics_list_services(request, code: Path[Code(20)]):
    require_perm(request.auth, VIEW)
    carrier = _carrier(code)
    return [_service_out(s) for s in CarrierService.objects.filter(carrier=carrier).order_by("-is_default", "name")]


@router.post("/logistics/carriers/{code}/services", response={201: LogisticsServiceOut},
             summary="新增承运商服务（设为默认时替换原默认服务，LOG-01）")
def logistics_add_service(request, code: Path[Code(20)], payload: LogisticsServiceIn):
    service = services.add_service(_carrier(code), user=request.auth, name=payload.name,
                                   provinces=payload.provinces, is_default=payload.is_default)
    return Status(201, _service_out(service))


Money = Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2, description="金额（元），最多两位小数")]
Grams = Annotated[int, Field(ge=1, le=1_000_000, description="克")]


def _recent(value: datetime) -> datetime:
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if not 2000 <= value.year <= 2099:
        raise ValueError("时间须在 2000–2099 年之间")
    return value


Moment = Annotated[datetime, AfterValidator(_recent)]


class CaseOut(Schema):
    id: int
    number: str
    kind: CaseKind
    state: CaseState
    order_id: int
    platform_order_no: str
    courier: str
    tracking_no: str
    reason: str
    opened_at: datetime
    message: str
    claim_amount: Decimal | None
    compensation: Decimal | None
    note: str


class CaseQuery(PageQuery):
    state: CaseState | None = Field(None, description="只看此状态")


def _case_out(case: LogisticsCase) -> dict:
    shipment = case.shipment
    return {"id": case.pk, "number": case.number, "kind": case.kind, "state": case.state,
            "order_id": shipment.order_id, "platform_order_no": shipment.order.platform_order_no,
            "courier": shipment.courier, "tracking_no": shipment.tracking_no, "reason": case.reason,
            "opened_at": case.opened_at, "message": case.message, "claim_amount": case.claim_amount,
            "compensation": case.compensation, "note": case.note}


def _case(request, case_id: int) -> LogisticsCase:
    case = (LogisticsCase.objects.visible_to(request.auth).select_related("shipment__order")
            .filter(pk=case_id).first())
    if case is None:
        raise Http404
    return case


@router.get("/logistics/cases", response=Page[CaseOut], summary="物流异常单（LOG-02）")
def logistics_list_cases(request, query: Query[CaseQuery]):
    require_perm(request.auth, VIEW_CASES)
    rows = LogisticsCase.objects.visible_to(request.auth).select_related("shipment__order").order_by("-opened_at",
                                                                                                    "-pk")
    if query.state:
        rows = rows.filter(state=query.state)
    return paginate(rows, query, _case_out)


@router.get("/logistics/cases/{case_id}", response=CaseOut, summary="物流异常单详情")
def logistics_get_case(request, case_id: Path[Id]):
    require_perm(request.auth, VIEW_CASES)
    return _case_out(_case(request, case_id))


class InformIn(Schema):
    message: Text(1000, multiline=True) = Field("", description="告知买家内容；留空用默认模板")


class AmountIn(Schema):
    amount: Money


class CloseIn(Schema):
    note: Text(300, min_length=1) = Field(description="处理结果")


@router.post("/logistics/cases/{case_id}/inform", response=CaseOut, summary="已告知买家")
def logistics_inform_buyer(request, case_id: Path[Id], payload: InformIn):
    return _case_out(tracking.inform_buyer(_case(request, case_id), user=request.auth, message=payload.message))


@router.post("/logistics/cases/{case_id}/claim", response=CaseOut, summary="向快递索赔")
def logistics_claim(request, case_id: Path[Id], payload: AmountIn):
    return _case_out(tracking.claim(_case(request, case_id), user=request.auth, amount=payload.amount))


@router.post("/logistics/cases/{case_id}/compensate", response=CaseOut,
             summary="登记快递赔付（不超过索赔金额和合同每票上限，LOG-01）")
def logistics_compensate(request, case_id: Path[Id], payload: AmountIn):
    return _case_out(tracking.compensate(_case(request, case_id), user=request.auth, amount=payload.amount))


@router.post("/logistics/cases/{case_id}/close", response=CaseOut, summary="关闭异常单")
def logistics_close_case(request, case_id: Path[Id], payload: CloseIn):
    return _case_out(tracking.close_case(_case(request, case_id), user=request.auth, note=payload.note))


class BuyerMessageTemplateOut(Schema):
    id: int
    kind: CaseKind
    kind_label: str
    text: str = Field(description="模板内容，占位符 {订单号}、{快递公司}、{运单号}")
    is_active: bool = Field(description="停用时告知买家使用系统内置的默认内容")
    preview: str = Field(description="实际使用的内容（停用时为默认内容）按示例订单替换占位符后的结果")


class BuyerMessageTemplateIn(Schema):
    text: Text(1000, multiline=True) = Field(description="模板内容；只能使用占位符 {订单号}、{快递公司}、{运单号}")
    is_active: bool = True


def _template_out(template: BuyerMessageTemplate) -> dict:
    return {"id": template.pk, "kind": template.kind, "kind_label": str(template.get_kind_display()),
            "text": template.text, "is_active": template.is_active,
            "preview": buyer_texts.fill(tracking.template_text(template.kind), buyer_texts.EXAMPLE)}


@router.get("/logistics/message-templates", response=list[BuyerMessageTemplateOut],
            summary="买家告知模板：各类物流异常告知买家的默认内容（LOG-02）")
def logistics_list_message_templates(request):
    require_perm(request.auth, "logistics.view_buyermessagetemplate")
    return [_template_out(t) for t in BuyerMessageTemplate.objects.order_by("kind")]


@router.put("/logistics/message-templates/{kind}", response=BuyerMessageTemplateOut,
            summary="修改买家告知模板（记入修改历史）；未知占位符或内容为空时拒绝")
def logistics_update_message_template(request, kind: Path[CaseKind], payload: BuyerMessageTemplateIn):
    template = BuyerMessageTemplate.objects.filter(kind=kind).first()
    if template is None:
        raise Http404
    return _template_out(tracking.update_template(template, user=request.auth, text=payload.text,
                                                  active=payload.is_active))


class EventIn(Schema):
    tracking_no: Text(40, min_length=1)
    at: Moment
    status: TrackingStatus
    place: Text(60) = ""
    detail: Text(200) = ""


class EventsIn(Schema):
    courier: Courier
    events: list[EventIn] = Field(min_length=1, max_length=1000)


class EventsOut(Schema):
    added: int
    skipped: int
    delivered: int
    cases: int


@router.post("/logistics/tracking-events", response=EventsOut,
             summary="推送物流轨迹：已签收的订单转为已签收，丢件/破损/退回登记异常（LOG-02）；重复推送不重复记录")
def logistics_push_events(request, payload: EventsIn):
    events = [tracking.EventIn(e.tracking_no, e.at, e.status, e.place, e.detail) for e in payload.events]
    result = tracking.record_events(events, user=request.auth, courier=payload.courier, source="api")
    return vars(result)


class MonthQuery(Schema):
    month: Day | None = Field(None, description="该月任意一天（默认本月）")


class ScoreOut(Schema):
    courier: str
    parcels: int
    delivered: int
    on_time_rate: Decimal | None = Field(description="准时率（%），签收或已逾期的包裹中按时签收的比例")
    loss_rate: Decimal | None = Field(description="丢件破损率（%）")
    cost_per_parcel: Decimal | None = Field(description="单票运费（元）")
    compensation: Decimal
    provinces: list[str]


class RouteOut(Schema):
    province: str
    courier: str | None
    reason: str


class ScorecardOut(Schema):
    month: date
    scores: list[ScoreOut]
    routes: list[RouteOut]


@router.get("/logistics/scorecard", response=ScorecardOut, summary="快递月度评分与分区推荐（LOG-01、LOG-03）")
def logistics_scorecard(request, query: Query[MonthQuery]):
    require_perm(request.auth, VIEW_SHIPMENTS)
    month = (query.month or timezone.localdate()).replace(day=1)
    scores = [{"courier": s.courier, "parcels": s.parcels, "delivered": s.delivered, "on_time_rate": s.on_time_rate,
               "loss_rate": s.loss_rate, "cost_per_parcel": s.cost_per_parcel, "compensation": s.compensation,
               "provinces": s.provinces} for s in scorecard.scorecard(month, user=request.auth)]
    routes = [{"province": r.province, "courier": r.courier, "reason": r.reason}
              for r in scorecard.routing(month, user=request.auth)]
    return {"month": month, "scores": scores, "routes": routes}


class PriceCardIn(Schema):
    courier: Courier
    name: Text(60, min_length=1)
    provinces: list[Text(20, min_length=1)] = Field(default_factory=list, max_length=40)
    first_weight_g: Grams
    first_price: Money
    step_weight_g: Grams
    step_price: Money
    valid_from: Day
    valid_to: Day | None = None


class PriceCardOut(Schema):
    id: int
    courier: str
    name: str
    provinces: list[str]
    first_weight_g: int
    first_price: Decimal
    step_weight_g: int
    step_price: Decimal
    valid_from: date
    valid_to: date | None


def _card_out(card: PriceCard) -> dict:
    return {f: getattr(card, f) for f in ("id", "courier", "name", "provinces", "first_weight_g", "first_price",
                                          "step_weight_g", "step_price", "valid_from", "valid_to")}


@router.get("/logistics/price-cards", response=Page[PriceCardOut], summary="运费价格表（LOG-01）")
def logistics_list_price_cards(request, query: Query[PageQuery]):
    require_perm(request.auth, "logistics.view_pricecard")
    return paginate(PriceCard.objects.order_by("courier", "-valid_from", "pk"), query, _card_out)


@router.post("/logistics/price-cards", response={201: PriceCardOut},
             summary="新增运费价格表；价格变化用新的价格表和生效日期，不修改旧表")
def logistics_add_price_card(request, payload: PriceCardIn):
    card = freight.add_price_card(user=request.auth, **payload.dict())
    return Status(201, _card_out(card))


class ContractIn(Schema):
    courier: Courier
    number: Text(40, min_length=1) = Field(description="合同编号（唯一）")
    starts_on: Day
    ends_on: Day
    standard_days: Annotated[int, Field(ge=1, le=365)] = Field(description="承诺时效（天），自发货次日起")
    settlement_terms: Text(200) = ""
    late_penalty: Money = Decimal("0")
    compensation_cap: Money = Decimal("0")
    cargo_safety: Text(300) = ""


class ContractOut(Schema):
    id: int
    courier: str
    number: str
    starts_on: date
    ends_on: date
    standard_days: int
    settlement_terms: str
    late_penalty: Decimal
    compensation_cap: Decimal
    cargo_safety: str


def _contract_out(contract: CarrierContract) -> dict:
    return {f: getattr(contract, f) for f in ("id", "courier", "number", "starts_on", "ends_on", "standard_days",
                                              "settlement_terms", "late_penalty", "compensation_cap",
                                              "cargo_safety")}


@router.get("/logistics/contracts", response=Page[ContractOut], summary="承运合同（LOG-01）")
def logistics_list_contracts(request, query: Query[PageQuery]):
    require_perm(request.auth, "logistics.view_carriercontract")
    return paginate(CarrierContract.objects.order_by("courier", "-starts_on", "pk"), query, _contract_out)


@router.post("/logistics/contracts", response={201: ContractOut},
             summary="新增承运合同；续签是新的合同编号，不修改旧合同（LOG-01）")
def logistics_add_contract(request, payload: ContractIn):
    contract = freight.add_contract(user=request.auth, **payload.dict())
    return Status(201, _contract_out(contract))


# --- cross-border customs (LOG-04, LAW-06) ---------------------------------------------------------------

HsCode = Annotated[str, Field(pattern=r"^\d{10}$", description="10 位商品编码（HS）")]


class CustomsLineIn(Schema):
    hs_code: HsCode
    name: Text(100, min_length=1)
    quantity: Annotated[int, Field(ge=1, le=100000)]
    unit_price: Money
    origin: Text(40, min_length=1)


class CustomsDeclareIn(Schema):
    order_id: RefId
    mode: CustomsMode
    destination: Text(40, min_length=1)
    lines: list[CustomsLineIn] = Field(min_length=1, max_length=200)


class CustomsReceiptIn(Schema):
    status: Annotated[str, Field(pattern=r"^(100|120|300|399|500|501|502|599|700|800)$",
                                 description="海关回执状态：100 退单 120 入库 300 人工审核 399 审结 500 查验 "
                                             "501/502/599 扣留 700 退运 800 放行")]
    at: Moment | None = None
    note: Text(200) = ""


class CustomsReceiptOut(Schema):
    status: str
    at: datetime
    note: str


class CustomsOut(Schema):
    id: int
    number: str
    order_id: int
    platform_order_no: str
    mode: str
    payment_no: str
    tracking_no: str
    courier: str
    destination: str
    total: Decimal
    status: str
    status_label: str
    receipts: list[CustomsReceiptOut]


def _customs_out(declaration: CustomsDeclaration) -> dict:
    return {"id": declaration.pk, "number": declaration.number, "order_id": declaration.order_id,
            "platform_order_no": declaration.order.platform_order_no, "mode": declaration.mode,
            "payment_no": declaration.payment_no, "tracking_no": declaration.tracking_no,
            "courier": declaration.courier, "destination": declaration.destination, "total": declaration.total,
            "status": declaration.status, "status_label": str(declaration.get_status_display()),
            "receipts": [{"status": r.status, "at": r.at, "note": r.note} for r in declaration.receipts.all()]}


def _declaration(request, declaration_id: int) -> CustomsDeclaration:
    found = (CustomsDeclaration.objects.visible_to(request.auth).select_related("order")
             .filter(pk=declaration_id).first())
    if found is None:
        raise Http404
    return found


@router.get("/logistics/customs", response=Page[CustomsOut], summary="跨境申报单（LOG-04）")
def logistics_list_customs(request, query: Query[PageQuery]):
    require_perm(request.auth, "logistics.view_customsdeclaration")
    rows = (CustomsDeclaration.objects.visible_to(request.auth).select_related("order")
            .prefetch_related("receipts").order_by("-created_at", "-pk"))
    return paginate(rows, query, _customs_out)


@router.get("/logistics/customs/{declaration_id}", response=CustomsOut, summary="跨境申报单详情")
def logistics_get_customs(request, declaration_id: Path[Id]):
    require_perm(request.auth, "logistics.view_customsdeclaration")
    return _customs_out(_declaration(request, declaration_id))


@router.post("/logistics/customs", response={201: CustomsOut},
             summary="跨境申报：订单、支付单、运单三单齐全，附申报清单（LAW-06）")
def logistics_declare_customs(request, payload: CustomsDeclareIn):
    order = Order.objects.visible_to(request.auth).filter(pk=payload.order_id).first()
    if order is None:
        raise Http404
    lines = [customs.LineIn(line.hs_code, line.name, line.quantity, line.unit_price, line.origin)
             for line in payload.lines]
    declaration = customs.declare(order, user=request.auth, mode=payload.mode, destination=payload.destination,
                                  lines=lines)
    return Status(201, _customs_out(declaration))


@router.post("/logistics/customs/{declaration_id}/receipts", response=CustomsOut,
             summary="录入海关回执；扣留、退单、退运提醒负责人（LAW-06）；同一回执重复录入只记一次")
def logistics_customs_receipt(request, declaration_id: Path[Id], payload: CustomsReceiptIn):
    declaration = _declaration(request, declaration_id)
    result = customs.record_receipt(declaration, user=request.auth, status=payload.status, at=payload.at,
                                    note=payload.note)
    return _customs_out(result.declaration)
