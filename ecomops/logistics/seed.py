"""Reference data of logistics, created when missing after every migrate; what exists (and an
administrator's or supervisor's edits to it) is left alone.

- One carrier per courier of the orders (``orders.enums.Courier``).
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
