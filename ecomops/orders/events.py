"""The events of an order (ORD-01): one small function per kind that writes the ``OrderEvent`` row
(Saleor's style), so actions never build rows by hand. A step between states goes through
``core.flow.transition``, which calls :func:`state_changed`; the other functions note what happened
to the order while its state stayed (``from_state`` = ``to_state``). ``note`` is shown to people
(translated text); ``data`` never holds plain personal data."""

from __future__ import annotations

from datetime import datetime

from .enums import OrderEventKind, OrderState
from .models import Order, OrderEvent

S = OrderState

# The kind of event of a step, by the state it reaches (a step out of a hold is "released").
KIND_OF_STEP = {
    S.PAID: OrderEventKind.PAID,
    S.ON_HOLD: OrderEventKind.HELD,
    S.CANCELLED: OrderEventKind.CANCELLED,
    S.SHIPPED: OrderEventKind.SHIPPED,
    S.RECEIVED: OrderEventKind.RECEIVED,
    S.BUYER_REVIEWED: OrderEventKind.BUYER_REVIEWED,
    S.COMPLETED: OrderEventKind.COMPLETED,
}


def step_kind(before: str, after: str) -> str:
    if before == S.ON_HOLD and after != S.CANCELLED:
        return OrderEventKind.RELEASED
    return KIND_OF_STEP.get(after, OrderEventKind.STATE)


def state_changed(order: Order, *, user, before: str, after: str, note: str = "", kind: str | None = None,
                  data: dict | None = None, at: datetime | None = None) -> OrderEvent:
    """A step between two states (``kind`` defaults to the step's own, see :func:`step_kind`)."""
    return OrderEvent.write(kind=kind or step_kind(before, after), user=user, before=before, after=after,
                            note=note, data=data, at=at, order=order)


def _noted(order: Order, kind: str, *, user, note: str = "", data: dict | None = None,
           at: datetime | None = None) -> OrderEvent:
    return OrderEvent.write(kind=kind, user=user, before=order.state, after=order.state, note=note, data=data,
                            at=at, order=order)


def order_created(order: Order, *, user, data: dict | None = None) -> OrderEvent:
    return OrderEvent.write(kind=OrderEventKind.CREATED, user=user, after=order.state, data=data, order=order)


def payment_failed(order: Order, *, user, note: str, data: dict | None = None) -> OrderEvent:
    return _noted(order, OrderEventKind.PAYMENT_FAILED, user=user, note=note, data=data)


def payment_duplicate(order: Order, *, user, note: str, data: dict | None = None) -> OrderEvent:
    return _noted(order, OrderEventKind.PAYMENT_DUPLICATE, user=user, note=note, data=data)


def payment_mismatch(order: Order, *, user, note: str, data: dict | None = None) -> OrderEvent:
    return _noted(order, OrderEventKind.PAYMENT_MISMATCH, user=user, note=note, data=data)


def order_paid(order: Order, *, user, data: dict | None = None) -> OrderEvent:
    """Paid while the state stays (a held or later order); a paid order's step is :func:`state_changed`."""
    return _noted(order, OrderEventKind.PAID, user=user, data=data)


def refund_recorded(order: Order, *, user, note: str, data: dict | None = None,
                    at: datetime | None = None) -> OrderEvent:
    return _noted(order, OrderEventKind.REFUND, user=user, note=note, data=data, at=at)


def order_confirmed(order: Order, *, user, data: dict | None = None, at: datetime | None = None) -> OrderEvent:
    return _noted(order, OrderEventKind.CONFIRMED, user=user, data=data, at=at)


def confirm_late(order: Order, *, note: str, data: dict | None = None, at: datetime | None = None) -> OrderEvent:
    return _noted(order, OrderEventKind.CONFIRM_LATE, user=None, note=note, data=data, at=at)


def state_noted(order: Order, *, user, note: str, data: dict | None = None) -> OrderEvent:
    """A note on the order's course that is no step (e.g. taken out of a ship batch)."""
    return _noted(order, OrderEventKind.STATE, user=user, note=note, data=data)


def address_changed(order: Order, *, user, note: str, data: dict) -> OrderEvent:
    return _noted(order, OrderEventKind.ADDRESS_CHANGED, user=user, note=note, data=data)


def courier_changed(order: Order, *, user, note: str, data: dict) -> OrderEvent:
    return _noted(order, OrderEventKind.COURIER_CHANGED, user=user, note=note, data=data)


def note_added(order: Order, *, user, note: str) -> OrderEvent:
    """A person's note on the order (备注, issue 15); the state stays."""
    return _noted(order, OrderEventKind.NOTE, user=user, note=note)


def platform_updated(order: Order, *, user, note: str, data: dict | None = None) -> OrderEvent:
    return _noted(order, OrderEventKind.PLATFORM_UPDATE, user=user, note=note, data=data)


def invoice_requested(order: Order, *, user, data: dict) -> OrderEvent:
    return _noted(order, OrderEventKind.INVOICE_REQUESTED, user=user, data=data)


def order_split(order: Order, *, user, note: str, data: dict) -> OrderEvent:
    return _noted(order, OrderEventKind.SPLIT, user=user, note=note, data=data)


def order_merged(order: Order, *, user, note: str, data: dict) -> OrderEvent:
    return _noted(order, OrderEventKind.MERGED, user=user, note=note, data=data)


def parcels_undone(order: Order, *, user, note: str, data: dict) -> OrderEvent:
    return _noted(order, OrderEventKind.PARCELS_UNDONE, user=user, note=note, data=data)


def parcel_shipped(order: Order, *, user, note: str, data: dict) -> OrderEvent:
    return _noted(order, OrderEventKind.PARCEL_SHIPPED, user=user, note=note, data=data)


def check_started(order: Order, *, user, data: dict | None = None) -> OrderEvent:
    """FUL-02: the packing station began verifying the order's items."""
    return _noted(order, OrderEventKind.CHECK_STARTED, user=user, data=data)


def verified(order: Order, *, user, data: dict | None = None) -> OrderEvent:
    """FUL-02: every item scanned, nothing wrong, extra or missing."""
    return _noted(order, OrderEventKind.VERIFIED, user=user, data=data)


def packed(order: Order, *, user, note: str = "", data: dict | None = None) -> OrderEvent:
    """FUL-03: packed with its packaging and the packing list."""
    return _noted(order, OrderEventKind.PACKED, user=user, note=note, data=data)


def weighed(order: Order, *, user, note: str = "", data: dict | None = None) -> OrderEvent:
    """FUL-04: the parcel's weight (and a confirmed re-check's reason in ``note``)."""
    return _noted(order, OrderEventKind.WEIGHED, user=user, note=note, data=data)


def check_discarded(order: Order, *, user, note: str, data: dict | None = None) -> OrderEvent:
    """FUL-02…04: the station's check was discarded (作废, ``note``: why); the order may be checked again."""
    return _noted(order, OrderEventKind.CHECK_DISCARDED, user=user, note=note, data=data)


def row(kind: str, *, before: str, after: str, note: str = "", data: dict | None = None) -> dict:
    """The fields of one row for a set-based insert (``review``), named as in :class:`OrderEvent`."""
    return {"kind": kind, "from_state": before, "to_state": after, "note": str(note or "")[:500],
            "data": data or {}}
