"""Login throttling (OWASP ASVS 2.2.1). Limits are policy (DAT-02), all counted over one window:

- one account from one address: the ordinary lock-out after a few wrong passwords. It holds only for
  that address, so failures from elsewhere never lock a person out of their own desk;
- one address, whatever the accounts: one machine guessing many accounts;
- one account from all addresses together: a higher number, so a guess spread over many addresses is
  still slowed down.

A throttled attempt does not check the password and does not count as a failure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from ecomops.policy import registry

from .middleware import client_ip
from .models import AuthEvent, AuthEventKind

MAX_PER_ACCOUNT_ADDRESS = "DAT-02.login_max_failures_per_account_address"
MAX_PER_ACCOUNT_TOTAL = "DAT-02.login_max_failures_per_account_total"
MAX_PER_ADDRESS = "DAT-02.login_max_failures_per_address"
WINDOW = "DAT-02.login_failure_window"


@dataclass(frozen=True)
class Throttle:
    blocked: bool
    retry_after: timedelta = timedelta(0)


def normalise_username(username: str | None) -> str:
    return (username or "").strip().lower()[:150]


def check(username: str | None, ip: str | None, now=None) -> Throttle:
    now = now or timezone.now()
    window: timedelta = registry.value(WINDOW)
    since = now - window
    failures = AuthEvent.objects.filter(kind=AuthEventKind.FAILED, at__gte=since)
    checks = []
    name = normalise_username(username)
    if name:
        account = failures.filter(username=name)
        from_here = account.filter(ip_address=ip) if ip else account.filter(ip_address__isnull=True)
        checks.append((from_here, registry.value(MAX_PER_ACCOUNT_ADDRESS)))
        checks.append((account, registry.value(MAX_PER_ACCOUNT_TOTAL)))
    if ip:
        checks.append((failures.filter(ip_address=ip), registry.value(MAX_PER_ADDRESS)))
    waits = []
    for queryset, limit in checks:
        recent = list(queryset.order_by("-at").values_list("at", flat=True)[:limit])
        if len(recent) >= limit:
            # Blocked until the oldest of the last `limit` failures leaves the window.
            waits.append(max(recent[-1] + window - now, timedelta(seconds=1)))
    return Throttle(True, max(waits)) if waits else Throttle(False)


def record(kind: str, *, username: str | None, request=None, user=None, channel: str = "web") -> AuthEvent:
    agent = request.META.get("HTTP_USER_AGENT", "")[:300] if request is not None else ""
    return AuthEvent.objects.create(
        kind=kind,
        username=normalise_username(username or (user.get_username() if user else "")),
        user=user,
        ip_address=client_ip(request),
        user_agent=agent,
        channel=channel,
    )


class LoginThrottled(PermissionDenied):
    def __init__(self, retry_after: timedelta):
        super().__init__("throttled")
        self.retry_after = retry_after


class ThrottledModelBackend(ModelBackend):
    """Django's model backend, refusing to even check a password while the login is throttled."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get("username") or kwargs.get(self._username_field())
        state = check(username, client_ip(request))
        if state.blocked:
            record(AuthEventKind.THROTTLED, username=username, request=request)
            if request is not None:
                request._ecomops_throttled = True  # not a password failure: do not count it again
            raise LoginThrottled(state.retry_after)
        return super().authenticate(request, username=username, password=password, **kwargs)

    @staticmethod
    def _username_field() -> str:
        from django.contrib.auth import get_user_model

        return get_user_model().USERNAME_FIELD
