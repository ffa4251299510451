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


def seed_carrier_services() -> int:
    """Give each carrier that has no service at all the default nationwide 标准快递 (with its first
    history entry); the number created. A carrier with services (edited, switched off or not default)
    is never touched."""
    from django.db import IntegrityError, transaction

    from ecomops.core.history import save_audited

    from .models import Carrier, CarrierService

    created = 0
    for carrier in Carrier.objects.filter(services__isnull=True).order_by("code"):
        try:
            with transaction.atomic():  # another process seeding at the same time keeps its row
                save_audited(CarrierService(carrier=carrier, name=DEFAULT_SERVICE, provinces=[], is_default=True),
                             user=None, reason="系统默认内容")
        except IntegrityError:
            continue
        created += 1
    return created


def seed_buyer_message_templates() -> int:
    """Create the template of each kind of case that has none, with the built-in text (and its first
    history entry); the number created. An existing template (edited or switched off) is never touched."""
    from django.db import IntegrityError, transaction

    from ecomops.core.history import save_audited

    from .buyer_texts import DEFAULT_TEXTS
    from .models import BuyerMessageTemplate, CaseKind

    existing = set(BuyerMessageTemplate.objects.values_list("kind", flat=True))
    created = 0
    for kind in CaseKind.values:
        if kind in existing:
            continue
        try:
            with transaction.atomic():  # another process seeding at the same time keeps its row
                save_audited(BuyerMessageTemplate(kind=kind, text=DEFAULT_TEXTS[kind]), user=None,
                             reason="系统默认内容")
        except IntegrityError:
            continue
        created += 1
    return created
