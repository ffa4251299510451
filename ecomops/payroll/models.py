"""Targets, KPIs and monthly pay (PER-01…14, ORG-04, ORG-05, POL-01).

Inputs (changed only through ``actions``, each with its audit history):
- ``PayGroup`` marks an org group (a department with ``is_group``) as a promotion or customer-service
  group: its kind is the PER-08 column of its members.
- ``PayProfile`` puts a staff member on the PER payroll as the supervisor or a group member, with an
  optional personal base salary (ORG-05: inside the band of their job level).
- ``Target``: the plan of a month by scope (department, group, person) and metric (PER-06), flagged
  late when set on or after the deadline; ``KpiActual``: the actual of a plan metric the system does
  not compute, entered with its evidence (sales are computed from the orders, PER-07).
- ``OverCompletionBonus`` (PER-03), ``RampUpMonth`` (PER-05), ``HarmCase`` (PER-10) and
  ``PayAdjustment`` (a later correction of a locked line, PER-14).

Outputs (written by ``actions.compute_run`` from ``compute``): ``PayrollRun`` → ``PaySlip`` →
``PayLine``, each line with its explanation, clause and the policy versions it used (POL-01);
``CountedOrder`` / ``CountedRefund`` keep which orders and refunds made the month's sales (PER-07),
written set-based; ``ActivityFund`` is the PER-09 report. A locked run never changes.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ecomops.core.events import Event
from ecomops.core.history import audited

from .enums import GroupKind, LineKind, Metric, PayRole, RunEventKind, RunState, TargetScope

MONEY = {"max_digits": 14, "decimal_places": 2}
QUANTITY = {"max_digits": 14, "decimal_places": 2}


class PayGroup(models.Model):
    """A group of the e-commerce department as pay sees it: its kind is its PER-08 commission column."""

    department = models.OneToOneField("org.Department", verbose_name=_("小组"), on_delete=models.PROTECT,
                                      related_name="pay_group")
    kind = models.CharField(_("小组类型"), max_length=20, choices=GroupKind.choices)
    history = audited()

    class Meta:
        verbose_name = _("考核小组")
        verbose_name_plural = _("考核小组")
        ordering = ["department__sort_order", "department__code"]

    def __str__(self) -> str:
        return f"{self.department.name}（{self.get_kind_display()}）"


class PayProfile(models.Model):
    """A staff member on the PER payroll (PER-01): supervisor or group member, and the base salary."""

    staff = models.OneToOneField("org.Staff", verbose_name=_("员工"), on_delete=models.PROTECT,
                                 related_name="pay_profile")
    role = models.CharField(_("薪酬角色"), max_length=20, choices=PayRole.choices)
    base_salary = models.DecimalField(_("个人基本工资（元）"), null=True, blank=True,
                                      validators=[MinValueValidator(Decimal("0"))], **MONEY,
                                      help_text=_("留空按政策参数（PER-01）的默认基本工资"))
    is_active = models.BooleanField(_("参与月度薪资"), default=True)
    history = audited()

    class Meta:
        verbose_name = _("薪酬档案")
        verbose_name_plural = _("薪酬档案")
        ordering = ["staff__employee_no"]
        constraints = [
            models.CheckConstraint(condition=Q(base_salary__isnull=True) | Q(base_salary__gte=0),
                                   name="payroll_profile_base_nonneg"),
        ]

    def __str__(self) -> str:
        return f"{self.staff}（{self.get_role_display()}）"


class Target(models.Model):
    """PER-06: the plan of one metric for one scope and month. Sales targets are set for a department or
    a group (their actual is computed from the orders); plan metrics for any scope."""

    month = models.DateField(_("月份"), db_index=True, help_text=_("当月第一天"))
    scope = models.CharField(_("范围"), max_length=12, choices=TargetScope.choices)
    department = models.ForeignKey("org.Department", verbose_name=_("部门/小组"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="pay_targets")
    staff = models.ForeignKey("org.Staff", verbose_name=_("员工"), null=True, blank=True, on_delete=models.PROTECT,
                              related_name="pay_targets")
    metric = models.CharField(_("指标"), max_length=20, choices=Metric.choices)
    plan = models.DecimalField(_("计划值"), validators=[MinValueValidator(Decimal("0.01"))], **QUANTITY)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    deadline = models.DateField(_("制定截止日"), help_text=_("须在此日之前制定（PER-06）"))
    late = models.BooleanField(_("逾期制定"), default=False)
    set_at = models.DateTimeField(_("制定时间"))
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("制定人"), on_delete=models.PROTECT,
                               related_name="+")
    history = audited()

    class Meta:
        verbose_name = _("月度目标")
        verbose_name_plural = _("月度目标")
        ordering = ["-month", "scope", "department__code", "staff__employee_no", "metric"]
        constraints = [
            models.UniqueConstraint(fields=["month", "department", "metric"], condition=Q(staff__isnull=True),
                                    name="payroll_target_unique_unit"),
            models.UniqueConstraint(fields=["month", "staff", "metric"], condition=Q(staff__isnull=False),
                                    name="payroll_target_unique_person"),
            models.CheckConstraint(
                condition=(Q(scope="person", staff__isnull=False, department__isnull=True)
                           | Q(scope__in=["department", "group"], staff__isnull=True, department__isnull=False)),
                name="payroll_target_scope_subject"),
            models.CheckConstraint(condition=~Q(scope="person", metric="sales"), name="payroll_target_no_person_sales"),
            models.CheckConstraint(condition=Q(plan__gt=0), name="payroll_target_plan_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.subject_name} {self.get_metric_display()}"

    @property
    def subject_name(self) -> str:
        return self.staff.name if self.staff_id else self.department.name


class KpiActual(models.Model):
    """PER-14: the actual of a plan metric the system does not compute, entered with its evidence."""

    month = models.DateField(_("月份"), db_index=True)
    scope = models.CharField(_("范围"), max_length=12, choices=TargetScope.choices)
    department = models.ForeignKey("org.Department", verbose_name=_("部门/小组"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    staff = models.ForeignKey("org.Staff", verbose_name=_("员工"), null=True, blank=True, on_delete=models.PROTECT,
                              related_name="kpi_actuals")
    metric = models.CharField(_("指标"), max_length=20, choices=Metric.choices)
    value = models.DecimalField(_("实际值"), validators=[MinValueValidator(Decimal("0"))], **QUANTITY)
    evidence = models.CharField(_("依据"), max_length=500, help_text=_("数据来源：后台报表、截图编号、签约合同号等"))
    evidence_file = models.FileField(_("依据附件"), upload_to="payroll/evidence/%Y/%m/", blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("录入人"), on_delete=models.PROTECT,
                                   related_name="+")
    entered_at = models.DateTimeField(_("录入时间"))
    history = audited()

    class Meta:
        verbose_name = _("KPI 实际值")
        verbose_name_plural = _("KPI 实际值")
        ordering = ["-month", "scope", "metric", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["month", "department", "metric"], condition=Q(staff__isnull=True),
                                    name="payroll_kpi_unique_unit"),
            models.UniqueConstraint(fields=["month", "staff", "metric"], condition=Q(staff__isnull=False),
                                    name="payroll_kpi_unique_person"),
            models.CheckConstraint(
                condition=(Q(scope="person", staff__isnull=False, department__isnull=True)
                           | Q(scope__in=["department", "group"], staff__isnull=True, department__isnull=False)),
                name="payroll_kpi_scope_subject"),
            models.CheckConstraint(condition=~Q(metric="sales"), name="payroll_kpi_not_sales"),
            models.CheckConstraint(condition=Q(value__gte=0), name="payroll_kpi_value_nonneg"),
        ]

    def __str__(self) -> str:
        who = self.staff.name if self.staff_id else self.department.name
        return f"{self.month:%Y-%m} {who} {self.get_metric_display()} {self.value}"


class OverCompletionBonus(models.Model):
    """PER-03: the amount the manager picked inside the policy range for one person and month."""

    month = models.DateField(_("月份"), db_index=True)
    staff = models.ForeignKey("org.Staff", verbose_name=_("员工"), on_delete=models.PROTECT,
                              related_name="over_completion_bonuses")
    amount = models.DecimalField(_("奖励金额（元）"), validators=[MinValueValidator(Decimal("0.01"))], **MONEY)
    reason = models.CharField(_("说明"), max_length=300)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("确定人"), on_delete=models.PROTECT,
                                   related_name="+")
    entered_at = models.DateTimeField(_("确定时间"))
    history = audited()

    class Meta:
        verbose_name = _("超额完成奖励")
        verbose_name_plural = _("超额完成奖励")
        ordering = ["-month", "staff__employee_no"]
        constraints = [
            models.UniqueConstraint(fields=["month", "staff"], name="payroll_bonus_once_a_month"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payroll_bonus_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.staff.name} {self.amount}"


class RampUpMonth(models.Model):
    """PER-05: before the shop runs fully, management grants full performance pay for a month to a
    department (and the groups under it)."""

    month = models.DateField(_("月份"), db_index=True)
    department = models.ForeignKey("org.Department", verbose_name=_("部门"), on_delete=models.PROTECT,
                                   related_name="+")
    reason = models.CharField(_("原因"), max_length=300)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("批准人"), on_delete=models.PROTECT,
                                   related_name="+")
    granted_at = models.DateTimeField(_("批准时间"))
    history = audited()

    class Meta:
        verbose_name = _("开业期全额绩效")
        verbose_name_plural = _("开业期全额绩效")
        ordering = ["-month", "department__code"]
        constraints = [models.UniqueConstraint(fields=["month", "department"], name="payroll_rampup_unique")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.department.name}"


class HarmCase(models.Model):
    """PER-10: a recorded case of fraud or harm to the company. Unpaid commission is forfeited and the
    post-departure grace period (PER-12) no longer applies."""

    staff = models.ForeignKey("org.Staff", verbose_name=_("员工"), on_delete=models.PROTECT,
                              related_name="harm_cases")
    occurred_on = models.DateField(_("发生日期"))
    recorded_on = models.DateField(_("认定日期"))
    description = models.TextField(_("事实经过"), max_length=2000)
    evidence = models.CharField(_("证据"), max_length=500)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    history = audited()

    class Meta:
        verbose_name = _("损害公司行为记录")
        verbose_name_plural = _("损害公司行为记录")
        ordering = ["-recorded_on", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(recorded_on__gte=models.F("occurred_on")),
                                              name="payroll_harm_recorded_after")]

    def __str__(self) -> str:
        return f"{self.staff.name} {self.recorded_on}"


class PayrollRun(models.Model):
    """PER-14: the pay run of one month: draft → checked → approved → locked."""

    month = models.DateField(_("月份"), unique=True)
    state = models.CharField(_("状态"), max_length=10, choices=RunState.choices, default=RunState.DRAFT)
    policy_on = models.DateField(_("政策取值日"), help_text=_("按此日生效的政策版本计算（月末）"))
    computed_at = models.DateTimeField(_("计算时间"))
    computed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("计算人"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    checked_at = models.DateTimeField(_("复核时间"), null=True, blank=True)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("复核人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审批人"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    locked_at = models.DateTimeField(_("锁定时间"), null=True, blank=True)
    locked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("锁定人"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    slip_count = models.PositiveIntegerField(_("工资单数"), default=0)
    total = models.DecimalField(_("应发合计（元）"), default=Decimal("0.00"), **MONEY)
    orders_count = models.PositiveIntegerField(_("计入订单数"), default=0)
    orders_amount = models.DecimalField(_("订单金额（元）"), default=Decimal("0.00"), **MONEY)
    refunds_count = models.PositiveIntegerField(_("计入退款数"), default=0)
    refunds_amount = models.DecimalField(_("退款金额（元）"), default=Decimal("0.00"), **MONEY)
    net_sales = models.DecimalField(_("提成基数（元）"), default=Decimal("0.00"), **MONEY)
    counted_orders_ids = models.JSONField(_("计入订单记录范围"), default=list, blank=True,
                                          help_text=_("[首个 id, 最后 id]：本次计算写入的计入订单记录"))
    counted_refunds_ids = models.JSONField(_("计入退款记录范围"), default=list, blank=True)
    fingerprint = models.CharField(_("结果指纹"), max_length=64, blank=True,
                                   help_text=_("全部工资行的摘要：重新计算结果相同则指纹不变"))
    history = audited()

    class Meta:
        verbose_name = _("月度薪资")
        verbose_name_plural = _("月度薪资")
        ordering = ["-month"]
        permissions = [
            ("check_payrollrun", _("可复核月度薪资（主管）")),
            ("approve_payrollrun", _("可审批月度薪资（财务）")),
            ("lock_payrollrun", _("可锁定月度薪资")),
            ("view_all_payslips", _("可查看全部工资单")),
            ("view_department_payslips", _("可查看本部门工资单")),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"

    @property
    def is_locked(self) -> bool:
        return self.state == RunState.LOCKED

    def counted_order_rows(self):
        """PER-07: the orders this run counted (a range of the primary key, see ``CountedOrder``)."""
        if not self.counted_orders_ids:
            return CountedOrder.objects.none()
        first, last = self.counted_orders_ids
        return CountedOrder.objects.filter(pk__gte=first, pk__lte=last, run=self)

    def counted_refund_rows(self):
        if not self.counted_refunds_ids:
            return CountedRefund.objects.none()
        first, last = self.counted_refunds_ids
        return CountedRefund.objects.filter(pk__gte=first, pk__lte=last, run=self)


class RunEvent(Event):
    """One step of a pay run (append-only, :class:`~ecomops.core.events.Event`): who, when, what, from
    which state to which, and the totals before and after. Written by ``payroll.events``."""

    run = models.ForeignKey(PayrollRun, verbose_name=_("月度薪资"), on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("事件"), max_length=20, choices=RunEventKind.choices)
    from_state = models.CharField(_("原状态"), max_length=20, choices=RunState.choices, blank=True)
    to_state = models.CharField(_("新状态"), max_length=20, choices=RunState.choices, blank=True)

    class Meta(Event.Meta):
        verbose_name = _("薪资记录")
        verbose_name_plural = _("薪资记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.run} {self.get_kind_display()}"


class PaySlip(models.Model):
    """One person's slip of a run. Its total is the sum of its lines (checked by the tests)."""

    run = models.ForeignKey(PayrollRun, verbose_name=_("月度薪资"), on_delete=models.CASCADE, related_name="slips")
    staff = models.ForeignKey("org.Staff", verbose_name=_("员工"), on_delete=models.PROTECT, related_name="pay_slips")
    role = models.CharField(_("薪酬角色"), max_length=20, choices=PayRole.choices)
    department = models.ForeignKey("org.Department", verbose_name=_("部门/小组"), on_delete=models.PROTECT,
                                   related_name="+")
    name = models.CharField(_("姓名"), max_length=40)
    employee_no = models.CharField(_("工号"), max_length=20)
    total = models.DecimalField(_("应发合计（元）"), **MONEY)

    class Meta:
        verbose_name = _("工资单")
        verbose_name_plural = _("工资单")
        ordering = ["run", "employee_no"]
        constraints = [models.UniqueConstraint(fields=["run", "staff"], name="payroll_slip_once_per_run")]

    def __str__(self) -> str:
        return f"{self.run} {self.name}"


class PayLine(models.Model):
    """One line of a slip: amount (half-up to the fen), the explanation in Chinese, the clause and the
    policy versions used (POL-01). An adjustment line names the locked line it corrects."""

    slip = models.ForeignKey(PaySlip, verbose_name=_("工资单"), on_delete=models.CASCADE, related_name="lines")
    seq = models.PositiveSmallIntegerField(_("行号"))
    kind = models.CharField(_("项目"), max_length=20, choices=LineKind.choices)
    amount = models.DecimalField(_("金额（元）"), **MONEY)
    explanation = models.TextField(_("计算说明"), max_length=2000)
    clause = models.CharField(_("条款"), max_length=40)
    policy = models.JSONField(_("政策版本"), default=list, blank=True,
                              help_text=_("所用政策参数版本：[{id, label}]"))
    data = models.JSONField(_("计算数据"), default=dict, blank=True)
    corrects = models.ForeignKey("self", verbose_name=_("更正的工资行"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="corrections")

    class Meta:
        verbose_name = _("工资行")
        verbose_name_plural = _("工资行")
        ordering = ["slip", "seq"]
        constraints = [models.UniqueConstraint(fields=["slip", "seq"], name="payroll_line_unique_seq")]

    def __str__(self) -> str:
        return f"{self.slip} #{self.seq} {self.get_kind_display()} {self.amount}"


class PayAdjustment(models.Model):
    """PER-14: a correction of a locked month, paid as a line of a later month that names the line it
    corrects (the locked month itself never changes)."""

    month = models.DateField(_("计入月份"), db_index=True)
    staff = models.ForeignKey("org.Staff", verbose_name=_("员工"), on_delete=models.PROTECT,
                              related_name="pay_adjustments")
    corrects = models.ForeignKey(PayLine, verbose_name=_("更正的工资行"), on_delete=models.PROTECT,
                                 related_name="adjustments")
    amount = models.DecimalField(_("调整金额（元）"), **MONEY, help_text=_("补发为正，扣回为负"))
    reason = models.CharField(_("更正原因"), max_length=500)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("录入人"), on_delete=models.PROTECT,
                                   related_name="+")
    entered_at = models.DateTimeField(_("录入时间"))
    history = audited()

    class Meta:
        verbose_name = _("薪资调整")
        verbose_name_plural = _("薪资调整")
        ordering = ["-month", "pk"]
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="payroll_adjustment_nonzero")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.staff.name} {self.amount}"


class CountedOrder(models.Model):
    """PER-07 evidence: an order counted in the run's sales, with the amount counted in fen.

    Written with one INSERT … SELECT per run. Each run's rows occupy the id range recorded on the run
    (``PayrollRun.counted_orders_ids``), so reading, summing and replacing them are range operations on
    the primary key: no secondary index to maintain while a million rows are written, and no foreign-key
    constraint on the order (orders are never deleted). Amounts are integer fen so sums are exact on
    SQLite (whose decimals are floating point) as on PostgreSQL; ``amount`` gives the Decimal.
    """

    run = models.ForeignKey(PayrollRun, verbose_name=_("月度薪资"), on_delete=models.DO_NOTHING, db_index=False,
                            related_name="+")
    order = models.ForeignKey("orders.Order", verbose_name=_("订单"), on_delete=models.DO_NOTHING,
                              db_constraint=False, db_index=False, related_name="+")
    store = models.ForeignKey("org.Store", verbose_name=_("店铺"), on_delete=models.DO_NOTHING, db_constraint=False,
                              db_index=False, related_name="+")
    amount_fen = models.BigIntegerField(_("计入金额（分）"))
    paid_at = models.DateTimeField(_("付款时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("计入提成的订单")
        verbose_name_plural = _("计入提成的订单")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.run_id} {self.order_id} {self.amount}"

    @property
    def amount(self) -> Decimal:
        return Decimal(self.amount_fen).scaleb(-2)


class CountedRefund(models.Model):
    """PER-07 evidence: a refund subtracted from the run's sales (id range on the run, amount in fen)."""

    run = models.ForeignKey(PayrollRun, verbose_name=_("月度薪资"), on_delete=models.DO_NOTHING, db_index=False,
                            related_name="+")
    refund = models.ForeignKey("orders.Refund", verbose_name=_("退款"), on_delete=models.DO_NOTHING,
                               db_constraint=False, db_index=False, related_name="+")
    order = models.ForeignKey("orders.Order", verbose_name=_("订单"), on_delete=models.DO_NOTHING,
                              db_constraint=False, db_index=False, related_name="+")
    store = models.ForeignKey("org.Store", verbose_name=_("店铺"), on_delete=models.DO_NOTHING, db_constraint=False,
                              db_index=False, related_name="+")
    amount_fen = models.BigIntegerField(_("退款金额（分）"))
    order_paid_at = models.DateTimeField(_("订单付款时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("扣减提成的退款")
        verbose_name_plural = _("扣减提成的退款")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.run_id} {self.refund_id} −{self.amount}"

    @property
    def amount(self) -> Decimal:
        return Decimal(self.amount_fen).scaleb(-2)


class ActivityFund(models.Model):
    """PER-09: the department activity fund of the month, reported (not a pay line)."""

    run = models.ForeignKey(PayrollRun, verbose_name=_("月度薪资"), on_delete=models.CASCADE,
                            related_name="activity_funds")
    department = models.ForeignKey("org.Department", verbose_name=_("部门"), on_delete=models.PROTECT,
                                   related_name="+")
    sales = models.DecimalField(_("销售额（元）"), **MONEY)
    plan = models.DecimalField(_("销售目标（元）"), null=True, blank=True, **MONEY)
    completion = models.DecimalField(_("完成率"), null=True, blank=True, max_digits=20, decimal_places=6,
                                     help_text=_("销售额 ÷ 销售目标；目标很小时可以很大"))
    rate = models.DecimalField(_("提取比例"), max_digits=8, decimal_places=6)
    amount = models.DecimalField(_("活动经费（元）"), **MONEY)
    explanation = models.CharField(_("计算说明"), max_length=500)
    policy = models.JSONField(_("政策版本"), default=list, blank=True)

    class Meta:
        verbose_name = _("部门活动经费")
        verbose_name_plural = _("部门活动经费")
        ordering = ["run", "department__code"]
        constraints = [models.UniqueConstraint(fields=["run", "department"], name="payroll_fund_unique")]

    def __str__(self) -> str:
        return f"{self.run} {self.department.name} {self.amount}"


__all__ = ["PayGroup", "PayProfile", "Target", "KpiActual", "OverCompletionBonus", "RampUpMonth", "HarmCase",
           "PayrollRun", "RunEvent", "PaySlip", "PayLine", "PayAdjustment", "CountedOrder", "CountedRefund",
           "ActivityFund", "LineKind", "RunEventKind"]
