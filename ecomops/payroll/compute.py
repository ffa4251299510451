"""The month's pay figures (PER-01…13): pure computation, nothing written here.

``compute_month(month, sales=…, policy=…)`` returns every slip with its lines. It reads:
- the policy values in force at the end of the month (``PolicySet``; a what-if passes overrides),
  each line keeping the versions it used (POL-01);
- the sales of the month (``Sales``, PER-07): the orders placed in the month in all stores minus the
  month's refunds, aggregated set-based (one pass over the counted rows, conditional sums for the
  departure cut-offs) — no Python loop over orders;
- targets, KPI actuals, bonuses, ramp-up months, harm cases, attendance and adjustments, all small.

Money is Decimal throughout; each line is rounded half-up to the fen once, at its end.

Decisions where the regulations are silent (kept here, named, so they can be changed in one place):
- sales count the orders *placed* in the month that are not cancelled, at their paid amount; refunds
  recorded in the month count against them, except refunds of duplicate payments (never counted as
  sales, ORD-07) and refunds of orders placed in the same month and cancelled (not counted either);
- a plan completion over several metrics is the mean of the metrics' completions; a person without
  plan targets of their own is measured by their group's plan;
- the actual of a group or department metric is its own entry, else the sum of its people's entries;
- base salary for a partial month follows PER-01.base_proration (default: not prorated); full
  attendance needs a record for every working day of the month (the working-day calendar,
  ``org.calendar``: rest days and statutory holidays need none, a record on them of kind rest or present
  is fine) and none late, early, on leave or absent;
- a group (or department) without its own sales target uses its nearest parent's, unless
  PER-08.group_target_fallback says not to;
- a group's commission is rounded once, half-up to the fen, and split into equal shares that add up to
  it exactly: the fen left over go one each to the earliest-hired sharers (then the lowest employee
  number) — ``split_evenly``.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from typing import Any

from django.db.models import BigIntegerField, Case, Count, F, Q, Sum, Value, When
from django.db.models.functions import Cast, Round
from django.utils import translation
from django.utils.translation import gettext as _

from ecomops.org.enums import AttendanceKind
from ecomops.org.models import Attendance, Department, Staff
from ecomops.org.queries import missing_attendance, missing_days_text
from ecomops.policy import registry
from ecomops.policy.kinds import TierTable, fmt_decimal, fmt_percent

from .enums import PLAN_METRICS, SUPERVISOR_COLUMN, GroupKind, LineKind, Metric, PayRole, TargetScope
from .models import HarmCase, KpiActual, OverCompletionBonus, PayAdjustment, PayGroup, PayProfile, RampUpMonth, Target
from .periods import local_midnight, month_bounds, month_end

FEN = Decimal("0.01")
ZERO = Decimal("0.00")
ONE = Decimal("1")

BASE_SUPERVISOR = "PER-01.base_salary_supervisor"
BASE_MEMBER = "PER-01.base_salary_member"
PERFORMANCE_PAY = "PER-02.performance_pay"
PERFORMANCE_THRESHOLD = "PER-02.completion_threshold"
PERFORMANCE_CAP = "PER-02.completion_cap"
BONUS_MEMBER = "PER-03.over_completion_bonus_member"
BONUS_SUPERVISOR = "PER-03.over_completion_bonus_supervisor"
SUPERVISOR_THRESHOLD = "PER-04.supervisor_plan_threshold"
FINE_TRIGGER = "PER-04.promoter_fine_trigger"
FINE = "PER-04.supervisor_fine"
FINES_PER_MONTH = "PER-04.supervisor_fines_per_month"
TARGET_DEADLINE_DAY = "PER-06.target_deadline_day"
COMMISSION_RATES = "PER-08.commission_rates"
ACTIVITY_FUND = "PER-09.activity_fund_rates"
FIRST_YEAR_MONTHS = "PER-11.first_year_months"
GRACE = "PER-12.post_departure_grace"
FULL_ATTENDANCE = "PER-13.full_attendance_bonus"
BASE_PRORATION = "PER-01.base_proration"
GROUP_TARGET_FALLBACK = "PER-08.group_target_fallback"

PAY_KEYS = (BASE_SUPERVISOR, BASE_MEMBER, PERFORMANCE_PAY, PERFORMANCE_THRESHOLD, PERFORMANCE_CAP, BONUS_MEMBER,
            BONUS_SUPERVISOR, SUPERVISOR_THRESHOLD, FINE_TRIGGER, FINE, FINES_PER_MONTH, COMMISSION_RATES,
            ACTIVITY_FUND, FIRST_YEAR_MONTHS, GRACE, FULL_ATTENDANCE, BASE_PRORATION, GROUP_TARGET_FALLBACK)

NOT_FULL_ATTENDANCE = (AttendanceKind.LATE, AttendanceKind.EARLY_LEAVE, AttendanceKind.LATE_AND_EARLY,
                       AttendanceKind.LEAVE, AttendanceKind.SICK_LEAVE, AttendanceKind.ABSENT)


def fen(amount: Decimal) -> Decimal:
    """Half-up to the fen: the one rounding of each line."""
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)


def split_evenly(total: Decimal, n: int) -> list[Decimal]:
    """PER-08: ``total`` (an amount in fen) as ``n`` equal shares that add up to it exactly. Every share
    is the total ÷ n rounded towards zero to the fen; the fen left over go one each to the first shares,
    so the caller orders the sharers by who gets them (the earliest-hired first)."""
    if n < 1:
        raise ValueError("n must be at least 1")
    cents = int(fen(total) * 100)
    sign = -1 if cents < 0 else 1
    each, left = divmod(abs(cents), n)
    return [Decimal(sign * (each + (1 if i < left else 0))).scaleb(-2) for i in range(n)]


def by_seniority(profile: PayProfile) -> tuple:
    """The order in which the left-over fen of a split go: earliest hired, then lowest employee number."""
    return (profile.staff.hired_on, profile.staff.employee_no)


def pct(fraction: Decimal | None) -> str:
    """A completion as people read it: 112.40% (two decimals, half-up)."""
    if fraction is None:
        return "—"
    return f"{(fraction * 100).quantize(FEN, rounding=ROUND_HALF_UP)}%"


def yuan(amount: Decimal) -> str:
    return f"-¥{-amount:,.2f}" if amount < 0 else f"¥{amount:,.2f}"


def qty(value: Decimal) -> str:
    return fmt_decimal(value)


# --- policy ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cited:
    value: Any
    version_id: int | None
    label: str
    clause: str


class PolicySet:
    """The PER values in force on ``on`` (the last day of the month), or sandbox overrides of some of
    them for the what-if page (cited as such, never saved)."""

    def __init__(self, on: date, overrides: dict[str, Any] | None = None):
        self.on = on
        self.overrides = overrides or {}
        self._cache: dict[str, Cited] = {}

    def get(self, key: str) -> Cited:
        if key not in self._cache:
            resolved = registry.resolve(key, self.on)
            if key in self.overrides:
                self._cache[key] = Cited(self.overrides[key], None,
                                         _("沙盒值（%(key)s，未生效）") % {"key": key}, resolved.parameter.clause)
            else:
                self._cache[key] = Cited(resolved.value, resolved.version.pk, resolved.version.label,
                                         resolved.parameter.clause)
        return self._cache[key]

    def value(self, key: str) -> Any:
        return self.get(key).value

    def cite(self, *keys: str) -> list[dict]:
        return [{"id": self.get(k).version_id, "label": self.get(k).label} for k in keys]

    def label(self, key: str) -> str:
        return self.get(key).label


# --- sales (PER-07) --------------------------------------------------------------------------------


def in_fen(field_name: str):
    """An amount column as integer fen, so sums are exact on SQLite (whose decimals are floating point)
    as on PostgreSQL."""
    return Cast(Round(F(field_name) * Value(Decimal("100"))), BigIntegerField())


def counted_orders(month: date):
    """PER-07: the orders counted in the month's sales (see the module's decisions)."""
    from ecomops.orders.enums import OrderState
    from ecomops.orders.models import Order

    start, end = month_bounds(month)
    return Order.objects.filter(placed_at__gte=start, placed_at__lt=end).exclude(state=OrderState.CANCELLED)


def counted_refunds(month: date):
    """PER-07: the refunds subtracted from the month's sales."""
    from ecomops.orders.enums import OrderState, RefundSource
    from ecomops.orders.models import Refund

    start, end = month_bounds(month)
    return (Refund.objects.filter(refunded_at__gte=start, refunded_at__lt=end)
            .exclude(source=RefundSource.DUPLICATE_PAYMENT)
            .exclude(order__state=OrderState.CANCELLED, order__placed_at__gte=start, order__placed_at__lt=end))


@dataclass
class Sales:
    """The month's commission base (PER-07), and the base restricted to payments that arrived by each
    departure cut-off (PER-11, PER-12). Per-store figures are a report (``queries.sales_by_store``)."""

    orders: int = 0
    orders_amount: Decimal = ZERO
    refunds: int = 0
    refunds_amount: Decimal = ZERO
    paid_by: dict[date, Decimal] = field(default_factory=dict)  # cut-off day (inclusive) → net sales

    @property
    def net(self) -> Decimal:
        return self.orders_amount - self.refunds_amount


def aggregate_sales(orders_qs, refunds_qs, *, amount, paid_at: str, refund_amount, refund_paid_at: str,
                    cutoffs: list[date]) -> Sales:
    """Two aggregate queries (orders, refunds), each one pass without grouping: the count and the sum in
    fen, and for each cut-off day the sum of what was paid by its end. ``amount`` / ``refund_amount`` are
    expressions giving integer fen."""
    cutoffs = sorted(set(cutoffs))

    def conditional(field_name: str, day: date, fen_amount):
        return Sum(Case(When(**{f"{field_name}__lt": local_midnight(day + timedelta(days=1))}, then=fen_amount),
                        default=Value(0), output_field=BigIntegerField()))

    orders = orders_qs.order_by().aggregate(
        n=Count("pk"), total=Sum(amount), **{f"c{i}": conditional(paid_at, d, amount) for i, d in enumerate(cutoffs)})
    refunds = refunds_qs.order_by().aggregate(
        n=Count("pk"), total=Sum(refund_amount),
        **{f"c{i}": conditional(refund_paid_at, d, refund_amount) for i, d in enumerate(cutoffs)})
    return Sales(
        orders=orders["n"], orders_amount=Decimal(orders["total"] or 0).scaleb(-2),
        refunds=refunds["n"], refunds_amount=Decimal(refunds["total"] or 0).scaleb(-2),
        paid_by={d: Decimal((orders[f"c{i}"] or 0) - (refunds[f"c{i}"] or 0)).scaleb(-2)
                 for i, d in enumerate(cutoffs)})


def live_sales(month: date, cutoffs: list[date]) -> Sales:
    """The month's sales straight from the orders (the what-if page, and a run before it is saved)."""
    return aggregate_sales(counted_orders(month), counted_refunds(month), amount=in_fen("paid_amount"),
                           paid_at="paid_at", refund_amount=in_fen("amount"), refund_paid_at="order__paid_at",
                           cutoffs=cutoffs)


def run_sales(run, cutoffs: list[date]) -> Sales:
    """The month's sales from the run's own list of counted orders and refunds (PER-07 evidence)."""
    return aggregate_sales(run.counted_order_rows(), run.counted_refund_rows(), amount=F("amount_fen"),
                           paid_at="paid_at", refund_amount=F("amount_fen"), refund_paid_at="order_paid_at",
                           cutoffs=cutoffs)


# --- results ---------------------------------------------------------------------------------------


@dataclass
class LineResult:
    kind: str
    amount: Decimal
    explanation: str
    clause: str
    policy: list[dict] = field(default_factory=list)
    data: dict = field(default_factory=dict)
    corrects_id: int | None = None


@dataclass
class SlipResult:
    staff: Staff
    role: str
    department: Department
    lines: list[LineResult] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)


@dataclass
class FundResult:
    department: Department
    sales: Decimal
    plan: Decimal | None
    completion: Decimal | None
    rate: Decimal
    amount: Decimal
    explanation: str
    policy: list[dict]


@dataclass
class MonthResult:
    month: date
    policy: PolicySet
    sales: Sales
    slips: list[SlipResult]
    funds: list[FundResult]

    @property
    def total(self) -> Decimal:
        return sum((slip.total for slip in self.slips), ZERO)

    def fingerprint(self) -> str:
        digest = hashlib.sha256()
        for slip in sorted(self.slips, key=lambda s: s.staff.employee_no):
            for line in slip.lines:
                digest.update(f"{slip.staff.employee_no}|{line.kind}|{line.amount}|{line.explanation}|"
                              f"{line.corrects_id}\n".encode())
        return digest.hexdigest()


# --- completions -----------------------------------------------------------------------------------


@dataclass
class Completion:
    value: Decimal | None  # None: no plan to measure against
    parts: list[tuple[str, Decimal, Decimal, Decimal]] = field(default_factory=list)  # metric, plan, actual, r
    source: str = ""

    def describe(self) -> str:
        if not self.parts:
            return _("未设定计划目标")
        text = "；".join(
            _("%(metric)s 实际 %(actual)s / 计划 %(plan)s = %(r)s")
            % {"metric": Metric(m).label, "actual": qty(a), "plan": qty(p), "r": pct(r)}
            for m, p, a, r in self.parts)
        if len(self.parts) > 1:
            text += _("；平均完成率 %(r)s") % {"r": pct(self.value)}
        return text


class MonthData:
    """The month's small inputs, read once."""

    def __init__(self, month: date):
        self.month = month
        self.end = month_end(month)
        self.profiles = list(
            PayProfile.objects.filter(is_active=True, staff__hired_on__lte=self.end)
            .filter(Q(staff__left_on__isnull=True) | Q(staff__left_on__gte=month))
            .select_related("staff", "staff__department", "staff__job_level").order_by("staff__employee_no"))
        self.groups = {g.department_id: g for g in PayGroup.objects.select_related("department")}
        self.targets = list(Target.objects.filter(month=month).select_related("department", "staff"))
        self.actuals = list(KpiActual.objects.filter(month=month))
        self.departments = {d.pk: d for d in Department.objects.all()}
        self.children: dict[int | None, list[int]] = defaultdict(list)
        for d in self.departments.values():
            self.children[d.parent_id].append(d.pk)
        self.staff_department = dict(Staff.objects.values_list("pk", "department_id"))
        self.bonuses = {b.staff_id: b for b in OverCompletionBonus.objects.filter(month=month)}
        self.ramp_ups = {r.department_id: r for r in RampUpMonth.objects.filter(month=month)}
        self.harm = defaultdict(list)
        for case in HarmCase.objects.order_by("recorded_on", "pk"):
            self.harm[case.staff_id].append(case)
        self.adjustments = defaultdict(list)
        for adj in (PayAdjustment.objects.filter(month=month)
                    .select_related("corrects", "corrects__slip", "corrects__slip__run").order_by("pk")):
            self.adjustments[adj.staff_id].append(adj)

    def descendants(self, department_id: int) -> set[int]:
        ids, frontier = {department_id}, [department_id]
        while frontier:
            frontier = [c for d in frontier for c in self.children.get(d, []) if c not in ids]
            ids.update(frontier)
        return ids

    def ancestors(self, department_id: int) -> list[int]:
        out, current = [], self.departments.get(department_id)
        while current is not None:
            out.append(current.pk)
            current = self.departments.get(current.parent_id) if current.parent_id else None
        return out

    def target(self, *, metric: str, department_id: int | None = None, staff_id: int | None = None):
        for t in self.targets:
            if t.metric == metric and t.department_id == department_id and t.staff_id == staff_id:
                return t
        return None

    def sales_target(self, department_id: int, *, fallback: bool) -> Target | None:
        """PER-08: the department's own sales target of the month; with ``fallback``, else the nearest
        parent department's."""
        chain = self.ancestors(department_id) if fallback else [department_id]
        for candidate in chain:
            target = self.target(metric=Metric.SALES, department_id=candidate)
            if target is not None:
                return target
        return None

    def plan_targets(self, *, department_id: int | None = None, staff_id: int | None = None) -> list[Target]:
        return sorted((t for t in self.targets if t.metric in PLAN_METRICS and t.department_id == department_id
                       and t.staff_id == staff_id), key=lambda t: PLAN_METRICS.index(t.metric))

    def actual(self, target: Target) -> Decimal:
        """A plan metric's actual: the entry of the target's subject; for a department or group without
        its own entry, the sum of the entries of the people in it."""
        for a in self.actuals:
            if a.metric == target.metric and a.staff_id == target.staff_id and a.department_id == target.department_id:
                return a.value
        if target.staff_id is not None:
            return ZERO
        inside = self.descendants(target.department_id)
        return sum((a.value for a in self.actuals if a.metric == target.metric and a.staff_id is not None
                    and self.staff_department.get(a.staff_id) in inside), ZERO)

    def completion(self, targets: list[Target], source: str) -> Completion:
        if not targets:
            return Completion(None, [], source)
        parts = []
        for t in targets:
            actual = self.actual(t)
            parts.append((t.metric, t.plan, actual, actual / t.plan))
        mean = sum((p[3] for p in parts), Decimal(0)) / len(parts)
        return Completion(mean, parts, source)

    def person_plan(self, profile: PayProfile) -> Completion:
        """PER-02: a member's plan completion (their own plan, else their group's); PER-04: a
        supervisor's is their department's plan."""
        staff = profile.staff
        if profile.role == PayRole.SUPERVISOR:
            return self.completion(self.plan_targets(department_id=staff.department_id), TargetScope.DEPARTMENT)
        own = self.plan_targets(staff_id=staff.pk)
        if own:
            return self.completion(own, TargetScope.PERSON)
        return self.completion(self.plan_targets(department_id=staff.department_id), TargetScope.GROUP)

    def ramp_up_for(self, staff: Staff) -> RampUpMonth | None:
        for department_id in self.ancestors(staff.department_id):
            if department_id in self.ramp_ups:
                return self.ramp_ups[department_id]
        return None

    @cached_property
    def working_days(self) -> list[date]:
        """The month's working days by the working-day calendar (PER-13, PER-01 proration), read once."""
        from ecomops.org.calendar import working_days

        return working_days(self.month, self.end)

    @property
    def working_day_count(self) -> int:
        return len(self.working_days)

    def employed_all_month(self, staff: Staff) -> bool:
        return staff.hired_on <= self.month and (staff.left_on is None or staff.left_on >= self.end)


# --- departure rules -------------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    import calendar

    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass
class Departure:
    cutoff: date | None  # None: not leaving this month, the whole base counts
    text: str = ""
    policy_keys: tuple[str, ...] = ()


def departure_rule(staff: Staff, data: MonthData, policy: PolicySet) -> Departure:
    """PER-11 / PER-12: a person leaving in the month earns commission only on the sales whose payment
    arrived by the cut-off: the leaving date within the first year, the leaving date plus the grace
    period after a full year without harmful conduct (PER-10)."""
    left = staff.left_on
    if left is None or left > data.end:
        return Departure(None)
    months = policy.value(FIRST_YEAR_MONTHS)
    full_year = left >= add_months(staff.hired_on, months)
    if full_year and not data.harm.get(staff.pk):
        grace: timedelta = policy.value(GRACE)
        cutoff = left + timedelta(days=grace.days)
        text = _("%(left)s 离职，在职满 %(months)d 个月且无损害公司行为："
                 "离职后 %(days)d 天内（截至 %(cutoff)s，含当日）到账的货款计提成"
                 "（PER-12，政策版本 %(v1)s；%(v2)s）") % {
            "left": left, "months": months, "days": grace.days, "cutoff": cutoff,
            "v1": policy.label(GRACE), "v2": policy.label(FIRST_YEAR_MONTHS)}
        return Departure(cutoff, text, (FIRST_YEAR_MONTHS, GRACE))
    if full_year:
        text = _("%(left)s 离职，虽满 %(months)d 个月但有损害公司行为记录："
                 "只计截至离职日（含当日）到账的货款（PER-10、PER-12，政策版本 %(v)s）") % {
            "left": left, "months": months, "v": policy.label(FIRST_YEAR_MONTHS)}
    else:
        text = _("%(left)s 离职，在职不满 %(months)d 个月："
                 "只计截至离职日（含当日）到账的货款（PER-11，政策版本 %(v)s）") % {
            "left": left, "months": months, "v": policy.label(FIRST_YEAR_MONTHS)}
    return Departure(left, text, (FIRST_YEAR_MONTHS,))


def departure_cutoffs(data: MonthData, policy: PolicySet) -> list[date]:
    return sorted({d.cutoff for p in data.profiles if (d := departure_rule(p.staff, data, policy)).cutoff})


# --- the month -------------------------------------------------------------------------------------


def compute_month(month: date, *, sales: Sales | None = None, policy: PolicySet | None = None,
                  data: MonthData | None = None) -> MonthResult:
    """Every slip of ``month``. Without ``sales``, they are aggregated straight from the orders."""
    with translation.override("zh-hans"):  # a slip is a document in Chinese, whoever computes it
        data = data or MonthData(month)
        policy = policy or PolicySet(data.end)
        if sales is None:
            sales = live_sales(month, departure_cutoffs(data, policy))
        attendance = attendance_summary(data)
        slips = []
        for profile in data.profiles:
            slips.append(_slip(profile, data, policy, sales, attendance))
        funds = _activity_funds(data, policy, sales)
        return MonthResult(month, policy, sales, slips, funds)


def _members(data: MonthData, department_id: int, role: str) -> list[PayProfile]:
    return [p for p in data.profiles if p.role == role and p.staff.department_id == department_id]


def _slip(profile: PayProfile, data: MonthData, policy: PolicySet, sales: Sales, attendance: dict) -> SlipResult:
    staff = profile.staff
    slip = SlipResult(staff, profile.role, staff.department)
    supervisor = profile.role == PayRole.SUPERVISOR
    slip.lines.append(_base_line(profile, data, policy))
    plan = data.person_plan(profile)
    slip.lines.append(_performance_line(profile, data, policy, plan))
    bonus = _bonus_line(profile, data, policy, plan, sales)
    if bonus is not None:
        slip.lines.append(bonus)
    commission = _commission_line(profile, data, policy, sales)
    slip.lines.append(commission)
    forfeit = _forfeiture_line(staff, data, commission)
    if forfeit is not None:
        slip.lines.append(forfeit)
    if supervisor:
        fine = _fine_line(profile, data, policy)
        if fine is not None:
            slip.lines.append(fine)
    slip.lines.append(_attendance_line(staff, data, policy, attendance))
    for adj in data.adjustments.get(staff.pk, []):
        corrected = adj.corrects
        slip.lines.append(LineResult(
            LineKind.ADJUSTMENT, fen(adj.amount),
            _("更正 %(month)s 工资单第 %(seq)d 行“%(kind)s”（原金额 %(old)s）：%(reason)s") % {
                "month": f"{corrected.slip.run.month:%Y-%m}", "seq": corrected.seq,
                "kind": LineKind(corrected.kind).label, "old": yuan(corrected.amount), "reason": adj.reason},
            "PER-14", [], {"adjustment": adj.pk}, corrects_id=corrected.pk))
    return slip


def _base_line(profile: PayProfile, data: MonthData, policy: PolicySet) -> LineResult:
    """PER-01 (ORG-05): the personal base salary when one is set, else the policy default by role; for a
    partial month (joining or leaving in it) prorated as PER-01.base_proration says, and said either way."""
    staff = profile.staff
    if profile.base_salary is not None:
        level = staff.job_level
        full = profile.base_salary
        text = _("个人基本工资 %(amount)s") % {"amount": yuan(full)}
        if level is not None:
            text += _("（职级 %(level)s，底薪区间 %(low)s–%(high)s，ORG-05）") % {
                "level": level.code, "low": yuan(level.salary_min), "high": yuan(level.salary_max)}
        clause, cited, info = "PER-01, ORG-05", [], {"personal": str(full)}
    else:
        key = BASE_SUPERVISOR if profile.role == PayRole.SUPERVISOR else BASE_MEMBER
        full = policy.value(key)
        who = _("主管") if profile.role == PayRole.SUPERVISOR else _("组员")
        text = _("%(who)s基本工资 %(amount)s（PER-01，政策版本 %(v)s）") % {
            "who": who, "amount": yuan(full), "v": policy.label(key)}
        clause, cited, info = "PER-01", policy.cite(key), {}
    first, last = max(staff.hired_on, data.month), min(staff.left_on or data.end, data.end)
    if first == data.month and last == data.end:
        return LineResult(LineKind.BASE, fen(full), text, clause, cited, info)
    # A partial month: joined after the 1st or left before the last day.
    cited = cited + policy.cite(BASE_PRORATION)
    days, month_days = (last - first).days + 1, (data.end - data.month).days + 1
    info = {**info, "employed_from": first.isoformat(), "employed_to": last.isoformat(), "days": days,
            "month_days": month_days}
    rule = policy.value(BASE_PRORATION)
    period = _("当月在职 %(first)s 至 %(last)s，共 %(days)d 天") % {
        "first": f"{first:%m-%d}", "last": f"{last:%m-%d}", "days": days}
    if rule == "calendar_days":
        amount = fen(full * days / month_days)
        text += _("；%(period)s：%(full)s × %(days)d / %(month_days)d 天 = %(amount)s（按日历天数折算，PER-01，"
                  "政策版本 %(v)s）") % {"period": period, "full": yuan(full), "days": days,
                                     "month_days": month_days, "amount": yuan(amount),
                                     "v": policy.label(BASE_PRORATION)}
        return LineResult(LineKind.BASE, amount, text, clause, cited, {**info, "prorated": rule})
    if rule == "working_days":
        month_working = data.working_days
        worked = sum(1 for day in month_working if first <= day <= last)
        amount = fen(full * worked / len(month_working)) if month_working else fen(full)
        text += _("；%(period)s，其中工作日 %(worked)d 天：%(full)s × %(worked)d / 当月工作日 %(total)d 天 = "
                  "%(amount)s（按工作日折算，依工作日历，PER-01，政策版本 %(v)s）") % {
            "period": period, "worked": worked, "full": yuan(full), "total": len(month_working),
            "amount": yuan(amount), "v": policy.label(BASE_PRORATION)}
        return LineResult(LineKind.BASE, amount, text, clause, cited,
                          {**info, "prorated": rule, "working_days": worked, "month_working_days": len(month_working)})
    text += _("；%(period)s，基本工资不按天折算（PER-01，政策版本 %(v)s）") % {
        "period": period, "v": policy.label(BASE_PRORATION)}
    return LineResult(LineKind.BASE, fen(full), text, clause, cited, {**info, "prorated": None})


def _performance_line(profile: PayProfile, data: MonthData, policy: PolicySet, plan: Completion) -> LineResult:
    """PER-02 (members) / PER-04 (supervisor): below the threshold nothing, from it completion × the
    performance pay, completion capped; PER-05: a ramp-up month pays it in full."""
    full = policy.value(PERFORMANCE_PAY)
    cap = policy.value(PERFORMANCE_CAP)
    supervisor = profile.role == PayRole.SUPERVISOR
    threshold_key = SUPERVISOR_THRESHOLD if supervisor else PERFORMANCE_THRESHOLD
    clause = "PER-04" if supervisor else "PER-02"
    ramp = data.ramp_up_for(profile.staff)
    if ramp is not None:
        text = _("开业期全额绩效：%(reason)s → 绩效工资 %(full)s（PER-05，%(v)s）") % {
            "reason": ramp.reason, "full": yuan(full), "v": policy.label(PERFORMANCE_PAY)}
        return LineResult(LineKind.PERFORMANCE, fen(full), text, "PER-05", policy.cite(PERFORMANCE_PAY),
                          {"ramp_up": ramp.pk})
    threshold = policy.value(threshold_key)
    keys = (PERFORMANCE_PAY, threshold_key, PERFORMANCE_CAP)
    source = {TargetScope.PERSON: _("个人计划"), TargetScope.GROUP: _("小组计划"),
              TargetScope.DEPARTMENT: _("部门计划")}[plan.source]
    versions = "；".join(policy.label(k) for k in keys)
    data_out = {"completion": None if plan.value is None else str(plan.value)}
    if plan.value is None:
        text = _("%(source)s：未设定计划目标 → 绩效工资 ¥0.00（%(clause)s）") % {"source": source, "clause": clause}
        return LineResult(LineKind.PERFORMANCE, ZERO, text, clause, policy.cite(*keys), data_out)
    if plan.value < threshold:
        text = _("%(source)s完成率 %(r)s，低于 %(t)s → 绩效工资 ¥0.00（%(clause)s，政策版本 %(v)s）。%(detail)s") % {
            "source": source, "r": pct(plan.value), "t": fmt_percent(threshold), "clause": clause, "v": versions,
            "detail": plan.describe()}
        return LineResult(LineKind.PERFORMANCE, ZERO, text, clause, policy.cite(*keys), data_out)
    counted = min(plan.value, cap)
    amount = fen(counted * full)
    capped = _("（按封顶 %(cap)s 计）") % {"cap": fmt_percent(cap)} if plan.value > cap else ""
    text = _("%(source)s完成率 %(r)s%(capped)s × 绩效工资 %(full)s = %(amount)s（%(clause)s，政策版本 %(v)s）。"
             "%(detail)s") % {
        "source": source, "r": pct(plan.value), "capped": capped, "full": yuan(full), "amount": yuan(amount),
        "clause": clause, "v": versions, "detail": plan.describe()}
    return LineResult(LineKind.PERFORMANCE, amount, text, clause, policy.cite(*keys), data_out)


def scope_sales_completion(target: Target | None, sales: Sales) -> Decimal | None:
    return None if target is None else sales.net / target.plan


def _bonus_line(profile: PayProfile, data: MonthData, policy: PolicySet, plan: Completion,
                sales: Sales) -> LineResult | None:
    """PER-03: the amount the manager picked, paid when it is inside the range in force and the plan
    completion is above 100% with effective sales (checked again at every computation)."""
    bonus = data.bonuses.get(profile.staff_id)
    if bonus is None:
        return None
    key = BONUS_SUPERVISOR if profile.role == PayRole.SUPERVISOR else BONUS_MEMBER
    low, high = policy.value(key)
    problem = bonus_problem(bonus.amount, low, high, plan.value, sales.net)
    if problem:
        text = _("超额完成奖励 %(amount)s 不予发放：%(why)s（PER-03，政策版本 %(v)s）") % {
            "amount": yuan(bonus.amount), "why": problem, "v": policy.label(key)}
        return LineResult(LineKind.OVER_BONUS, ZERO, text, "PER-03", policy.cite(key), {"bonus": bonus.pk})
    text = _("计划完成率 %(r)s 超过 100%%，有效销售 %(net)s：经理确定奖励 %(amount)s（区间 %(low)s–%(high)s，PER-03，"
             "政策版本 %(v)s）。%(reason)s") % {
        "r": pct(plan.value), "net": yuan(sales.net), "amount": yuan(bonus.amount), "low": yuan(low),
        "high": yuan(high), "v": policy.label(key), "reason": bonus.reason}
    return LineResult(LineKind.OVER_BONUS, fen(bonus.amount), text, "PER-03", policy.cite(key), {"bonus": bonus.pk})


def bonus_problem(amount: Decimal, low: Decimal, high: Decimal, completion: Decimal | None,
                  net_sales: Decimal) -> str:
    """Why a PER-03 bonus may not be paid ("" when it may)."""
    if amount < low or amount > high:
        return _("金额须在 %(low)s 至 %(high)s 之间") % {"low": yuan(low), "high": yuan(high)}
    if completion is None or completion <= ONE:
        return _("计划完成率 %(r)s 未超过 100%%") % {"r": pct(completion)}
    if net_sales <= 0:
        return _("当月没有有效销售")
    return ""


def _commission_line(profile: PayProfile, data: MonthData, policy: PolicySet, sales: Sales) -> LineResult:
    """PER-08: the rate of the group's (the supervisor: the department's) sales-target completion, on
    the whole base; the group's amount, rounded once, split into equal shares among its members employed
    in the month that add up exactly (``split_evenly``); PER-11 / PER-12 restrict the base of a person
    leaving in the month (their share is of the amount on that base). A group without its own target
    uses its parent department's when PER-08.group_target_fallback says so."""
    staff = profile.staff
    table: TierTable = policy.value(COMMISSION_RATES)
    keys = [COMMISSION_RATES]
    if profile.role == PayRole.SUPERVISOR:
        column, who = SUPERVISOR_COLUMN, _("主管")
        unit_name = staff.department.name
    else:
        group = data.groups.get(staff.department_id)
        if group is None:
            text = _("所在部门“%(dept)s”不是考核小组，无提成（PER-08）") % {"dept": staff.department.name}
            return LineResult(LineKind.COMMISSION, ZERO, text, "PER-08", [], {})
        column, who = group.kind, GroupKind(group.kind).label
        unit_name = group.department.name
    fallback = policy.value(GROUP_TARGET_FALLBACK) == "department"
    target = data.sales_target(staff.department_id, fallback=fallback)
    if target is None:
        rule = (_("上级部门也未设定") if fallback else _("不沿用上级部门目标"))
        text = _("“%(unit)s”当月未设定销售目标，%(rule)s → 无提成（PER-08，政策版本 %(v)s）") % {
            "unit": unit_name, "rule": rule, "v": policy.label(GROUP_TARGET_FALLBACK)}
        return LineResult(LineKind.COMMISSION, ZERO, text, "PER-08", policy.cite(GROUP_TARGET_FALLBACK), {})
    borrowed = target.department_id != staff.department_id
    if borrowed:
        keys.append(GROUP_TARGET_FALLBACK)
    r = sales.net / target.plan
    tier = table.lookup(r)
    rate = Decimal("0") if tier is None else tier.values[column]
    sharers = sorted(_members(data, staff.department_id, profile.role), key=by_seniority)
    n = max(len(sharers), 1)
    place = next((i for i, p in enumerate(sharers) if p.staff_id == staff.pk), 0)
    departure = departure_rule(staff, data, policy)
    base = sales.net if departure.cutoff is None else sales.paid_by.get(departure.cutoff, ZERO)
    pool = fen(base * rate)
    shares = split_evenly(pool, n)
    amount = shares[place]
    keys += list(departure.policy_keys)
    source = ""
    if borrowed:
        source = _("“%(unit)s”当月未设定自己的销售目标，沿用上级部门“%(dept)s”的销售目标（政策版本 %(v)s）；") % {
            "unit": unit_name, "dept": target.department.name, "v": policy.label(GROUP_TARGET_FALLBACK)}
    head = source + _("销售完成率 %(r)s → %(who)s提成比例 %(rate)s（PER-08，政策版本 %(v)s）；"
                      "净销售 %(net)s ÷ 销售目标 %(plan)s") % {
        "r": pct(r), "who": who, "rate": fmt_percent(rate), "v": policy.label(COMMISSION_RATES),
        "net": yuan(sales.net), "plan": yuan(target.plan)}
    if tier is not None:
        head += _("，所在档 %(tier)s") % {"tier": tier.label()}
    split = _("%(pool)s，÷ %(n)d 人 = %(amount)s") % {"pool": yuan(pool), "n": n, "amount": yuan(amount)}
    if n > 1 and len(set(shares)) > 1:
        extra = sum(1 for x in shares if x != shares[-1])
        split += _("（均分不尽的 %(fen)d 分按入职先后给前 %(k)d 人各 1 分，各份合计正好 %(pool)s）") % {
            "fen": extra, "k": extra, "pool": yuan(pool)}
    if departure.cutoff is None:
        body = _("提成基数 %(base)s × %(rate)s = %(split)s") % {
            "base": yuan(base), "rate": fmt_percent(rate), "split": split}
    else:
        body = _("%(rule)s；到账货款 %(base)s × %(rate)s = %(split)s") % {
            "rule": departure.text, "base": yuan(base), "rate": fmt_percent(rate), "split": split}
    clause = "PER-07, PER-08" + (", PER-11, PER-12" if departure.cutoff else "")
    return LineResult(LineKind.COMMISSION, amount, f"{head}；{body}", clause, policy.cite(*keys), {
        "completion": str(r), "rate": str(rate), "base": str(base), "sharers": n, "pool": str(pool),
        "target": target.pk, "target_department": target.department_id, "target_borrowed": borrowed,
        "cutoff": departure.cutoff.isoformat() if departure.cutoff else None})


def _forfeiture_line(staff: Staff, data: MonthData, commission: LineResult) -> LineResult | None:
    """PER-10: a fraud/harm case recorded in or after this month forfeits this month's (unpaid)
    commission."""
    cases = [c for c in data.harm.get(staff.pk, []) if c.recorded_on >= data.month]
    if not cases or commission.amount == 0:
        return None
    case = cases[0]
    text = _("%(day)s 认定损害公司行为（%(what)s）：未发放的提成 %(amount)s 予以没收（PER-10）") % {
        "day": case.recorded_on, "what": case.description[:60], "amount": yuan(commission.amount)}
    return LineResult(LineKind.FORFEITURE, -commission.amount, text, "PER-10", [], {"harm_case": case.pk})


def _fine_line(profile: PayProfile, data: MonthData, policy: PolicySet) -> LineResult | None:
    """PER-04: the supervisor is fined when a promotion group under them completes less than the
    trigger of its plan; at most the policy's number of fines a month."""
    inside = data.descendants(profile.staff.department_id)
    groups = [g for g in data.groups.values() if g.kind == GroupKind.PROMOTION and g.department_id in inside]
    trigger = policy.value(FINE_TRIGGER)
    low = []
    for group in sorted(groups, key=lambda g: g.department.code):
        completion = data.completion(data.plan_targets(department_id=group.department_id), TargetScope.GROUP)
        if completion.value is not None and completion.value < trigger:
            low.append((group, completion))
    if not low:
        return None
    times = min(len(low), policy.value(FINES_PER_MONTH))
    fine = policy.value(FINE)
    amount = fen(fine * times)
    names = "、".join(f"{g.department.name} {pct(c.value)}" for g, c in low)
    text = _("推广组计划完成率低于 %(t)s（%(names)s）→ 主管罚款 %(fine)s × %(times)d 次 = %(amount)s（PER-04，每月最多 "
             "%(max)d 次，政策版本 %(v)s）") % {
        "t": fmt_percent(trigger), "names": names, "fine": yuan(fine), "times": times, "amount": yuan(amount),
        "max": policy.value(FINES_PER_MONTH),
        "v": "；".join(policy.label(k) for k in (FINE_TRIGGER, FINE, FINES_PER_MONTH))}
    return LineResult(LineKind.FINE, -amount, text, "PER-04", policy.cite(FINE_TRIGGER, FINE, FINES_PER_MONTH),
                      {"groups": [g.department_id for g, _c in low]})


def attendance_summary(data: MonthData) -> dict[int, dict]:
    """ORG-04 / PER-13: per person, in one grouped query, the month's records and the ones that break
    full attendance; and the working days of the month without a record (two more queries)."""
    ids = [p.staff_id for p in data.profiles]
    late = Q(kind__in=[AttendanceKind.LATE, AttendanceKind.LATE_AND_EARLY]) | Q(late_minutes__gt=0)
    early = Q(kind__in=[AttendanceKind.EARLY_LEAVE, AttendanceKind.LATE_AND_EARLY]) | Q(early_leave_minutes__gt=0)
    rows = (Attendance.objects.filter(staff_id__in=ids, date__gte=data.month, date__lte=data.end).order_by()
            .values("staff_id").annotate(
                days=Count("pk"), late=Count("pk", filter=late), early=Count("pk", filter=early),
                leave=Count("pk", filter=Q(kind__in=[AttendanceKind.LEAVE, AttendanceKind.SICK_LEAVE])),
                absent=Count("pk", filter=Q(kind=AttendanceKind.ABSENT))))
    summary = {row["staff_id"]: row for row in rows}
    missing = missing_attendance([p.staff for p in data.profiles], data.month, data.end)
    for staff_id in ids:
        row = summary.setdefault(staff_id, {"staff_id": staff_id, "days": 0, "late": 0, "early": 0, "leave": 0,
                                            "absent": 0})
        row["missing"] = missing.get(staff_id, [])
    return summary


def _attendance_line(staff: Staff, data: MonthData, policy: PolicySet, attendance: dict) -> LineResult:
    bonus = policy.value(FULL_ATTENDANCE)
    cite = policy.cite(FULL_ATTENDANCE)
    row = attendance.get(staff.pk, {"days": 0, "late": 0, "early": 0, "leave": 0, "absent": 0, "missing": []})
    info = {k: row[k] for k in ("days", "late", "early", "leave", "absent")}
    info["missing"] = [d.isoformat() for d in row["missing"]]
    v = policy.label(FULL_ATTENDANCE)
    if not data.employed_all_month(staff):
        text = _("当月未全月在职 → 无全勤奖（PER-13，政策版本 %(v)s）") % {"v": v}
        return LineResult(LineKind.ATTENDANCE, ZERO, text, "PER-13, ORG-04", cite, info)
    problems = []
    if row["missing"]:
        problems.append(missing_days_text(row["missing"]))
    if row["late"]:
        problems.append(_("迟到 %(n)d 次") % {"n": row["late"]})
    if row["early"]:
        problems.append(_("早退 %(n)d 次") % {"n": row["early"]})
    if row["leave"]:
        problems.append(_("请假 %(n)d 天") % {"n": row["leave"]})
    if row["absent"]:
        problems.append(_("旷工 %(n)d 天") % {"n": row["absent"]})
    if problems:
        text = _("%(problems)s → 无全勤奖（PER-13，政策版本 %(v)s）") % {"problems": "、".join(problems), "v": v}
        return LineResult(LineKind.ATTENDANCE, ZERO, text, "PER-13, ORG-04", cite, info)
    text = _("当月 %(n)d 个工作日考勤齐全，无迟到、早退、请假、旷工 → 全勤奖 %(amount)s（PER-13，政策版本 %(v)s）") % {
        "n": data.working_day_count, "amount": yuan(bonus), "v": v}
    return LineResult(LineKind.ATTENDANCE, fen(bonus), text, "PER-13, ORG-04", cite, info)


def _activity_funds(data: MonthData, policy: PolicySet, sales: Sales) -> list[FundResult]:
    """PER-09: for each department with a sales target that is not a group, the share of sales set
    aside by completion. A report, not a pay line."""
    table: TierTable = policy.value(ACTIVITY_FUND)
    out = []
    for target in data.targets:
        if target.metric != Metric.SALES or target.scope != TargetScope.DEPARTMENT:
            continue
        r = sales.net / target.plan
        tier = table.lookup(r)
        rate = Decimal("0") if tier is None else tier.values["fund"]
        amount = fen(max(sales.net, ZERO) * rate)
        text = _("销售完成率 %(r)s → 活动经费比例 %(rate)s；%(net)s × %(rate)s = %(amount)s"
                 "（PER-09，政策版本 %(v)s）") % {
            "r": pct(r), "rate": fmt_percent(rate), "net": yuan(sales.net), "amount": yuan(amount),
            "v": policy.label(ACTIVITY_FUND)}
        out.append(FundResult(target.department, sales.net, target.plan, r, rate, amount, text,
                              policy.cite(ACTIVITY_FUND)))
    return out
