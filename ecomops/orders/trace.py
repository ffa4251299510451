"""CAT-05: the orders side of lot traceability. Registered with the warehouse's trace at start-up
(``OrdersConfig.ready``), so a lot's page names the store and buyer of every order that took it and
links to the order. The buyer is shown by nickname and city only, never the receiver's details."""

from __future__ import annotations

from django.urls import reverse


def resolve_orders(doc_ids: list[str]) -> dict[str, dict]:
    from .models import Order

    ids = [int(d) for d in doc_ids if str(d).isdigit()]
    found = {}
    for order in Order.objects.filter(pk__in=ids).select_related("store"):
        buyer = " · ".join(part for part in (order.buyer_nick, f"{order.province}{order.city}") if part)
        found[str(order.pk)] = {
            "number": order.platform_order_no,
            "customer": f"{order.store.name} / {buyer}" if buyer else order.store.name,
            "url": reverse("orders:order_detail", args=[order.pk]),
        }
    return found


def register() -> None:
    from ecomops.inventory.trace import register_document_url, register_order_resolver

    register_order_resolver(resolve_orders)
    register_document_url("order", lambda doc_id: reverse("orders:order_detail", args=[doc_id])
                          if str(doc_id).isdigit() else "")
