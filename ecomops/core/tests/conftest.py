"""Fixtures for the API tests: clients that call /api/v1/ with a session or with a personal token."""

from __future__ import annotations

import json

import pytest
from django.test import Client

API = "/api/v1"


class ApiClient:
    """Calls the API as one user, by session (``session_api``) or by token (``token_api``), and sends JSON."""

    def __init__(self, client: Client, headers: dict | None = None):
        self.client = client
        self.headers = headers or {}

    def _call(self, method: str, path: str, data=None, *, raw: bytes | str | None = None, **extra):
        url = path if path.startswith("/") else f"{API}/{path}"
        kwargs = {"headers": {**self.headers, **extra.pop("headers", {})}, **extra}
        if method == "get":
            return self.client.get(url, data or {}, **kwargs)
        body = raw if raw is not None else (json.dumps(data) if data is not None else "")
        return getattr(self.client, method)(url, body, content_type="application/json", **kwargs)

    def get(self, path, params=None, **extra):
        return self._call("get", path, params, **extra)

    def post(self, path, data=None, **extra):
        return self._call("post", path, data, **extra)

    def patch(self, path, data=None, **extra):
        return self._call("patch", path, data, **extra)

    def put(self, path, data=None, **extra):
        return self._call("put", path, data, **extra)

    def delete(self, path, **extra):
        return self._call("delete", path, **extra)


@pytest.fixture
def session_api():
    """``session_api(user)``: an ApiClient with that user's session (CSRF not enforced, like the test client)."""

    def _login(user, *, enforce_csrf: bool = False) -> ApiClient:
        client = Client(enforce_csrf_checks=enforce_csrf)
        client.force_login(user)
        return ApiClient(client)

    return _login


@pytest.fixture
def token_api():
    """``token_api(user)``: an ApiClient that authenticates with a fresh personal token of that user."""
    from ecomops.apiutil.tokens import issue_token

    def _token(user, **kwargs) -> ApiClient:
        issued = issue_token(user=user, name=kwargs.pop("name", "test"), **kwargs)
        api = ApiClient(Client(), {"Authorization": f"Bearer {issued.plain}"})
        api.plain = issued.plain
        api.record = issued.token
        return api

    return _token


@pytest.fixture
def anonymous_api():
    return ApiClient(Client())


def assert_error(response, status: int, code: str | None = None, field: str | None = "<any>") -> dict:
    """The response is the one error shape of the API, with this status (and code, and field)."""
    assert response.status_code == status, response.content.decode()
    assert response["Content-Type"].startswith("application/json")
    body = json.loads(response.content)
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) == {"code", "message", "field"}
    assert isinstance(error["message"], str) and error["message"]
    if code is not None:
        assert error["code"] == code, error
    if field != "<any>":
        assert error["field"] == field, error
    return error
