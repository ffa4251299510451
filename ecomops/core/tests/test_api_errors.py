"""Issue 2 §7: every 4xx of the API has one shape, {"error": {"code", "message", "field"}}; bad input is
a 4xx naming the field, never a 500. Pagination bounds are enforced the same way."""

from __future__ import annotations

import pytest
from django.conf import settings

from ecomops.apiutil import errors
from ecomops.core.errors import BusinessError, Conflict, NotAllowed

from .conftest import assert_error

pytestmark = pytest.mark.django_db


# --- 401 / 403 / 404 / 405 -------------------------------------------------------------------

def test_unauthenticated_request_is_401_with_the_error_shape(anonymous_api):
    response = anonymous_api.get("clients")
    assert_error(response, 401, "unauthenticated", None)
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_missing_permission_is_403_with_the_error_shape(org, session_api):
    # DAT-02: nobody holds org.view_client but not org.add_client.
    response = session_api(org.nobody).post("clients", {"code": "NEW", "name": "新客户"})
    assert_error(response, 403, "forbidden", None)


def test_unknown_record_and_unknown_path_are_404_with_the_error_shape(org, session_api):
    api = session_api(org.admin)
    assert_error(api.get("clients/999999"), 404, "not_found", None)
    assert_error(api.get("no-such-endpoint"), 404, "not_found", None)
    assert_error(api.get("clients/1/deeper/still"), 404, "not_found", None)
    assert_error(api.get("/api/v1/"), 404, "not_found", None)


def test_unknown_path_is_404_for_every_method_even_without_csrf(org, session_api):
    api = session_api(org.admin, enforce_csrf=True)
    assert_error(api.post("no-such-endpoint", {}), 404, "not_found", None)
    assert_error(api.delete("clients/1/nothing"), 404, "not_found", None)


def test_method_not_allowed_is_405_with_the_error_shape_and_allow_header(org, session_api):
    response = session_api(org.admin).put("clients", {})
    assert_error(response, 405, "method_not_allowed", None)
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "POST"}


# --- 422: validation -------------------------------------------------------------------------

def test_too_long_string_is_422_naming_the_field_in_chinese(org, session_api):
    error = assert_error(session_api(org.admin).post("clients", {"code": "C1", "name": "名" * 101}), 422, "invalid",
                         "name")
    assert "最多 100 个字符" in error["message"]


def test_missing_field_is_422_naming_it(org, session_api):
    error = assert_error(session_api(org.admin).post("clients", {"name": "无编码"}), 422, "invalid", "code")
    assert "必填" in error["message"]


def test_bad_code_pattern_and_bad_date_name_their_fields(org, session_api):
    api = session_api(org.admin)
    assert_error(api.post("clients", {"code": "有 空格", "name": "x"}), 422, "invalid", "code")
    assert_error(api.post("clients", {"code": "C2", "name": "x", "contract_start": "2024-13-40"}), 422, "invalid",
                 "contract_start")
    error = assert_error(api.post("clients", {"code": "C2", "name": "x", "status": "sleeping"}), 422, "invalid",
                         "status")
    assert "prospect、active、ended" in error["message"]


def test_nested_field_is_named_by_its_dotted_path(org, session_api):
    payload = {"username": "li.si", "name": "李四", "employee_no": "E9001", "department_id": org.department.pk,
               "hired_on": "2024-03-01", "position_ids": [1, "two"]}
    assert_error(session_api(org.admin).post("staff", payload), 422, "invalid", "position_ids.1")


def test_unknown_field_is_refused_not_ignored(org, session_api):
    assert_error(session_api(org.admin).post("clients", {"code": "C3", "name": "x", "colour": "red"}), 422, "invalid",
                 "colour")


def test_control_characters_are_refused(org, session_api):
    # PostgreSQL cannot store NUL; refusing it up front keeps this a 4xx on every database.
    assert_error(session_api(org.admin).post("clients", {"code": "C4", "name": "a\x00b"}), 422, "invalid", "name")
    assert_error(session_api(org.admin).get("clients", {"q": "a\x00"}), 422, "invalid", "q")


def test_null_for_a_required_field_in_a_patch_is_422(org, session_api):
    assert_error(session_api(org.admin).patch(f"clients/{org.client_a.pk}", {"name": None}), 422, "invalid", "name")


def test_out_of_range_ids_are_4xx_not_database_overflow(org, session_api):
    api = session_api(org.admin)
    assert_error(api.get(f"clients/{2**70}"), 422, "invalid", "client_id")
    assert_error(api.get("clients/0"), 422, "invalid", "client_id")
    assert_error(api.get("stores", {"client_id": str(2**64)}), 422, "invalid", "client_id")


# --- 400: bad JSON, refusals of actions ------------------------------------------------------

@pytest.mark.parametrize(
    "raw", ["{not json", '{"code": "C5", "name": ', b'{"code": "C5", "name": "\xff"}', '{"code": "\\ud800"}',
            '{"code": "C5", "name": NaN}'],
)
def test_malformed_json_is_400(org, session_api, raw):
    assert_error(session_api(org.admin).post("clients", raw=raw), 400, "malformed", None)


def test_oversized_body_is_413(org, session_api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    assert_error(session_api(org.admin).post("clients", {"code": "C7", "name": "x" * 2000}), 413, "too_large", None)


def test_body_that_is_not_an_object_or_missing_is_422(org, session_api):
    api = session_api(org.admin)
    assert_error(api.post("clients", [1, 2]), 422, "invalid", None)
    assert_error(api.post("clients", raw=""), 422, "invalid", None)


def test_business_error_of_an_action_keeps_its_status_code_and_field(org, session_api):
    # The action refuses a duplicate code (unique) with a BusinessError naming the field: 400 with the shape.
    error = assert_error(session_api(org.admin).post("clients", {"code": "CA", "name": "重复"}), 400, "invalid", "code")
    assert "已存在" in error["message"]


@pytest.mark.parametrize(
    ("exc", "status", "code", "field"),
    [
        (BusinessError("取值不对", field="value"), 400, "invalid", "value"),
        (NotAllowed("不行"), 403, "forbidden", None),
        (Conflict("已被他人修改", field="version"), 409, "conflict", "version"),
        (BusinessError("没有", code="not_found", field="client_id"), 400, "not_found", "client_id"),
    ],
)
def test_each_action_error_class_maps_to_its_status(exc, status, code, field):
    assert_error(errors._business(None, exc), status, code, field)


def test_csrf_is_required_for_unsafe_methods_with_a_session(org, session_api):
    api = session_api(org.admin, enforce_csrf=True)
    assert api.get("clients").status_code == 200  # reads need no CSRF token
    assert_error(api.post("clients", {"code": "C6", "name": "x"}), 403, "csrf_failed", None)
    api.client.get("/api/v1/docs")  # sets the csrftoken cookie, as any page does
    csrf = api.client.cookies["csrftoken"].value
    response = api.post("clients", {"code": "C6", "name": "x"}, headers={"X-CSRFToken": csrf})
    assert response.status_code == 201, response.content


# --- pagination ------------------------------------------------------------------------------

def test_lists_are_paginated_with_count_page_and_page_size(org, session_api):
    api = session_api(org.admin)
    first = api.get("stores", {"page_size": 2}).json()
    assert first["count"] == 3 and first["page"] == 1 and first["page_size"] == 2
    assert [s["code"] for s in first["items"]] == ["A1", "A2"]
    second = api.get("stores", {"page_size": 2, "page": 2}).json()
    assert [s["code"] for s in second["items"]] == ["B1"]
    beyond = api.get("stores", {"page_size": 2, "page": 3}).json()
    assert beyond["items"] == [] and beyond["count"] == 3


def test_page_size_is_capped_by_the_setting_and_bad_page_params_are_4xx(org, session_api):
    api = session_api(org.admin)
    cap = settings.ECOMOPS_API_PAGE_SIZE_MAX
    assert api.get("stores", {"page_size": cap}).status_code == 200
    error = assert_error(api.get("stores", {"page_size": cap + 1}), 422, "invalid", "page_size")
    assert str(cap) in error["message"]
    assert_error(api.get("stores", {"page": 0}), 422, "invalid", "page")
    assert_error(api.get("stores", {"page": "two"}), 422, "invalid", "page")
    assert_error(api.get("stores", {"page_size": -5}), 422, "invalid", "page_size")


# --- docs ------------------------------------------------------------------------------------

def test_openapi_and_docs_are_served_offline(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert "EcomOps" in schema["info"]["title"] and "EcomOps" in schema["info"]["description"]
    assert schema["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"
    operations = [op for item in schema["paths"].values() for op in item.values()]
    for operation in operations:
        assert operation["responses"]["4XX"]["content"]["application/json"]["schema"]["$ref"].endswith("ErrorOut")
    ids = [op["operationId"] for op in operations]
    assert len(ids) == len(set(ids))  # operation ids are the view names: one name, one endpoint
    page = client.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert "http://" not in page and "https://" not in page and "//cdn" not in page
    assert '"validatorUrl": null' in page  # Swagger UI would otherwise call validator.swagger.io
