"""Replenishment plans (WMS-14): the day's plan per client and warehouse, judged by
``replenishment.decide``; approved, its lines become draft purchase orders.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import F, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ecomops.audit import dues
from ecomops.catalog.models import SKU
from ecomops.core.errors import BusinessError, Conflict
from ecomops.core.flow import allowed, transition
from ecomops.core.history import save_audited
from ecomops.inventory.actions import next_number
from ecomops.inventory.enums import SELLABLE_BIN_KINDS
from ecomops.inventory.models import StockBalance, Warehouse
from ecomops.org.actions import require_internal as _internal
from ecomops.org.actions import require_perm
from ecomops.org.models import Client
from ecomops.policy import registry
from ecomops.suppliers.models import StyleSupplier, Supplier

from .enums import (
    PLAN_FLOW,
    PlanState,
)
from .models import (
    PurchaseOrder,
    ReplenishmentLine,
    ReplenishmentPlan,
)
from .owners import APPROVE_PERM, end_of, plan_approvers, require_client
from .purchasing import POItem, write_purchase_order
from .replenishment import Policy, decide
from .sales import daily_sales
from .sales import window as sales_window

PLAN_APPROVAL_DUE = "supply.plan_approval"

PLAN_PREFIX = "BH"


def primary_suppliers(style_ids: Iterable[int], client_id: int) -> dict[int, Supplier]:
    """The supplier of each style (primary first, then by code) among those that serve the client."""
    found: dict[int, Supplier] = {}
    links = (StyleSupplier.objects.filter(style_id__in=list(style_ids))
             .filter(Q(supplier__client_id=client_id) | Q(supplier__client__isnull=True))
             .select_related("supplier").order_by("style_id", "-is_primary", "supplier__code"))
    for link in links:
        found.setdefault(link.style_id, link.supplier)
    return found


def sellable_available(sku_ids: Iterable[int], warehouse: Warehouse) -> dict[int, int]:
    """Available (on hand − reserved) in sellable bins per SKU, in one query (same as
    ``reservations.available``)."""
    rows = (StockBalance.objects.filter(sku_id__in=list(sku_ids), warehouse=warehouse,
                                        bin__kind__in=SELLABLE_BIN_KINDS)
            .values("sku_id").annotate(free=Sum(F("on_hand") - F("reserved"))).order_by())
    return {row["sku_id"]: int(row["free"] or 0) for row in rows}


@transaction.atomic
def build_plan(*, warehouse: Warehouse, client: Client, on: date | None = None, user=None) -> ReplenishmentPlan | None:
    """WMS-14: the day's plan of one client's goods in one warehouse. Every SKU sold in the window is
    judged by ``replenishment.decide``; the lines that reorder are kept with their figures, their
    explanation and the policy versions used. None when nothing needs ordering. Run twice, the day's
    plan is returned as it is."""
    on = on or timezone.localdate()
    existing = ReplenishmentPlan.objects.filter(client=client, warehouse=warehouse, plan_date=on).first()
    if existing is not None:
        return existing
    policy = Policy.resolve(on)
    sold = daily_sales(None, warehouse, on, window_days=policy.window_days)
    skus = {s.pk: s for s in SKU.objects.filter(pk__in=sold, client=client).select_related("style")}
    if not skus:
        return None
    free = sellable_available(skus, warehouse)
    suppliers = primary_suppliers({s.style_id for s in skus.values()}, client.pk)
    start, end = sales_window(on, policy.window_days)
    rows = []
    for sku_id, sku in sorted(skus.items(), key=lambda item: item[1].sku_code):
        decision = decide(available=free.get(sku_id, 0), daily_sales=sold[sku_id], is_hero=sku.style.is_hero,
                          policy=policy)
        if decision.reorder:
            rows.append((sku, decision))
    if not rows:
        return None
    plan = ReplenishmentPlan(
        number=next_number(PLAN_PREFIX, on), client=client, warehouse=warehouse, plan_date=on,
        created_by=user if getattr(user, "pk", None) else None,
        policy={"citations": policy.citations, "window": [start.isoformat(), end.isoformat()]},
    )
    save_audited(plan, user=user)
    for sku, decision in rows:
        save_audited(ReplenishmentLine(
            plan=plan, sku=sku, supplier=suppliers.get(sku.style_id), is_hero=sku.style.is_hero, rule=decision.rule,
            window_days=policy.window_days,
            sold_units=int((sold[sku.pk] * policy.window_days).to_integral_value(ROUND_HALF_UP)),
            daily_sales=sold[sku.pk].quantize(Decimal("0.0001")), available=max(free.get(sku.pk, 0), 0),
            cover_days=decision.cover_days.quantize(Decimal("0.01")), trigger_days=decision.trigger_days,
            order_days=decision.order_days, quantity=decision.quantity, explanation=decision.explanation[:400],
        ), user=user)
    title = _("补货计划待审批：%(n)s（%(c)s，%(wh)s）") % {"n": plan.number, "c": client.name, "wh": warehouse.code}
    dues.raise_dues(kind=PLAN_APPROVAL_DUE, owners=plan_approvers(client.pk), title=title, due_at=end_of(on),
                    source=plan, clause="WMS-14", link=reverse("supply:plan_detail", args=[plan.pk]), client=client)
    return plan


def build_plans(*, warehouse: Warehouse, on: date | None = None, user=None) -> list[ReplenishmentPlan]:
    """The day's plans of every client whose goods sold in the warehouse (one plan per client)."""
    on = on or timezone.localdate()
    window_days = int(registry.value("WMS-14.daily_sales_window_days", on=on))
    sold = daily_sales(None, warehouse, on, window_days=window_days)
    client_ids = sorted(set(SKU.objects.filter(pk__in=sold).values_list("client_id", flat=True)))
    plans = []
    for client in Client.objects.filter(pk__in=client_ids).order_by("code"):
        plan = build_plan(warehouse=warehouse, client=client, on=on, user=user)
        if plan is not None:
            plans.append(plan)
    return plans


def _plan_for(user, plan: ReplenishmentPlan) -> ReplenishmentPlan:
    require_perm(user, APPROVE_PERM)
    _internal(user)
    require_client(user, plan.client_id)
    plan = ReplenishmentPlan.objects.select_for_update().get(pk=plan.pk)
    return plan


def _check_step(plan: ReplenishmentPlan, to_state: str) -> None:
    """PLAN_FLOW, refused as a conflict (409) naming both states."""
    if not allowed(PLAN_FLOW, plan.state, to_state):
        raise Conflict(
            _("补货计划 %(n)s 当前为“%(s)s”，不能改为“%(t)s”")
            % {"n": plan.number, "s": plan.get_state_display(), "t": PlanState(to_state).label}
        )


@transaction.atomic
def approve_plan(plan: ReplenishmentPlan, *, user, note: str = "") -> list[PurchaseOrder]:
    """Approve a plan (GM office or purchasing, WMS-14): its lines become draft purchase orders, one per
    client × supplier × warehouse. Lines without a supplier stay on the plan, listed as needing one."""
    plan = _plan_for(user, plan)
    _check_step(plan, PlanState.APPROVED)
    lines = list(plan.lines.select_related("sku", "supplier").order_by("pk"))
    by_supplier: dict[int, list[ReplenishmentLine]] = {}
    for line in lines:
        if line.supplier_id:
            by_supplier.setdefault(line.supplier_id, []).append(line)
    orders = []
    for _supplier_id, group in sorted(by_supplier.items()):
        order = write_purchase_order(
            user=user, client=plan.client, supplier=group[0].supplier, warehouse=plan.warehouse,
            lines=[POItem(line.sku, line.quantity) for line in group], source=plan.number,
            note=_("由补货计划 %(n)s 生成（WMS-14）") % {"n": plan.number},
        )
        for line in group:
            line.purchase_order = order
            save_audited(line, user=user, reason=_("已生成采购单 %(n)s") % {"n": order.number})
        orders.append(order)
    transition(plan, PlanState.APPROVED, flow=PLAN_FLOW, user=user, check=_check_step, changes={
        "decided_by": user, "decided_at": timezone.now(), "decision_note": (note or "").strip()[:200]})
    dues.complete_due(kind=PLAN_APPROVAL_DUE, source=plan, user=user)
    return orders


@transaction.atomic
def reject_plan(plan: ReplenishmentPlan, *, user, note: str) -> ReplenishmentPlan:
    plan = _plan_for(user, plan)
    _check_step(plan, PlanState.REJECTED)
    note = (note or "").strip()
    if not note:
        raise BusinessError(_("驳回须写明原因"), field="note")
    transition(plan, PlanState.REJECTED, flow=PLAN_FLOW, user=user, check=_check_step,
               changes={"decided_by": user, "decided_at": timezone.now(), "decision_note": note[:200]})
    dues.complete_due(kind=PLAN_APPROVAL_DUE, source=plan, user=user)
    return plan
