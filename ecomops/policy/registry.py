"""Read side of the policy registry: "the value of X in force on date D" (POL-01, POL-02).

    from ecomops.policy import registry
    rate = registry.value("WMS-25.first_sample_rate", on=receipt_date)
    resolved = registry.resolve("PER-08.commission_rates", on=month_end)
    resolved.value, resolved.version.label   # keep the label with the computed figure
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils import timezone

from .kinds import to_python
from .models import PolicyParameter, PolicyVersion


class PolicyMissing(LookupError):
    """No such parameter, or no version of it in force on the date asked."""


@dataclass(frozen=True)
class Resolved:
    parameter: PolicyParameter
    version: PolicyVersion
    value: Any

    @property
    def citation(self) -> str:
        """How a computed figure names its source: clause, key, version and effective date."""
        return f"{self.parameter.clause}，{self.version.label}"


def today() -> date:
    return timezone.localdate()


def version_in_force(parameter: PolicyParameter, on: date) -> PolicyVersion | None:
    return (
        PolicyVersion.objects.filter(parameter=parameter, effective_from__lte=on)
        .order_by("-effective_from", "-number")
        .first()
    )


# Within one request (or one `with cached():` block) each (key, date) is read once: a page that masks
# 200 phone numbers asks for the LAW-04 value once, not 200 times. Outside such a block nothing is
# cached, so a long-running process always sees a change made by another one.
_cache: ContextVar[dict | None] = ContextVar("ecomops_policy_cache", default=None)


@contextmanager
def cached() -> Iterator[None]:
    token = _cache.set({})
    try:
        yield
    finally:
        _cache.reset(token)


def forget() -> None:
    """Drop what the current block has read (after a change inside it)."""
    cache = _cache.get()
    if cache is not None:
        cache.clear()


class PolicyCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with cached():
            return self.get_response(request)


def resolve(key: str, on: date | None = None) -> Resolved:
    on = on or today()
    cache = _cache.get()
    if cache is None:
        return _resolve(key, on)
    if (key, on) not in cache:
        cache[(key, on)] = _resolve(key, on)
    return cache[(key, on)]


def _resolve(key: str, on: date) -> Resolved:
    try:
        parameter = PolicyParameter.objects.get(key=key)
    except PolicyParameter.DoesNotExist:
        raise PolicyMissing(f"policy parameter {key!r} does not exist") from None
    version = version_in_force(parameter, on)
    if version is None:
        raise PolicyMissing(f"policy parameter {key!r} has no version in force on {on:%Y-%m-%d}")
    return Resolved(parameter, version, to_python(parameter.kind, version.value, parameter.options))


def value(key: str, on: date | None = None) -> Any:
    return resolve(key, on).value
