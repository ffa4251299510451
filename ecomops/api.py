"""The EcomOps REST API, /api/v1/ (issue 2 §7): mounts each app's router.

OpenAPI at /api/v1/openapi.json, interactive docs at /api/v1/docs (Swagger UI served from the
``ninja`` static files: no CDN). Every 4xx answers ``{"error": {"code", "message", "field"}}``,
including paths that are not endpoints and methods an endpoint does not take.
"""

from __future__ import annotations

from functools import wraps

from django.urls import path, re_path
from ninja import NinjaAPI, Swagger

from ecomops.apiutil import errors
from ecomops.apiutil.accounts import router as accounts_router
from ecomops.apiutil.auth import DEFAULT_AUTH
from ecomops.apiutil.parser import StrictJSONParser
from ecomops.audit.api import router as audit_router
from ecomops.catalog.api import router as catalog_router
from ecomops.compliance.api import router as compliance_router
from ecomops.dashboard.api import router as dashboard_router
from ecomops.dispatch.api import router as dispatch_router
from ecomops.fulfilment.api import router as fulfilment_router
from ecomops.inventory.api import router as inventory_router
from ecomops.listing.api import router as listing_router
from ecomops.logistics.api import router as logistics_router
from ecomops.orderimport.api import router as orderimport_router
from ecomops.orders.api import router as orders_router
from ecomops.orders.review_api import router as orders_review_router
from ecomops.org.api import router as org_router
from ecomops.payroll.api import router as payroll_router
from ecomops.policy.api import router as policy_router
from ecomops.receiving.api import router as receiving_router
from ecomops.scheduling.api import router as scheduling_router
from ecomops.stockops.api import router as stockops_router
from ecomops.stores.api import router as stores_router
from ecomops.suppliers.api import router as suppliers_router
from ecomops.supply.api import router as supply_router
from ecomops.waves.api import router as waves_router

DESCRIPTION = """\
EcomOps 电商运营管理系统的 REST API（EcomOps e-commerce operations API）。

**认证**：登录后的浏览器会话（写操作须带 `X-CSRFToken` 头），或个人 API 令牌
`Authorization: Bearer ecm_…`（在登录会话中 `POST /api/v1/tokens` 创建，只显示一次）。

**权限与范围**：与页面相同。只能看到被授权的委托方与店铺；范围外的记录一律返回 404。

**错误**：所有 4xx 响应形如 `{"error": {"code": "...", "message": "...", "field": "..." | null}}`；
`field` 指出出错的输入（如 `name`、`positions.0`）。

**分页**：列表返回 `{"items": [...], "count": N, "page": p, "page_size": s}`，`page` 从 1 开始。
"""


def _json_405(view):
    """django-ninja answers a method an endpoint does not take with a plain-text 405; use the shape."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith("application/json"):
            return errors.method_not_allowed(response)
        return response

    wrapper.csrf_exempt = True  # CSRF is checked by the session authentication, as django-ninja does
    return wrapper


class EcomOpsAPI(NinjaAPI):
    def _get_urls(self):
        urls = []
        for pattern in super()._get_urls():
            if pattern.name == "api-root":
                # /api/v1/ itself is no endpoint; keep its name, ninja reverses it for the schema paths.
                urls.append(path("", errors.not_found_view, name="api-root"))
            elif pattern.name in ("openapi-json", "openapi-view"):
                urls.append(pattern)
            else:
                pattern.callback = _json_405(pattern.callback)
                urls.append(pattern)
        urls.append(re_path(r"^.*$", errors.not_found_view, name="not-found"))
        return urls

    def get_openapi_operation_id(self, operation) -> str:
        return operation.view_func.__name__

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        error_schema = errors.ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(error_schema.pop("$defs", {}))
        components["ErrorOut"] = error_schema
        error_response = {
            "description": "错误（统一格式）",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}},
        }
        for path_item in schema.get("paths", {}).values():
            for operation in path_item.values():
                if isinstance(operation, dict) and "responses" in operation:
                    operation["responses"].setdefault("4XX", error_response)
        return schema


api = EcomOpsAPI(
    title="EcomOps API",
    version="1.0.0",
    description=DESCRIPTION,
    urls_namespace="api-1.0.0",
    auth=DEFAULT_AUTH,
    parser=StrictJSONParser(),
    docs=Swagger(settings={"validatorUrl": None, "persistAuthorization": False}),
)
errors.install(api)

api.add_router("", accounts_router)
api.add_router("", audit_router)
api.add_router("", org_router)
api.add_router("", policy_router)
api.add_router("", compliance_router)
api.add_router("", catalog_router)
api.add_router("", stores_router)
api.add_router("", suppliers_router)
api.add_router("", listing_router)
api.add_router("", inventory_router)
api.add_router("", receiving_router)
api.add_router("", stockops_router)
api.add_router("", supply_router)
api.add_router("", orders_router)
api.add_router("", orders_review_router)
api.add_router("", orderimport_router)
api.add_router("", dispatch_router)
api.add_router("", logistics_router)
api.add_router("", waves_router)
api.add_router("", fulfilment_router)
api.add_router("", payroll_router)
api.add_router("", scheduling_router)
api.add_router("", dashboard_router)
