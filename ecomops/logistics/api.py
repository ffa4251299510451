"""API of carriers and electronic waybill numbers (LOG-02, LAW-04): the carriers with the numbers they
have left, giving numbers to orders (all or nothing, in the caller's scope) and importing numbers bought
elsewhere (CSV). The carriers' API keys are never shown: only the name of the environment variable."""

from __future__ import annotations

from django.http import Http404
from ninja import File, Path, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from ecomops.apiutil.access import require_perm
from ecomops.apiutil.types import Code, RefId
from ecomops.orders.models import Order

from . import numbers
from .models import Carrier, NumberSource
from .queries import carrier_stock

router = Router(tags=["logistics"])
VIEW = "logistics.view_carrier"
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
