"""Errors raised by actions. Views, the API and the CLI turn them into messages; nothing else."""

from __future__ import annotations


class BusinessError(Exception):
    """A business rule refused the request. ``field`` names the input at fault, if one is."""

    code = "invalid"
    status = 400

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = str(message)
        self.field = field
        if code:
            self.code = code


class NotAllowed(BusinessError):
    code = "forbidden"
    status = 403


class Conflict(BusinessError):
    code = "conflict"
    status = 409
