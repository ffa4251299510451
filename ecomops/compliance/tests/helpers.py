"""Assertions shared by the compliance tests."""

from __future__ import annotations


def assert_error(response, status: int, code: str | None = None, field: str | None = "<any>") -> dict:
    """The API's one error shape, with this status (and code, and field)."""
    assert response.status_code == status, response.content.decode()
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "field"}
    assert body["error"]["message"]
    if code is not None:
        assert body["error"]["code"] == code, body
    if field != "<any>":
        assert body["error"]["field"] == field, body
    return body["error"]
