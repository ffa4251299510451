"""API of purchasing, replenishment plans, supplier returns and packaging materials (WMS-01, WMS-14,
WMS-16, WMS-18).

Thin: reads through scoped querysets (another client's record is a 404), writes through the action
modules (``purchasing``, ``plans``, ``returns``, ``packaging``). Internal to the company: a client's
own user is refused. Operation ids and schema names carry the app's prefix (``supply_`` / ``Supply``)
so they stay unique across the API.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Schema, Status
from pydantic import Field, Strict

from ecomops.apiutil.access import require_internal, require_perm
from ecomops.apiutil.pagination import Page, PageQuery, paginate
from ecomops.apiutil.schemas import InputSchema
from ecomops.apiutil.types import Code, Day, Flag, Id, RefId, Text
from ecomops.catalog.models import SKU
from ecomops.core.errors import BusinessError
from ecomops.inventory.models import Warehouse
from ecomops.org.models import Client
from ecomops.org.scoping import get_visible_or_404, scope_for
from ecomops.suppliers.models import Supplier

from .enums import PlanState, POState, ReturnState
from .models import PackagingBalance, PackagingMaterial, PurchaseOrder, ReplenishmentPlan, SupplierReturn
from .packaging import consume_packaging, create_material, packaging_cover
from .plans import approve_plan, reject_plan
from .purchasing import POItem, cancel_purchase_order, confirm_purchase_order, create_purchase_order
from .returns import hand_over_return, mark_return_ready, pickup_due_on

router = Router(tags=["supply"])

Quantity = Annotated[int, Field(ge=1, le=10_000_000)]
Money = Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2)]


def _lookup(queryset, pk: int, *, field: str, message: str):
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise BusinessError(message, field=field, code="not_found")
    return found


# --- purchase orders ------------------------------------------------------------------------------


class SupplyPOLineOut(Schema):
    sku_id: int
    sku_code: str = Field(validation_alias="sku.sku_code")
    quantity: int
    received_quantity: int
    unit_cost: Decimal | None


class SupplyPurchaseOrderOut(Schema):
    id: int
    number: str
    client_id: int
    supplier_id: int
    supplier_name: str = Field(validation_alias="supplier.name")
    warehouse_code: str = Field(validation_alias="warehouse.code")
    state: POState
    expected_on: date | None
    source: str
    note: str
    created_at: datetime
    confirmed_at: datetime | None
    lines: list[SupplyPOLineOut]

    @staticmethod
    def resolve_lines(obj):
        return list(obj.lines.select_related("sku").order_by("pk"))


class SupplyPOFilters(PageQuery):
    state: POState | None = None
    client_id: Id | None = None


class SupplyPOLineIn(InputSchema):
    sku_id: RefId
    quantity: Quantity
    unit_cost: Money | None = None


class SupplyPurchaseOrderIn(InputSchema):
    client_id: RefId
    supplier_id: RefId
    warehouse_code: Code(20)
    lines: list[SupplyPOLineIn] = Field(min_length=1, max_length=500)
    expected_on: Day | None = None
    note: Text(200) = ""
    confirm: Flag = False


class SupplyReasonIn(InputSchema):
    reason: Text(200, min_length=1)


def _order(request, pk: int) -> PurchaseOrder:
    require_perm(request.auth, "supply.view_purchaseorder", internal=True)
    return get_visible_or_404(PurchaseOrder.objects.select_related("supplier", "warehouse"), request.auth, pk=pk)


@router.get("/supply/purchase-orders", response=Page[SupplyPurchaseOrderOut], summary="采购单列表")
def supply_list_purchase_orders(request, filters: Query[SupplyPOFilters]):
    require_perm(request.auth, "supply.view_purchaseorder", internal=True)
    orders = PurchaseOrder.objects.visible_to(request.auth).select_related("supplier", "warehouse")
    if filters.state:
        orders = orders.filter(state=filters.state)
    if filters.client_id:
        orders = orders.filter(client_id=filters.client_id)
    return paginate(orders.order_by("-id"), filters)


@router.get("/supply/purchase-orders/{order_id}", response=SupplyPurchaseOrderOut, summary="采购单详情")
def supply_get_purchase_order(request, order_id: Path[Id]):
    return _order(request, order_id)


@router.post("/supply/purchase-orders", response={201: SupplyPurchaseOrderOut}, summary="新建采购单")
def supply_create_purchase_order(request, payload: SupplyPurchaseOrderIn):
    require_internal(request.auth)
    user = request.auth
    client = _lookup(Client.objects.filter(pk__in=_whole_clients(user)), payload.client_id, field="client_id",
                     message=_("委托方不存在"))
    supplier = _lookup(Supplier.objects.visible_to(user), payload.supplier_id, field="supplier_id",
                       message=_("供应商不存在"))
    warehouse = Warehouse.objects.filter(code=payload.warehouse_code, is_active=True).first()
    if warehouse is None:
        raise BusinessError(_("仓库不存在"), field="warehouse_code", code="not_found")
    items = []
    for index, line in enumerate(payload.lines):
        sku = SKU.objects.filter(pk=line.sku_id, client=client).first()
        if sku is None:
            raise BusinessError(_("该委托方没有此 SKU"), field=f"lines.{index}.sku_id", code="not_found")
        items.append(POItem(sku, line.quantity, line.unit_cost))
    order = create_purchase_order(user=user, client=client, supplier=supplier, warehouse=warehouse,
                                          lines=items, expected_on=payload.expected_on, note=payload.note,
                                          confirm=payload.confirm)
    return Status(201, _order(request, order.pk))


def _whole_clients(user):
    scope = scope_for(user)
    return Client.objects.values("pk") if scope.all else list(scope.client_ids)


@router.post("/supply/purchase-orders/{order_id}/confirm", response=SupplyPurchaseOrderOut, summary="确认下单")
def supply_confirm_purchase_order(request, order_id: Path[Id]):
    order = confirm_purchase_order(_order(request, order_id), user=request.auth)
    return _order(request, order.pk)


@router.post("/supply/purchase-orders/{order_id}/cancel", response=SupplyPurchaseOrderOut, summary="取消采购单")
def supply_cancel_purchase_order(request, order_id: Path[Id], payload: SupplyReasonIn):
    order = cancel_purchase_order(_order(request, order_id), user=request.auth, reason=payload.reason)
    return _order(request, order.pk)


# --- replenishment plans (WMS-14) -----------------------------------------------------------------


class SupplyPlanLineOut(Schema):
    sku_id: int
    sku_code: str = Field(validation_alias="sku.sku_code")
    supplier_id: int | None
    is_hero: bool
    rule: str
    window_days: int
    sold_units: int
    daily_sales: Decimal
    available: int
    cover_days: Decimal
    trigger_days: int
    order_days: int
    quantity: int
    explanation: str
    purchase_order_id: int | None


class SupplyPlanOut(Schema):
    id: int
    number: str
    client_id: int
    warehouse_code: str = Field(validation_alias="warehouse.code")
    plan_date: date
    state: PlanState
    policy: dict
    decided_at: datetime | None
    decision_note: str
    lines: list[SupplyPlanLineOut]

    @staticmethod
    def resolve_lines(obj):
        return list(obj.lines.select_related("sku").order_by("pk"))


class SupplyPlanFilters(PageQuery):
    state: PlanState | None = None


class SupplyDecisionIn(InputSchema):
    note: Text(200) = ""


class SupplyApprovalOut(Schema):
    plan: SupplyPlanOut
    purchase_order_ids: list[int]


def _plan(request, pk: int) -> ReplenishmentPlan:
    require_perm(request.auth, "supply.view_replenishmentplan", internal=True)
    return get_visible_or_404(ReplenishmentPlan.objects.select_related("warehouse"), request.auth, pk=pk)


@router.get("/supply/replenishment-plans", response=Page[SupplyPlanOut], summary="补货计划列表")
def supply_list_plans(request, filters: Query[SupplyPlanFilters]):
    require_perm(request.auth, "supply.view_replenishmentplan", internal=True)
    plans = ReplenishmentPlan.objects.visible_to(request.auth).select_related("warehouse")
    if filters.state:
        plans = plans.filter(state=filters.state)
    return paginate(plans.order_by("-plan_date", "-id"), filters)


@router.get("/supply/replenishment-plans/{plan_id}", response=SupplyPlanOut, summary="补货计划详情")
def supply_get_plan(request, plan_id: Path[Id]):
    return _plan(request, plan_id)


@router.post("/supply/replenishment-plans/{plan_id}/approve", response=SupplyApprovalOut,
             summary="批准补货计划并生成采购单（WMS-14）")
def supply_approve_plan(request, plan_id: Path[Id], payload: SupplyDecisionIn):
    orders = approve_plan(_plan(request, plan_id), user=request.auth, note=payload.note)
    return {"plan": _plan(request, plan_id), "purchase_order_ids": [o.pk for o in orders]}


@router.post("/supply/replenishment-plans/{plan_id}/reject", response=SupplyPlanOut, summary="驳回补货计划")
def supply_reject_plan(request, plan_id: Path[Id], payload: SupplyDecisionIn):
    reject_plan(_plan(request, plan_id), user=request.auth, note=payload.note)
    return _plan(request, plan_id)


# --- supplier returns (WMS-16) --------------------------------------------------------------------


class SupplyReturnLineOut(Schema):
    sku_code: str = Field(validation_alias="sku.sku_code")
    lot_number: str = Field(validation_alias="lot.number")
    bin_code: str = Field(validation_alias="bin.code")
    quantity: int
    reason: str
    detail: str
    source: str


class SupplyReturnOut(Schema):
    id: int
    number: str
    client_id: int
    supplier_id: int
    supplier_name: str = Field(validation_alias="supplier.name")
    warehouse_code: str = Field(validation_alias="warehouse.code")
    state: ReturnState
    due_on: date | None = None
    ready_at: datetime | None
    handed_over_at: datetime | None
    collector: str
    collector_signature: str
    keeper_signature: str
    lines: list[SupplyReturnLineOut]

    @staticmethod
    def resolve_lines(obj):
        return list(obj.lines.select_related("sku", "lot", "bin").order_by("pk"))

    @staticmethod
    def resolve_due_on(obj):
        if obj.state in (ReturnState.COLLECTING, ReturnState.READY):
            return pickup_due_on(obj)
        return None


class SupplyReturnFilters(PageQuery):
    state: ReturnState | None = None
    supplier_id: Id | None = None


class SupplyHandOverIn(InputSchema):
    collector: Text(60, min_length=1)
    collector_phone: Text(30) = ""
    collector_signature: Text(60, min_length=1)
    keeper_signature: Text(60, min_length=1)


def _return(request, pk: int) -> SupplierReturn:
    require_perm(request.auth, "supply.view_supplierreturn", internal=True)
    return get_visible_or_404(SupplierReturn.objects.select_related("supplier", "warehouse"), request.auth, pk=pk)


@router.get("/supply/supplier-returns", response=Page[SupplyReturnOut], summary="退厂单列表")
def supply_list_returns(request, filters: Query[SupplyReturnFilters]):
    require_perm(request.auth, "supply.view_supplierreturn", internal=True)
    returns = SupplierReturn.objects.visible_to(request.auth).select_related("supplier", "warehouse")
    if filters.state:
        returns = returns.filter(state=filters.state)
    if filters.supplier_id:
        returns = returns.filter(supplier_id=filters.supplier_id)
    return paginate(returns.order_by("-id"), filters)


@router.get("/supply/supplier-returns/{return_id}", response=SupplyReturnOut, summary="退厂单详情")
def supply_get_return(request, return_id: Path[Id]):
    return _return(request, return_id)


@router.post("/supply/supplier-returns/{return_id}/ready", response=SupplyReturnOut, summary="退厂备货完成")
def supply_mark_return_ready(request, return_id: Path[Id]):
    mark_return_ready(_return(request, return_id), user=request.auth)
    return _return(request, return_id)


@router.post("/supply/supplier-returns/{return_id}/hand-over", response=SupplyReturnOut,
             summary="交接供应商并出库（WMS-16）")
def supply_hand_over_return(request, return_id: Path[Id], payload: SupplyHandOverIn):
    hand_over_return(_return(request, return_id), user=request.auth, **payload.model_dump())
    return _return(request, return_id)


# --- packaging materials (WMS-18) -----------------------------------------------------------------


class SupplyPackagingBalanceOut(Schema):
    warehouse_code: str
    on_hand: int
    daily_use: Decimal
    cover_days: Decimal | None
    trigger_days: int
    below: bool


class SupplyMaterialOut(Schema):
    id: int
    code: str
    name: str
    spec: str
    unit: str
    weight_g: int | None
    is_active: bool
    balances: list[SupplyPackagingBalanceOut]

    @staticmethod
    def resolve_balances(obj):
        today = timezone.localdate()
        rows = []
        for balance in PackagingBalance.objects.filter(material=obj).select_related("warehouse").order_by(
                "warehouse__code"):
            cover = packaging_cover(obj, balance.warehouse, today)
            rows.append({"warehouse_code": balance.warehouse.code, "on_hand": cover.on_hand,
                         "daily_use": cover.daily_use.quantize(Decimal("0.0001")),
                         "cover_days": None if cover.cover_days is None else cover.cover_days.quantize(Decimal("0.01")),
                         "trigger_days": cover.trigger_days, "below": cover.below})
        return rows


class SupplyMaterialIn(InputSchema):
    code: Code(30)
    name: Text(60, min_length=1)
    spec: Text(60) = ""
    unit: Text(10, min_length=1) = "个"
    weight_g: Annotated[int, Strict(), Field(ge=0, le=1_000_000)] | None = Field(
        None, description="单个包材重量（克），称重复核用（FUL-04）")


class SupplyConsumptionIn(InputSchema):
    warehouse_code: Code(20)
    material_id: RefId
    quantity: Quantity
    note: Text(200) = ""


class SupplyConsumptionOut(Schema):
    material_id: int
    warehouse_code: str = Field(validation_alias="warehouse.code")
    quantity: int
    on_hand_after: int
    doc_number: str


@router.get("/supply/packaging-materials", response=Page[SupplyMaterialOut], summary="包装材料与库存")
def supply_list_materials(request, filters: Query[PageQuery]):
    require_perm(request.auth, "supply.view_packagingmaterial", internal=True)
    return paginate(PackagingMaterial.objects.order_by("code"), filters)


@router.post("/supply/packaging-materials", response={201: SupplyMaterialOut}, summary="添加包装材料")
def supply_create_material(request, payload: SupplyMaterialIn):
    require_internal(request.auth)
    return Status(201, create_material(user=request.auth, **payload.model_dump()))


@router.post("/supply/packaging-consumptions", response={201: SupplyConsumptionOut}, summary="包材领用（WMS-18）")
def supply_consume_packaging(request, payload: SupplyConsumptionIn):
    require_internal(request.auth)
    warehouse = Warehouse.objects.filter(code=payload.warehouse_code, is_active=True).first()
    if warehouse is None:
        raise BusinessError(_("仓库不存在"), field="warehouse_code", code="not_found")
    material = _lookup(PackagingMaterial.objects.all(), payload.material_id, field="material_id",
                       message=_("包装材料不存在"))
    row = consume_packaging(user=request.auth, warehouse=warehouse, material=material,
                                    quantity=payload.quantity, note=payload.note)
    return Status(201, row)
