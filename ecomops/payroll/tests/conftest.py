"""Fixtures of the pay tests: the e-commerce department with its supervisor, a promotion group of two and
a customer-service group of three (PER-01), their users with the positions' kind of permissions, and
helpers that write orders, refunds, targets, KPI actuals and attendance for March 2026."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from ecomops.orders.enums import OrderState, RefundSource
from ecomops.orders.models import Order, Refund
from ecomops.org.enums import AttendanceKind
from ecomops.org.models import Attendance, ClientGrant, Department, Staff
from ecomops.payroll import actions
from ecomops.payroll.enums import GroupKind, Metric, PayRole, TargetScope
from ecomops.payroll.models import PayGroup, PayProfile
from ecomops.payroll.periods import month_end

SH = ZoneInfo("Asia/Shanghai")
MONTH = date(2026, 3, 1)

SUPERVISOR_PERMS = ("payroll.view_target", "payroll.add_target", "payroll.change_target", "payroll.view_kpiactual",
                    "payroll.add_kpiactual", "payroll.change_kpiactual", "payroll.view_payrollrun",
                    "payroll.add_payrollrun", "payroll.check_payrollrun", "payroll.view_department_payslips",
                    "payroll.add_overcompletionbonus")
FINANCE_PERMS = ("org.access_all_clients", "payroll.view_target", "payroll.view_kpiactual", "payroll.view_payrollrun",
                 "payroll.add_payrollrun",
                 "payroll.approve_payrollrun", "payroll.lock_payrollrun", "payroll.view_all_payslips",
                 "payroll.add_payadjustment", "payroll.view_payadjustment")
MEMBER_PERMS = ("payroll.view_target",)


def at(day: int, hour: int = 10, month: date = MONTH) -> datetime:
    return datetime(month.year, month.month, day, hour, 0, tzinfo=SH)


def make_user(username: str, *perms: str):
    user = get_user_model().objects.create_user(username=username, password="x")
    for perm in perms:
        app, codename = perm.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app, codename=codename))
    return get_user_model().objects.get(pk=user.pk)


class World:
    """The department, its people and small writers of the month's data."""

    def __init__(self, org):
        self.org = org
        self.admin = org.admin
        self.ecom = Department.objects.get(code="ecom")
        self.promotion = Department.objects.get(code="ecom.promotion")
        self.cs_group = Department.objects.get(code="ecom.sales_cs")
        PayGroup.objects.create(department=self.promotion, kind=GroupKind.PROMOTION)
        PayGroup.objects.create(department=self.cs_group, kind=GroupKind.CUSTOMER_SERVICE)
        self.n = 0
        self.supervisor = self.person("sup", self.ecom, PayRole.SUPERVISOR, *SUPERVISOR_PERMS)
        self.promoters = [self.person(f"pro{i}", self.promotion, PayRole.MEMBER, *MEMBER_PERMS) for i in (1, 2)]
        self.cs = [self.person(f"cs{i}", self.cs_group, PayRole.MEMBER, *MEMBER_PERMS) for i in (1, 2, 3)]
        self.finance_user = make_user("finance", *FINANCE_PERMS)
        self.store = org.store_a1
        self.order_no = 0

    @property
    def everyone(self) -> list[Staff]:
        return [self.supervisor, *self.promoters, *self.cs]

    def person(self, username, department, role, *perms, hired_on=date(2024, 1, 1), left_on=None,
               base_salary=None) -> Staff:
        self.n += 1
        user = make_user(username, *perms)
        ClientGrant.objects.create(user=user, client=self.org.client_a)
        staff = Staff.objects.create(user=user, employee_no=f"P{self.n:03d}", name=username, department=department,
                                     hired_on=hired_on, left_on=left_on)
        PayProfile.objects.create(staff=staff, role=role, base_salary=base_salary)
        return staff

    def order(self, amount, *, day: int = 10, paid_day: int | None = None, paid_at=None, month: date = MONTH,
              state=OrderState.COMPLETED, store=None, paid=True) -> Order:
        self.order_no += 1
        placed = at(day, month=month)
        if paid_at is None and paid:
            paid_at = at(paid_day or day, 11, month=month)
        return Order.objects.create(store=store or self.store, platform_order_no=f"T{self.order_no:06d}",
                                    state=state, goods_amount=Decimal(amount), paid_amount=Decimal(amount),
                                    placed_at=placed, paid_at=paid_at)

    def refund(self, order, amount, *, day: int = 20, month: date = MONTH, source=RefundSource.AFTER_SALES) -> Refund:
        return Refund.objects.create(order=order, amount=Decimal(amount), source=source, reason="退货",
                                     refunded_at=at(day, month=month), recorded_by=self.admin)

    def sales_target(self, department, plan, month: date = MONTH):
        scope = TargetScope.GROUP if department.is_group else TargetScope.DEPARTMENT
        return actions.set_target(user=self.admin, month=month, scope=scope, metric=Metric.SALES, plan=plan,
                                  department=department, now=at(1, month=date(2026, 2, 1)))

    def all_sales_targets(self, plan, month: date = MONTH):
        for department in (self.ecom, self.promotion, self.cs_group):
            self.sales_target(department, plan, month)

    def plan(self, metric, plan, actual=None, *, staff=None, department=None, month: date = MONTH):
        if staff is not None:
            scope, subject = TargetScope.PERSON, {"staff": staff}
        else:
            scope = TargetScope.GROUP if department.is_group else TargetScope.DEPARTMENT
            subject = {"department": department}
        target = actions.set_target(user=self.admin, month=month, scope=scope, metric=metric, plan=plan,
                                    now=at(1, month=date(2026, 2, 1)), **subject)
        if actual is not None:
            actions.record_kpi(user=self.admin, month=month, scope=scope, metric=metric, value=actual,
                               evidence="推广后台月报截图", **subject)
        return target

    def full_attendance(self, staff, month: date = MONTH, bad: dict | None = None):
        """A record for every day of the month (weekends rest); ``bad`` maps a day to a kind."""
        bad = bad or {}
        day = month
        while day <= month_end(month):
            kind = bad.get(day.day) or (AttendanceKind.REST if day.weekday() >= 5 else AttendanceKind.PRESENT)
            extra = {"late_minutes": 5} if kind in (AttendanceKind.LATE, AttendanceKind.LATE_AND_EARLY) else {}
            if kind in (AttendanceKind.EARLY_LEAVE, AttendanceKind.LATE_AND_EARLY):
                extra["early_leave_minutes"] = 10
            Attendance.objects.create(staff=staff, date=day, kind=kind, **extra)
            day += timedelta(days=1)


@pytest.fixture
def world(org):
    return World(org)


def lines_of(result, staff, kind=None):
    slip = next(s for s in result.slips if s.staff.pk == staff.pk)
    return [line for line in slip.lines if kind is None or line.kind == kind]


def line(result, staff, kind):
    found = lines_of(result, staff, kind)
    assert len(found) == 1, found
    return found[0]


__all__ = ["MONTH", "at", "make_user", "line", "lines_of"]
