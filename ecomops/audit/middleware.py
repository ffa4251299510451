"""The caller's address for the audit trail and the login limits (DAT-02).

Behind a reverse proxy every request comes from the proxy (REMOTE_ADDR), and the proxy appends the
address it saw to ``X-Forwarded-For``. Everything to the left of what our own proxies appended was
written by the client and can be anything, so it is never believed. Two settings say which proxies
are ours (nothing set: X-Forwarded-For is ignored and REMOTE_ADDR is the caller):

- ``ECOMOPS_TRUSTED_PROXIES``: the proxies' addresses or networks. X-Forwarded-For counts only when the
  request came from one of them; it is read from the right, passing over our proxies' own addresses,
  and the first address that is not one of them is the caller.
- ``ECOMOPS_TRUSTED_PROXY_COUNT``: N proxies always stand in front (a Unix socket, a platform load
  balancer of unknown addresses): the caller is the Nth entry from the right.

Any entry that is not an IP address, or a header shorter than the chain of proxies, leaves REMOTE_ADDR.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from simple_history.models import HistoricalRecords

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    try:
        return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry.strip())
    except ValueError as error:
        raise ImproperlyConfigured(f"ECOMOPS_TRUSTED_PROXIES: {error}") from None


def trusted_proxies() -> tuple[Network, ...]:
    return _networks(tuple(getattr(settings, "ECOMOPS_TRUSTED_PROXIES", ()) or ()))


def trusted_proxy_count() -> int:
    return max(0, int(getattr(settings, "ECOMOPS_TRUSTED_PROXY_COUNT", 0) or 0))


def _address(text: str | None) -> Address | None:
    try:
        address = ipaddress.ip_address((text or "").strip())
    except ValueError:
        return None
    # An IPv4 client seen through an IPv6 socket is still that IPv4 client.
    return getattr(address, "ipv4_mapped", None) or address


def _is_proxy(address: Address | None, proxies: tuple[Network, ...]) -> bool:
    return address is not None and any(address.version == net.version and address in net for net in proxies)


def client_ip(request) -> str | None:
    """The caller's address: REMOTE_ADDR, or what our own proxy appended to X-Forwarded-For."""
    if request is None:
        return None
    remote = request.META.get("REMOTE_ADDR") or None
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    proxies, count = trusted_proxies(), trusted_proxy_count()
    if not forwarded or not (proxies or count):
        return remote
    entries = [entry.strip() for entry in forwarded.split(",")]
    if proxies:
        if not _is_proxy(_address(remote), proxies):
            return remote  # not through our proxy: whatever the header says was written by the caller
        caller = None
        for entry in reversed(entries):
            address = _address(entry)
            if address is None:
                return remote
            caller = address
            if not _is_proxy(address, proxies):
                break
        return str(caller) if caller is not None else remote
    if len(entries) < count:
        return remote
    address = _address(entries[-count])
    return str(address) if address is not None else remote


def current_request():
    """The request being served on this thread, if any (set by simple-history's middleware)."""
    return getattr(HistoricalRecords.context, "request", None)


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.client_ip = client_ip(request)
        return self.get_response(request)
