"""Read-only figures of the carriers (LOG-02)."""

from __future__ import annotations

from django.db.models import Count, F, Sum

from .models import NumberPool, NumberSource, TrackingNumber


def carrier_stock() -> dict[int, dict[str, int]]:
    """Per carrier id: the numbers left in its pools and the imported numbers not used yet."""
    out: dict[int, dict[str, int]] = {}
    left = (NumberPool.objects.values("carrier_id")
            .annotate(n=Sum(F("last") + 1 - F("next_value"))).values_list("carrier_id", "n"))
    for carrier_id, n in left:
        out.setdefault(carrier_id, {"pool_remaining": 0, "imported_waiting": 0})["pool_remaining"] = n or 0
    waiting = (TrackingNumber.objects.filter(source=NumberSource.IMPORTED, order__isnull=True)
               .values("carrier_id").annotate(n=Count("pk")).values_list("carrier_id", "n"))
    for carrier_id, n in waiting:
        out.setdefault(carrier_id, {"pool_remaining": 0, "imported_waiting": 0})["imported_waiting"] = n
    return out
