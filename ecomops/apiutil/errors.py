"""One error shape for every 4xx of the API: ``{"error": {"code": ..., "message": ..., "field": ...}}``.

``code`` is stable and meant for programs (``invalid``, ``not_found``, ``unauthenticated``,
``forbidden``, ``conflict``, ``malformed``, ``method_not_allowed``, ``throttled`` …, or the code of a
``BusinessError``); ``message`` is for people, in Chinese; ``field`` names the input at fault as a
dotted path (``positions.0``) or is null.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from contextlib import contextmanager
from decimal import DecimalException
from typing import Any

from django.core.exceptions import (
    ObjectDoesNotExist,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from ecomops.core.errors import BusinessError

logger = logging.getLogger("ecomops.api")

# The body of every operation is declared as a parameter named ``payload``; validation paths start
# below it, so a client reads ``field: "name"`` and not ``body.payload.name``.
BODY_PARAM = "payload"


class ErrorDetail(Schema):
    code: str
    message: str
    field: str | None = None


class ErrorOut(Schema):
    error: ErrorDetail


class ApiError(Exception):
    """An error raised by the API layer itself (not by an action), with its status and code."""

    def __init__(self, status: int, code: str, message: str, *, field: str | None = None,
                 headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, str(message), field
        self.headers = headers or {}


def error_response(status: int, code: str, message: str, field: str | None = None,
                   headers: dict[str, str] | None = None) -> HttpResponse:
    response = JsonResponse(
        {"error": {"code": code, "message": str(message), "field": field}},
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


# --- validation errors -----------------------------------------------------------------------

def field_path(loc: Iterable[Any]) -> str | None:
    """``("body", "payload", "positions", 0)`` → ``"positions.0"``; ``("query", "page")`` → ``"page"``."""
    parts = list(loc)
    if parts and parts[0] in ("body", "query", "path", "header", "cookie", "form", "file"):
        source = parts.pop(0)
        if source == "body" and parts and parts[0] == BODY_PARAM:
            parts.pop(0)
    return ".".join(str(part) for part in parts) or None


def _join(values: Any) -> str:
    if isinstance(values, list | tuple):
        return "、".join(str(v) for v in values)
    text = str(values)
    quoted = re.findall(r"'([^']*)'", text)  # pydantic's "'a', 'b' or 'c'"
    return "、".join(quoted) if quoted else text


# Templates in Chinese (the msgids); {placeholders} come from pydantic's error context.
_MESSAGES: dict[str, Any] = {
    "missing": gettext_lazy("必填"),
    "string_type": gettext_lazy("必须是字符串"),
    "string_too_short": gettext_lazy("至少 {min_length} 个字符"),
    "string_too_long": gettext_lazy("最多 {max_length} 个字符"),
    "string_pattern_mismatch": gettext_lazy("格式不正确"),
    "string_unicode": gettext_lazy("必须是有效的文本"),
    "int_type": gettext_lazy("必须是整数"),
    "int_parsing": gettext_lazy("必须是整数"),
    "int_parsing_size": gettext_lazy("数值过大"),
    "int_from_float": gettext_lazy("必须是整数"),
    "float_type": gettext_lazy("必须是数字"),
    "float_parsing": gettext_lazy("必须是数字"),
    "bool_type": gettext_lazy("必须是 true 或 false"),
    "bool_parsing": gettext_lazy("必须是 true 或 false"),
    "greater_than": gettext_lazy("必须大于 {gt}"),
    "greater_than_equal": gettext_lazy("不能小于 {ge}"),
    "less_than": gettext_lazy("必须小于 {lt}"),
    "less_than_equal": gettext_lazy("不能大于 {le}"),
    "decimal_type": gettext_lazy("必须是数字（建议用字符串表示）"),
    "decimal_parsing": gettext_lazy("必须是有效的数字"),
    "decimal_max_digits": gettext_lazy("最多 {max_digits} 位数字"),
    "decimal_max_places": gettext_lazy("最多 {decimal_places} 位小数"),
    "decimal_whole_digits": gettext_lazy("整数部分最多 {whole_digits} 位"),
    "finite_number": gettext_lazy("必须是有限的数字"),
    "date_type": gettext_lazy("必须是日期，格式 YYYY-MM-DD"),
    "date_parsing": gettext_lazy("不是有效的日期，格式应为 YYYY-MM-DD"),
    "date_from_datetime_parsing": gettext_lazy("不是有效的日期，格式应为 YYYY-MM-DD"),
    "date_from_datetime_inexact": gettext_lazy("只能是日期，不能带时间"),
    "datetime_type": gettext_lazy("必须是时间，格式 YYYY-MM-DDTHH:MM:SS"),
    "datetime_parsing": gettext_lazy("时间格式应为 YYYY-MM-DDTHH:MM:SS"),
    "datetime_from_date_parsing": gettext_lazy("时间格式应为 YYYY-MM-DDTHH:MM:SS"),
    "literal_error": gettext_lazy("必须是以下之一：{expected}"),
    "enum": gettext_lazy("必须是以下之一：{expected}"),
    "list_type": gettext_lazy("必须是列表"),
    "too_short": gettext_lazy("至少 {min_length} 项"),
    "too_long": gettext_lazy("最多 {max_length} 项"),
    "dict_type": gettext_lazy("必须是 JSON 对象"),
    "model_type": gettext_lazy("必须是 JSON 对象"),
    "model_attributes_type": gettext_lazy("必须是 JSON 对象"),
    "extra_forbidden": gettext_lazy("不支持的字段"),
    "json_invalid": gettext_lazy("不是有效的 JSON"),
    "json_type": gettext_lazy("不是有效的 JSON"),
    "none_required": gettext_lazy("必须为空"),
    "frozen_field": gettext_lazy("不能修改"),
}


def describe(error: dict) -> tuple[str | None, str]:
    """The field path and a Chinese message for one pydantic error."""
    field = field_path(error.get("loc", ()))
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind in ("value_error", "assertion_error") and ctx.get("error"):
        text = str(ctx["error"])
    elif kind in _MESSAGES:
        try:
            text = str(_MESSAGES[kind]).format(**{k: _join(v) for k, v in ctx.items()})
        except (KeyError, IndexError, ValueError):
            text = str(_MESSAGES[kind]).split("{")[0].rstrip("：: ") or _("取值无效")
    else:
        text = _("取值无效")
    if field is None and kind == "missing":
        return None, _("缺少请求体（JSON 对象）")
    if field is None and kind in ("model_type", "model_attributes_type", "dict_type"):
        return None, _("请求体必须是 JSON 对象")
    return field, f"{field}：{text}" if field else text


# --- handlers --------------------------------------------------------------------------------

def csrf_message() -> str:
    return _("CSRF 校验失败：通过登录会话调用写操作时须带 X-CSRFToken 头")


def _validation(request, exc: NinjaValidationError) -> HttpResponse:
    errors = exc.errors or [{}]
    field, message = describe(errors[0])
    return error_response(422, "invalid", message, field)


def _unauthenticated(request, exc: AuthenticationError) -> HttpResponse:
    return error_response(
        401, "unauthenticated", _("需要登录，或在 Authorization 头中提供有效的 API 令牌（Bearer）"),
        headers={"WWW-Authenticate": 'Bearer realm="ecomops"'},
    )


def _http_error(request, exc: HttpError) -> HttpResponse:
    status = exc.status_code
    if status == 400:
        # ninja raises this when the body is not JSON at all.
        return error_response(400, "malformed", _("请求体不是有效的 JSON（须为 UTF-8 编码的 JSON 对象）"))
    if status == 403 and "csrf" in str(exc).lower():
        return error_response(403, "csrf_failed", csrf_message())
    if status == 403:
        return error_response(403, "forbidden", _("您没有执行此操作的权限"))
    if status == 404:
        return _not_found(request, exc)
    if status == 429:
        return error_response(429, "throttled", _("请求过于频繁，请稍后再试"))
    return error_response(status, "error", str(exc))


def _not_found(request, exc: Exception | None = None) -> HttpResponse:
    return error_response(404, "not_found", _("未找到该记录"))


def _business(request, exc: BusinessError) -> HttpResponse:
    return error_response(exc.status, exc.code, exc.message, exc.field)


def _api_error(request, exc: ApiError) -> HttpResponse:
    return error_response(exc.status, exc.code, exc.message, exc.field, headers=exc.headers)


def _permission_denied(request, exc: PermissionDenied) -> HttpResponse:
    return error_response(403, "forbidden", _("您没有执行此操作的权限"))


def _django_validation(request, exc: DjangoValidationError) -> HttpResponse:
    if hasattr(exc, "error_dict"):
        field, messages = next(iter(exc.message_dict.items()))
        field = None if field == "__all__" else field
        text = messages[0] if messages else _("取值无效")
        return error_response(400, "invalid", f"{field}：{text}" if field else text, field)
    return error_response(400, "invalid", exc.messages[0] if exc.messages else _("取值无效"))


def _suspicious(request, exc: SuspiciousOperation) -> HttpResponse:
    if isinstance(exc, RequestDataTooBig):
        return error_response(413, "too_large", _("请求体过大"))
    return error_response(400, "bad_request", _("请求无效"))


def _decimal(request, exc: DecimalException) -> HttpResponse:
    return error_response(400, "invalid", _("数值超出可处理的范围"))


def _server_error(request, exc: Exception) -> HttpResponse:
    logger.exception("Unhandled error in API %s %s", request.method, request.path)
    return error_response(500, "server_error", _("服务器内部错误，已记录，请联系管理员"))


def install(api) -> None:
    """Replace django-ninja's default handlers with ones answering in the error shape."""
    api.add_exception_handler(Exception, _server_error)
    api.add_exception_handler(NinjaValidationError, _validation)
    api.add_exception_handler(HttpError, _http_error)
    api.add_exception_handler(AuthenticationError, _unauthenticated)
    api.add_exception_handler(Http404, _not_found)
    api.add_exception_handler(ObjectDoesNotExist, _not_found)
    api.add_exception_handler(BusinessError, _business)
    api.add_exception_handler(ApiError, _api_error)
    api.add_exception_handler(PermissionDenied, _permission_denied)
    api.add_exception_handler(DjangoValidationError, _django_validation)
    api.add_exception_handler(SuspiciousOperation, _suspicious)
    api.add_exception_handler(DecimalException, _decimal)


@contextmanager
def fields_renamed(mapping: dict[str, str]):
    """Report an action's field names (``parent``) as the API's (``parent_id``)."""
    try:
        yield
    except BusinessError as error:
        if error.field in mapping:
            error.field = mapping[error.field]
        raise


# --- views outside django-ninja's operations -------------------------------------------------

@csrf_exempt  # nothing happens here; a POST to a wrong path must read "not found", not "CSRF failed"
def not_found_view(request, *args, **kwargs) -> HttpResponse:
    """Any path under /api/v1/ that is not an endpoint."""
    return error_response(404, "not_found", _("没有这个接口"))


def method_not_allowed(response: HttpResponse) -> HttpResponse:
    allowed = response.get("Allow", "")
    return error_response(
        405, "method_not_allowed", _("该接口不支持此请求方法，可用：%(allowed)s") % {"allowed": allowed},
        headers={"Allow": allowed} if allowed else None,
    )
