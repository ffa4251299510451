"""Issue 15: the order list's batch actions (review, hold, release, note, change courier, add to a ship
batch, export the selection), as 聚水潭 and 旺店通 users work.

Each action is the one-order act the order page and the review workbench use (``orders.actions``),
run for every selected order in a transaction of its own: one refusal does not undo the others and is
reported with the order's number and reason. The ids are scoped by the view before anything runs
(DAT-02: an id the user may not see refuses the whole request, nothing done).

Other modules add actions through :func:`register` (the ship batch's lives in ``dispatch``, which
orders may not import: ``dispatch > orders`` in the layers)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecomops.core.errors import BusinessError
from ecomops.org.scoping import is_client_member

from . import actions
from .enums import ReviewBatchState
from .models import Order

MAX_ORDERS = 500  # one request's selection: ten pages of the list

# What an action reads from the form besides the ids.
NEEDS_REASON = "reason"  # required text: the hold's or release's reason
NEEDS_NOTE = "note"  # required text: the note itself
NEEDS_COURIER = "courier"  # a courier (and an optional reason)


@dataclass(frozen=True)
class BulkAction:
    act: str
    label: str
    perm: str
    run: Callable  # run(order, *, user, text, courier)
    needs: str = ""
    staff_only: bool = True  # AGY-07: a client's own user only looks
    order: int = 100
    style: str = "outline-secondary"
    extra: dict = field(default_factory=dict)

    def allowed(self, user) -> bool:
        return user.has_perm(self.perm) and not (self.staff_only and is_client_member(user))


ACTIONS: dict[str, BulkAction] = {}


def register(action: BulkAction) -> None:
    """Add (or replace) a batch action of the order list."""
    ACTIONS[action.act] = action


def available(user) -> list[BulkAction]:
    """The actions the user may use, in the bar's order (a button only for an allowed action)."""
    return sorted((a for a in ACTIONS.values() if a.allowed(user)), key=lambda a: (a.order, a.act))


@dataclass
class BulkResult:
    done: list[Order] = field(default_factory=list)
    failed: list[tuple[Order, str]] = field(default_factory=list)


def run(action: BulkAction, orders: list[Order], *, user, text: str = "", courier: str = "") -> BulkResult:
    """Run ``action`` for each (already scoped) order, each in its own transaction."""
    result = BulkResult()
    for order in orders:
        try:
            with transaction.atomic():
                action.run(order, user=user, text=text, courier=courier)
        except BusinessError as error:
            result.failed.append((order, str(error.message)))
        else:
            result.done.append(order)
    return result


# --- the orders' own actions ---------------------------------------------------------------------


def _review(order: Order, *, user, text: str, courier: str) -> None:
    """ORD-03 / ORD-04: approve by hand — the stock is reserved (or refused with the shortage). An
    order in a clerk's open review batch is the clerk's: approved there, not from the list."""
    batch = order.review_batch
    if batch is not None and batch.state == ReviewBatchState.OPEN:
        raise BusinessError(_("订单 %(no)s 在审单批次 %(batch)s 中，请在该批次中审核")
                            % {"no": order.platform_order_no, "batch": batch.number}, field="order")
    actions.mark_reviewed(order, user=user, reason=_("订单列表批量审核"))


def _hold(order: Order, *, user, text: str, courier: str) -> None:
    actions.hold(order, user=user, reason=text)


def _release(order: Order, *, user, text: str, courier: str) -> None:
    actions.release_hold(order, user=user, reason=text)


def _note(order: Order, *, user, text: str, courier: str) -> None:
    actions.add_note(order, user=user, note=text)


def _courier(order: Order, *, user, text: str, courier: str) -> None:
    actions.change_courier(order, user=user, courier=courier, reason=text)


for _action in (
    BulkAction("review", gettext_lazy("审核"), "orders.review_order", _review, order=10, style="outline-primary"),
    BulkAction("hold", gettext_lazy("挂起"), "orders.hold_order", _hold, needs=NEEDS_REASON, order=20,
               style="outline-warning"),
    BulkAction("release", gettext_lazy("解除挂起"), "orders.hold_order", _release, needs=NEEDS_REASON, order=30),
    BulkAction("note", gettext_lazy("添加备注"), "orders.change_order", _note, needs=NEEDS_NOTE, order=40),
    BulkAction("courier", gettext_lazy("修改快递"), "orders.change_order", _courier, needs=NEEDS_COURIER, order=50),
):
    register(_action)

# The export of the selection is no act on each order: the view answers with the workbook.
EXPORT = "export"
EXPORT_PERM = "orders.view_order"
