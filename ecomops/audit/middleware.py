import os

from simple_history.models import HistoricalRecords

TRUST_FORWARDED = os.environ.get("ECOMOPS_TRUST_X_FORWARDED_FOR", "") in {"1", "true", "yes"}


def client_ip(request) -> str | None:
    """The caller's address; X-Forwarded-For only when the deployment says a proxy sets it."""
    if request is None:
        return None
    if TRUST_FORWARDED:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()[:45] or None
    return request.META.get("REMOTE_ADDR") or None


def current_request():
    """The request being served on this thread, if any (set by simple-history's middleware)."""
    return getattr(HistoricalRecords.context, "request", None)


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.client_ip = client_ip(request)
        return self.get_response(request)
