"""Content-Security-Policy on every response (DAT-02: an injected script or form cannot run or post).

The pages use only EcomOps's own static files: Bootstrap, htmx, ecomops.js and the CSS. No inline
script, no ``on…=`` handler, no inline style attribute and no <style> element (htmx's indicator styles
are switched off by the htmx-config meta tag in base.html; ecomops.css has them). Sizes that depend on
data are set from ecomops.js (``data-eo-width``), which the policy allows.

The policy is the setting ``ECOMOPS_CSP`` (directive → sources). The interactive API docs (ninja's
offline Swagger UI) need nothing more: their scripts and styles are static files, their JSON settings
sit in a ``type="application/json"`` element that is data, not script, and their icons are data: images,
which Bootstrap's CSS needs as well.
"""

from __future__ import annotations

from django.conf import settings

HEADER = "Content-Security-Policy"


def build(policy: dict[str, list[str] | tuple[str, ...]]) -> str:
    return "; ".join(" ".join([directive, *sources]) for directive, sources in policy.items())


class ContentSecurityPolicyMiddleware:
    """Sets the policy on every response that has none yet (pages, errors, the API, static files)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = build(settings.ECOMOPS_CSP)

    def __call__(self, request):
        response = self.get_response(request)
        if HEADER not in response.headers:
            response.headers[HEADER] = self.header
        return response
