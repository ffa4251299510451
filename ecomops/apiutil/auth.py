"""Who is calling the API: a personal token (``Authorization: Bearer ecm_…``) or the browser session.

- A token that is unknown, revoked or expired, or whose account is inactive, is a 401 with the same
  message in every case (existence never leaks). Each such failure is an ``AuthEvent`` (channel
  ``api``) with the caller's address, so it shows in the audit trail and counts toward the
  per-address login limit (DAT-02); a throttled address gets 429 for further bad tokens.
- A session works as for the pages; unsafe methods (POST, PATCH, DELETE …) need the CSRF token in
  the ``X-CSRFToken`` header, as Django's forms do. A token request needs no CSRF token.
- An account that must change its password (``org.actions.require_password_change``) is refused with
  403 ``password_change_required``, by token and by session alike, until it has changed it.
- The Authorization header is never logged (django-ninja's own bearer class logs it in DEBUG).
"""

from __future__ import annotations

import math

from django.conf import settings
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError
from ninja.security import APIKeyCookie
from ninja.security.http import HttpAuthBase
from ninja.utils import check_csrf

from ecomops.audit import throttle
from ecomops.audit.middleware import client_ip
from ecomops.audit.models import AuthEventKind
from ecomops.org.actions import must_change_password

from . import tokens
from .errors import ApiError, csrf_message

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def refuse_until_password_changed(user) -> None:
    """DAT-02: an account an administrator asked to change its password works nowhere until it has."""
    if must_change_password(user):
        raise ApiError(403, "password_change_required",
                       _("管理员要求修改密码：请先登录网页修改密码，再使用 API（包括 API 令牌）"))


class TokenAuth(HttpAuthBase):
    """Personal API token in the Authorization header (scheme Bearer)."""

    openapi_scheme = "bearer"
    openapi_description = "个人 API 令牌：Authorization: Bearer ecm_…（在 POST /api/v1/tokens 创建）"

    def __call__(self, request):
        header = request.headers.get("Authorization", "")
        scheme, _space, credentials = header.partition(" ")
        if scheme.lower() != "bearer":
            return None  # no token offered: let the session try
        token = tokens.authenticate(credentials.strip())
        if token is None:
            raise self._failure(request)
        refuse_until_password_changed(token.user)
        request.user = token.user
        request.api_token = token
        return token.user

    def authenticate(self, request, token):  # pragma: no cover - __call__ does the work
        found = tokens.authenticate(token)
        return found.user if found else None

    @staticmethod
    def _failure(request) -> Exception:
        """Record the failed attempt and say what to answer (the token itself is never recorded).

        As for the login form: while the address is throttled, answer 429 and do not count again."""
        state = throttle.check(None, client_ip(request))
        if state.blocked:
            throttle.record(AuthEventKind.THROTTLED, username="", request=request, channel="api")
            seconds = max(1, math.ceil(state.retry_after.total_seconds()))
            return ApiError(429, "throttled", _("认证失败次数过多，请稍后再试"), headers={"Retry-After": str(seconds)})
        throttle.record(AuthEventKind.FAILED, username="", request=request, channel="api")
        return AuthenticationError()


class SessionAuth(APIKeyCookie):
    """The Django session of a logged-in user (the browser, the interactive docs)."""

    param_name = settings.SESSION_COOKIE_NAME

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        refuse_until_password_changed(user)
        if request.method not in SAFE_METHODS and not getattr(request, "_ninja_csrf_exempt", False):
            if check_csrf(request) is not None:
                raise ApiError(403, "csrf_failed", csrf_message())
        request.api_token = None
        return user

    def authenticate(self, request, key):  # pragma: no cover - __call__ does the work
        return self(request)


token_auth = TokenAuth()
session_auth = SessionAuth()
# The token first: a request carrying a token is judged by it alone, never by a cookie riding along.
DEFAULT_AUTH = [token_auth, session_auth]
