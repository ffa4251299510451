"""Read side of pay: who sees which slips and targets (PER-14), and the PER-07 evidence of a run as the
user may see it (DAT-02).

- a client's own user sees nothing of pay (internal data, AGY-07);
- ``payroll.view_all_payslips`` (finance, management): every slip;
- ``payroll.view_department_payslips`` (a supervisor): the slips of the people in their department
  and the groups under it, and their own;
- everybody else: their own slip only.
The orders and refunds counted in a run are listed only for the stores the user may see, and the
run's totals of them (``run_figures``) are those of the stores the user may see; only a user who sees
every client gets the run's own figures over every store (DAT-02, AGY-07). A slip keeps the run's
commission base: it is how that person's pay was computed (PER-07).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from ecomops.org.models import Staff, Store
from ecomops.org.scoping import is_client_member, scope_for

from .models import CountedOrder, CountedRefund, KpiActual, PayrollRun, PaySlip, Target

ALL = "payroll.view_all_payslips"
DEPARTMENT = "payroll.view_department_payslips"


def _staff(user) -> Staff | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return Staff.objects.filter(user=user).select_related("department").first()


def sees_all(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and not is_client_member(user) and user.has_perm(ALL)


def visible_slips(user) -> QuerySet[PaySlip]:
    slips = PaySlip.objects.select_related("run", "staff", "department")
    if user is None or not getattr(user, "is_authenticated", False) or is_client_member(user):
        return slips.none()
    if user.has_perm(ALL):
        return slips
    staff = _staff(user)
    if staff is None:
        return slips.none()
    condition = Q(staff=staff)
    if user.has_perm(DEPARTMENT):
        condition |= Q(staff__department_id__in=staff.department.descendant_ids())
    return slips.filter(condition)


def visible_targets(user) -> QuerySet[Target]:
    """Targets of the user's own units and person (supervisors: their whole department)."""
    targets = Target.objects.select_related("department", "staff", "set_by")
    if user is None or not getattr(user, "is_authenticated", False) or is_client_member(user):
        return targets.none()
    if user.has_perm(ALL):
        return targets
    staff = _staff(user)
    if staff is None:
        return targets.none()
    units = {d.pk for d in staff.department.ancestors()} | {staff.department_id}
    if user.has_perm(DEPARTMENT):
        inside = staff.department.descendant_ids()
        return targets.filter(Q(department_id__in=units | inside) | Q(staff__department_id__in=inside))
    return targets.filter(Q(department_id__in=units) | Q(staff=staff))


def visible_kpis(user) -> QuerySet[KpiActual]:
    """KPI actuals in the same scope as the targets."""
    entries = KpiActual.objects.select_related("department", "staff", "entered_by")
    if user is None or not getattr(user, "is_authenticated", False) or is_client_member(user):
        return entries.none()
    if user.has_perm(ALL):
        return entries
    staff = _staff(user)
    if staff is None:
        return entries.none()
    units = {d.pk for d in staff.department.ancestors()} | {staff.department_id}
    if user.has_perm(DEPARTMENT):
        inside = staff.department.descendant_ids()
        return entries.filter(Q(department_id__in=units | inside) | Q(staff__department_id__in=inside))
    return entries.filter(Q(department_id__in=units) | Q(staff=staff))


def runs_for(user) -> QuerySet[PayrollRun]:
    return PayrollRun.objects.select_related("computed_by", "checked_by", "approved_by", "locked_by")


def visible_counted_orders(user, run: PayrollRun) -> QuerySet[CountedOrder]:
    rows = run.counted_order_rows()
    scope = scope_for(user)
    return rows if scope.all else rows.filter(store_id__in=scope.store_ids)


def visible_counted_refunds(user, run: PayrollRun) -> QuerySet[CountedRefund]:
    rows = run.counted_refund_rows()
    scope = scope_for(user)
    return rows if scope.all else rows.filter(store_id__in=scope.store_ids)


def sales_by_store(user, run: PayrollRun) -> list[dict]:
    """PER-07: per visible store, the orders and refunds the run counted."""
    from decimal import Decimal

    orders = {r["store_id"]: r for r in visible_counted_orders(user, run).order_by().values("store_id")
              .annotate(n=Count("pk"), total=Sum("amount_fen"))}
    refunds = {r["store_id"]: r for r in visible_counted_refunds(user, run).order_by().values("store_id")
               .annotate(n=Count("pk"), total=Sum("amount_fen"))}
    stores = {s.pk: s for s in Store.objects.filter(pk__in=set(orders) | set(refunds)).select_related("client")}
    rows = []
    for store_id in sorted(stores, key=lambda pk: stores[pk].code):
        o, r = orders.get(store_id, {}), refunds.get(store_id, {})
        amount = Decimal(o.get("total") or 0).scaleb(-2)
        refunded = Decimal(r.get("total") or 0).scaleb(-2)
        rows.append({"store": stores[store_id], "orders": o.get("n", 0), "orders_amount": amount,
                     "refunds": r.get("n", 0), "refunds_amount": refunded, "net": amount - refunded})
    return rows


@dataclass(frozen=True)
class RunFigures:
    """PER-07 totals of a run as one user may see them."""

    orders_count: int
    orders_amount: Decimal
    refunds_count: int
    refunds_amount: Decimal
    net_sales: Decimal
    all_stores: bool


def _yuan(fen) -> Decimal:
    return (Decimal(fen or 0) / 100).quantize(Decimal("0.01"))


def run_figures(user, run: PayrollRun) -> RunFigures:
    """The run's orders, refunds and sales base (PER-07) for ``user``: the run's own figures over every
    store when the user sees every client; otherwise the sums over the stores they may see (DAT-02,
    AGY-07: other clients' sales never show, not even as a total)."""
    if scope_for(user).all:
        return RunFigures(run.orders_count, run.orders_amount, run.refunds_count, run.refunds_amount, run.net_sales,
                          all_stores=True)
    orders = visible_counted_orders(user, run).aggregate(n=Count("pk"), fen=Sum("amount_fen"))
    refunds = visible_counted_refunds(user, run).aggregate(n=Count("pk"), fen=Sum("amount_fen"))
    amount, refunded = _yuan(orders["fen"]), _yuan(refunds["fen"])
    return RunFigures(orders["n"], amount, refunds["n"], refunded, amount - refunded, all_stores=False)


# --- attendance before a run (PER-13) --------------------------------------------------------------


@dataclass
class MissingAttendance:
    staff: Staff
    days: list
    text: str


def missing_attendance(month) -> list[MissingAttendance]:
    """The people with an active pay profile employed in ``month`` who lack an attendance record on
    one or more of the calendar's working days while employed (PER-13), by employee number; empty
    when the month's attendance is complete. Three queries."""
    from ecomops.org.queries import missing_attendance as missing_days
    from ecomops.org.queries import missing_days_text

    from .models import PayProfile
    from .periods import month_end

    end = month_end(month)
    people = [p.staff for p in PayProfile.objects.filter(is_active=True, staff__hired_on__lte=end)
              .filter(Q(staff__left_on__isnull=True) | Q(staff__left_on__gte=month))
              .select_related("staff").order_by("staff__employee_no")]
    missing = missing_days(people, month, end)
    return [MissingAttendance(person, missing[person.pk], missing_days_text(missing[person.pk]))
            for person in people if missing[person.pk]]


def sees_missing_attendance(user) -> bool:
    """Who is told which days are missing: those who see attendance or compute the run (internal)."""
    return (bool(getattr(user, "is_authenticated", False)) and not is_client_member(user)
            and (user.has_perm("org.view_attendance") or user.has_perm("payroll.add_payrollrun")))
