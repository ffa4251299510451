"""An account that must change its password (DAT-02, ``org.actions.require_password_change``) is led
to the change page from every page until it has done so. It may still sign out, switch language and
load static files; the API refuses its calls itself (``ecomops.apiutil.auth``) with a clear error."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from .actions import must_change_password


def _exempt_prefixes() -> tuple[str, ...]:
    return (
        reverse("password_change"),
        reverse("logout"),
        reverse("admin:logout"),
        reverse("set_language"),
        "/api/",  # the API answers with its own error shape (password_change_required)
        "/" + settings.STATIC_URL.lstrip("/"),
    )


class PasswordChangeRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self._exempt: tuple[str, ...] | None = None

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and must_change_password(user):
            if self._exempt is None:
                self._exempt = _exempt_prefixes()
            if not request.path.startswith(self._exempt):
                target = reverse("password_change")
                if request.method == "GET" and not request.headers.get("HX-Request"):
                    target += "?" + urlencode({"next": request.get_full_path()})
                if request.headers.get("HX-Request"):
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = target
                    return response
                return redirect(target)
        return self.get_response(request)
