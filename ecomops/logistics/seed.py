"""One carrier per courier of the orders (``orders.enums.Courier``), created when missing after every
migrate; a carrier that exists (and an administrator's edits to it) is left alone."""

from __future__ import annotations


def seed_carriers() -> int:
    """Create the missing carriers; the number created."""
    from django.utils import translation

    from ecomops.orders.enums import Courier

    from .models import Carrier

    existing = set(Carrier.objects.values_list("code", flat=True))
    with translation.override(None):  # the Chinese names themselves, whatever language is active
        missing = [Carrier(code=code, name=str(label)) for code, label in Courier.choices if code not in existing]
    Carrier.objects.bulk_create(missing, ignore_conflicts=True)
    return len(missing)
