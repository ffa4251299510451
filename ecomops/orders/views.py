"""Pages of orders: the scoped list with filters, the order page (lines, events, payments, refunds,
the masked receiver with an explicit, logged reveal, the ORD-06 confirmation text, the ORD-09 late
flag), the lifecycle buttons and the PAY-01 reconciliation.

Thin: scope (DAT-02: another store's order is a 404), render, call ``orders.actions``.
"""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ecomops.core.decorators import page
from ecomops.core.errors import NotAllowed
from ecomops.core.outcome import run_action
from ecomops.core.paging import KeyPaginator
from ecomops.org.models import Store
from ecomops.org.scoping import get_visible_or_404, is_client_member

from . import actions
from .enums import HOLDABLE, OrderState
from .list_views import list_context
from .models import PERSONAL_FIELDS, RECEIVER_FIELDS, Order
from .queries import (
    SEARCH_KINDS,
    estimated_ship_date,
    masked_receiver,
    reason_choices,
    receiver_view,
    reconciliation,
    search_orders,
    sort_fields,
)

PER_PAGE = 50


def _date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _int(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() and len(text) < 10 else None


def _list_filters(g) -> dict:
    return {
        "store_id": _int(g.get("store")),
        "state": g.get("state") if g.get("state") in OrderState.values else "",
        "exception": {"1": True, "0": False}.get(g.get("exception", "")),
        "late": True if g.get("late") == "1" else None,
        "q": (g.get("q") or "").strip()[:64],
        "placed_from": _date(g.get("from")),
        "placed_to": _date(g.get("to")),
        "batch": (g.get("batch") or "").strip()[:30],
        "reason": g.get("reason") if g.get("reason") in dict(reason_choices()) else "",
        # Issue 15: what the search box holds, and the column the list is sorted by (whitelisted).
        "kind": g.get("kind") if g.get("kind") in SEARCH_KINDS else "",
        "sort": g.get("sort") if sort_fields(g.get("sort") or "") else "",
    }


@page("orders.view_order")
def order_export(request):
    """The list's orders (same filters) as .xlsx; receivers masked unless ``reveal=1`` by a user with
    the personal-data right, each such order then logged (LAW-04, CRM-03)."""
    from django.http import FileResponse

    from .exports import direct_export_limit, export_orders

    reveal = request.GET.get("reveal") == "1"
    orders = search_orders(request.user, **_list_filters(request.GET))
    if reveal and not request.user.has_perm(actions.PERSONAL_PERM):
        raise PermissionDenied
    total = orders.count()
    if total > direct_export_limit():
        # Issue 15: a big export runs in the background; this page only asks to start it (a GET
        # creates nothing), the job then shows under 我的导出 with its progress and download link.
        return render(request, "orders/export_start.html", {
            "total": total, "query": request.GET.urlencode(), "reveal": reveal, "limit": direct_export_limit(),
            "back": reverse("orders:orders") + "?" + request.GET.urlencode()})
    handle = run_action(request, export_orders, request.user, orders, reveal=reveal, request=request)
    if handle is None:
        return redirect(reverse("orders:orders") + "?" + request.GET.urlencode())
    name = f"orders-{timezone.localtime():%Y%m%d-%H%M}.xlsx"
    return FileResponse(handle, as_attachment=True, filename=name,
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@page("orders.view_order")
def order_list(request):
    g = request.GET
    stores = Store.objects.visible_to(request.user).order_by("code")
    filters = _list_filters(g)
    orders = search_orders(request.user, **filters).select_related("review_batch", "ship_entry__batch")
    # Issue 15: deep pages by key; the list shows no receiver, so its encrypted columns stay unread.
    page_obj = KeyPaginator(orders.defer(*PERSONAL_FIELDS), PER_PAGE).get_page(g.get("page"))
    now = timezone.now()
    for order in page_obj.object_list:
        order.late_flag = order.confirm_is_late(now)
    return render(request, "orders/order_list.html", {
        "page_obj": page_obj, "orders": page_obj.object_list, "stores": stores, "states": OrderState.choices,
        "reasons": reason_choices(), "query": g.urlencode(),
        "can_reveal": request.user.has_perm(actions.PERSONAL_PERM),
        "f": filters, "raw": g,
        **list_context(request, filters),  # issue 15: tabs, sorting, columns, saved filters, batch actions
    })


def _order(request, pk: int) -> Order:
    return get_visible_or_404(Order.objects.select_related("store", "store__client", "confirmed_by"), request.user,
                              pk=pk)


def _detail(request, order: Order, *, receiver=None, status: int = 200):
    user = request.user
    context = {
        "order": order,
        "lines": order.lines.select_related("sku").order_by("line_no"),
        "events": order.events.select_related("actor").order_by("at", "pk"),
        "payments": order.payments.select_related("recorded_by").order_by("paid_at", "pk"),
        "refunds": order.refunds.select_related("recorded_by").order_by("refunded_at", "pk"),
        "invoices": order.invoices.order_by("requested_at", "pk"),
        "receiver": receiver or masked_receiver(order),
        "can_reveal": user.has_perm(actions.PERSONAL_PERM),
        "late": order.confirm_is_late(),
        "ship_on": estimated_ship_date(order),
        "settled": actions.is_payment_settled(order),
        "can_confirm": user.has_perm("orders.confirm_order") and order.confirmed_at is None
        and actions.is_payment_settled(order) and order.state in HOLDABLE,
        "can_hold": user.has_perm("orders.hold_order") and order.state in HOLDABLE,
        "can_release": user.has_perm("orders.hold_order") and order.state == OrderState.ON_HOLD,
        "can_cancel": user.has_perm("orders.cancel_order") and order.state in HOLDABLE + (OrderState.ON_HOLD,),
    }
    context.update(_parcel_context(request, order))
    return render(request, "orders/order_detail.html", context, status=status)


SPLIT_SLOTS = (1, 2, 3)


def _parcel_context(request, order: Order) -> dict:
    """ORD-08: the order's parcels (receivers masked) and what the user may do with them."""
    from . import parcels as parcel_actions
    from .enums import SHIPPED_OR_LATER, Courier, ParcelState
    from .models import Parcel

    user = request.user
    found = list(Parcel.objects.filter(lines__order=order).distinct().order_by("pk")
                 .prefetch_related("lines__order_line__sku", "lines__order"))
    for parcel in found:
        parcel.masked = masked_receiver(parcel)
    active = [p for p in found if p.state != ParcelState.CANCELLED]
    can_change = user.has_perm("orders.change_order") and not is_client_member(user)
    open_order = order.state not in SHIPPED_OR_LATER and order.state != OrderState.CANCELLED
    can_parcel = can_change and open_order and not active
    return {
        "parcels": found,
        "can_parcel": can_parcel and not order.is_cod,
        "can_undo_parcels": can_change and any(p.state == ParcelState.OPEN for p in active)
        and not any(p.state == ParcelState.SHIPPED for p in active),
        "can_ship_parcels": user.has_perm("orders.ship_order") and order.state == OrderState.AWAITING_SHIPMENT,
        # ORD-01 / WMS-10: the whole order as one parcel (no parcels made), through actions.ship_order.
        "can_ship_order": user.has_perm("orders.ship_order") and not is_client_member(user)
        and order.state == OrderState.AWAITING_SHIPMENT and not active,
        "merge_candidates": parcel_actions.merge_candidates(order, user) if can_parcel else [],
        "split_slots": SPLIT_SLOTS, "couriers": Courier.choices,
    }


@page("orders.view_order")
def order_detail(request, pk: int):
    return _detail(request, _order(request, pk))


@require_POST
@page("orders.view_order")
def order_reveal(request, pk: int):
    """CRM-03: the plain receiver for a user holding the right; logged. htmx swaps the block only."""
    order = _order(request, pk)
    try:
        receiver = receiver_view(request.user, order, reveal=True, request=request, purpose="order page")
    except NotAllowed:
        raise PermissionDenied from None
    if request.headers.get("HX-Request"):
        return render(request, "orders/_receiver.html", {"order": order, "receiver": receiver, "can_reveal": True})
    return _detail(request, order, receiver=receiver)


ACTS = {
    "confirm": lambda order, user, reason: actions.confirm(order, user=user),
    "hold": lambda order, user, reason: actions.hold(order, user=user, reason=reason),
    "release": lambda order, user, reason: actions.release_hold(order, user=user, reason=reason),
    "cancel": lambda order, user, reason: actions.cancel(order, user=user, reason=reason),
}
DONE = {"confirm": gettext_lazy("订单已确认"), "hold": gettext_lazy("订单已挂起"),
        "release": gettext_lazy("已解除挂起"), "cancel": gettext_lazy("订单已取消")}


@require_POST
@page("orders.view_order")
def order_act(request, pk: int):
    order = _order(request, pk)
    act = request.POST.get("act", "")
    if act not in ACTS:
        messages.error(request, _("没有这个操作"))
        return redirect("orders:order_detail", pk=order.pk)
    run_action(request, ACTS[act], order, request.user, request.POST.get("reason", ""), done=DONE[act])
    return redirect("orders:order_detail", pk=order.pk)


@page("orders.view_payment")
def reconciliation_page(request):
    stores = Store.objects.visible_to(request.user).order_by("code")
    store_id = _int(request.GET.get("store"))
    rec = reconciliation(request.user, store_id=store_id)
    limit = 200
    return render(request, "orders/reconciliation.html", {
        "stores": stores, "store_id": store_id, "limit": limit,
        "unpaid": rec.unpaid_orders[:limit], "unpaid_count": rec.unpaid_orders.count(),
        "orphans": rec.orphan_payments[:limit], "orphan_count": rec.orphan_payments.count(),
        "mismatches": rec.mismatches[:limit], "mismatch_count": rec.mismatches.count(),
        "duplicates": rec.duplicates[:limit], "duplicate_count": rec.duplicates.count(),
        "transactions": rec.transactions(limit=limit),
    })


def _split_parts(post, order: Order) -> list[dict]:
    lines = list(order.lines.order_by("line_no"))
    parts = []
    for n in SPLIT_SLOTS:
        wanted = {line.pk: post.get(f"q-{n}-{line.pk}", "").strip() for line in lines}
        wanted = {pk: value for pk, value in wanted.items() if value not in ("", "0")}
        if wanted:
            parts.append({"lines": wanted, "receiver": None})
    alt = {key: post.get(f"alt_{key}", "") for key in RECEIVER_FIELDS}
    if parts and any(value.strip() for value in alt.values()):
        parts[-1]["receiver"] = alt
    return parts


@require_POST
@page("orders.view_order")
def order_parcels(request, pk: int):
    """ORD-08 on the order page: split, merge with the offered orders, undo, ship one parcel, or ship the
    whole order as one parcel (ORD-01, WMS-10: ``actions.ship_order``, posted once however often it is
    clicked)."""
    from . import parcels
    from .models import Parcel

    order = _order(request, pk)
    what = request.POST.get("do", "")

    def act() -> None:
        if what == "split":
            made = parcels.split_order(order, user=request.user, parts=_split_parts(request.POST, order),
                                       reason=request.POST.get("reason", ""))
            messages.success(request, _("已拆分为 %(n)d 个包裹") % {"n": len(made)})
        elif what == "merge":
            others = [get_visible_or_404(Order.objects.all(), request.user, pk=value)
                      for value in request.POST.getlist("with") if value.isdigit()]
            parcel = parcels.merge_orders([order, *others], user=request.user, reason=request.POST.get("reason", ""))
            messages.success(request, _("已合并为包裹 %(no)s") % {"no": parcel.number})
        elif what == "undo":
            parcels.undo_parcels(order, user=request.user, reason=request.POST.get("reason", ""))
            messages.success(request, _("已撤销，订单整单发货"))
        elif what == "ship_order":
            actions.ship_order(order, user=request.user, courier=request.POST.get("courier", ""),
                               tracking_no=request.POST.get("tracking_no", ""))
            messages.success(request, _("订单 %(no)s 已整单发出") % {"no": order.platform_order_no})
        elif what == "ship":
            parcel = get_visible_or_404(Parcel.objects.filter(lines__order=order).distinct(), request.user,
                                        pk=request.POST.get("parcel") if (request.POST.get("parcel") or "").isdigit()
                                        else 0)
            parcels.ship_parcel(parcel, user=request.user, courier=request.POST.get("courier", ""),
                                tracking_no=request.POST.get("tracking_no", ""))
            messages.success(request, _("包裹 %(no)s 已发出") % {"no": parcel.number})
        else:
            messages.error(request, _("没有这个操作"))

    run_action(request, act)
    return redirect(reverse("orders:order_detail", args=[order.pk]) + "#parcels")
