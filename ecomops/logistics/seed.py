"""Reference data of logistics, created when missing after every migrate; what exists (and an
administrator's or supervisor's edits to it) is left alone.

- One carrier per courier of the orders (``orders.enums.Courier``).
- For each carrier without any service, its default service 标准快递 for the whole country (LOG-01).
- One buyer message template per kind of logistics case, with the built-in text (LOG-02).
"""

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


DEFAULT_SERVICE = "标准快递"


def _create_each(rows) -> int:
    """Save each new row with its first history entry, one by one; a row another process seeding at the
    same time created first (a unique constraint) is left to it. The number created."""
    from django.db import IntegrityError, transaction

    from ecomops.core.history import save_audited

    created = 0
    for row in rows:
        try:
            with transaction.atomic():
                save_audited(row, user=None, reason="系统默认内容")
        except IntegrityError:
            continue
        created += 1
    return created


def seed_carrier_services() -> int:
    """Give each carrier that has no service at all the default nationwide 标准快递 (with its first
    history entry); the number created. A carrier with services (edited, switched off or not default)
    is never touched."""
    from .models import Carrier, CarrierService

    return _create_each(CarrierService(carrier=carrier, name=DEFAULT_SERVICE, provinces=[], is_default=True)
                        for carrier in Carrier.objects.filter(services__isnull=True).order_by("code"))


def seed_buyer_message_templates() -> int:
    """Create the template of each kind of case that has none, with the built-in text (and its first
    history entry); the number created. An existing template (edited or switched off) is never touched."""
    from .buyer_texts import DEFAULT_TEXTS
    from .models import BuyerMessageTemplate, CaseKind

    existing = set(BuyerMessageTemplate.objects.values_list("kind", flat=True))
    return _create_each(BuyerMessageTemplate(kind=kind, text=DEFAULT_TEXTS[kind])
                        for kind in CaseKind.values if kind not in existing)
