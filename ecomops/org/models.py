"""Organisation (ORG-01…05), clients and stores (AGY-07), and who may see which of them (DAT-02)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from ecomops.core.history import audited
from ecomops.core.tree import TreeNode

from .enums import (
    AttendanceKind,
    CalendarSource,
    ClientState,
    CompanyKind,
    LeaveState,
    PlatformRegion,
    StaffState,
    StoreState,
)
from .scoping import ScopedQuerySet

code_validator = RegexValidator(r"^[A-Za-z0-9_.\-]+$", _("编码只能包含字母、数字、下划线、点和连字符"))


class Company(models.Model):
    """The company running this installation: an agency (代运营) or a seller."""

    name = models.CharField(_("公司名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=100, blank=True)
    kind = models.CharField(_("类型"), max_length=20, choices=CompanyKind.choices, default=CompanyKind.AGENCY)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    history = audited()

    class Meta:
        verbose_name = _("公司")
        verbose_name_plural = _("公司")

    def __str__(self) -> str:
        return self.name


class Department(TreeNode, models.Model):
    """ORG-01: departments and groups form a tree; they are data, not code."""

    code = models.CharField(_("编码"), max_length=40, unique=True, validators=[code_validator])
    name = models.CharField(_("名称"), max_length=60)
    name_en = models.CharField(_("英文名称"), max_length=80, blank=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级部门"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    is_group = models.BooleanField(_("是小组"), default=False, help_text=_("部门下的小组，如推广组、销售客服组"))
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)
    history = audited()

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name

    def descendant_ids(self) -> set[int]:
        """This department and every department below it."""
        ids, frontier = {self.pk}, [self.pk]
        while frontier:
            frontier = list(
                Department.objects.filter(parent_id__in=frontier).exclude(pk__in=ids).values_list("pk", flat=True)
            )
            ids.update(frontier)
        return ids


class Position(models.Model):
    """ORG-02: a position (岗位) and its duties. Its Django group carries the permissions."""

    code = models.CharField(_("编码"), max_length=40, unique=True, validators=[code_validator])
    name = models.CharField(_("名称"), max_length=60)
    name_en = models.CharField(_("英文名称"), max_length=80, blank=True)
    duties = models.TextField(_("岗位职责"), blank=True)
    department_hint = models.CharField(_("所属部门编码"), max_length=40, blank=True)
    group = models.OneToOneField(Group, verbose_name=_("权限组"), on_delete=models.PROTECT, related_name="position")
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    history = audited()

    class Meta:
        verbose_name = _("岗位")
        verbose_name_plural = _("岗位")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class JobLevel(models.Model):
    """ORG-05: a job level (职级) with its base-salary band, in CNY to the fen."""

    ladder = models.CharField(_("职级序列"), max_length=40, default="general", validators=[code_validator])
    code = models.CharField(_("编码"), max_length=20, validators=[code_validator])
    name = models.CharField(_("名称"), max_length=40)
    name_en = models.CharField(_("英文名称"), max_length=60, blank=True)
    rank = models.PositiveSmallIntegerField(_("级别序号"))
    salary_min = models.DecimalField(
        _("底薪下限（元）"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    salary_max = models.DecimalField(
        _("底薪上限（元）"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    review_months = models.PositiveSmallIntegerField(_("评审周期（月）"), default=12)
    history = audited()

    class Meta:
        verbose_name = _("职级")
        verbose_name_plural = _("职级")
        ordering = ["ladder", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["ladder", "code"], name="org_joblevel_unique_code"),
            models.UniqueConstraint(fields=["ladder", "rank"], name="org_joblevel_unique_rank"),
            models.CheckConstraint(condition=Q(salary_min__gte=0), name="org_joblevel_min_nonneg"),
            models.CheckConstraint(condition=Q(salary_max__gte=F("salary_min")), name="org_joblevel_band_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class Staff(models.Model):
    """An employee, linked to the user account they log in with."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("登录账号"), on_delete=models.PROTECT, related_name="staff"
    )
    employee_no = models.CharField(_("工号"), max_length=20, unique=True, validators=[code_validator])
    name = models.CharField(_("姓名"), max_length=40)
    department = models.ForeignKey(Department, verbose_name=_("部门"), on_delete=models.PROTECT, related_name="staff")
    job_level = models.ForeignKey(
        JobLevel, verbose_name=_("职级"), null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )
    positions = models.ManyToManyField(
        Position, verbose_name=_("岗位"), through="StaffPosition", related_name="staff", blank=True
    )
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    hired_on = models.DateField(_("入职日期"))
    left_on = models.DateField(_("离职日期"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=StaffState.choices, default=StaffState.ACTIVE)
    history = audited()

    class Meta:
        verbose_name = _("员工")
        verbose_name_plural = _("员工")
        ordering = ["employee_no"]
        permissions = [("view_staff_personal", _("可查看员工个人信息（手机号）"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("hired_on")), name="org_staff_left_after_hired"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.employee_no}）"


class PasswordState(models.Model):
    """A login account's password duty (DAT-02): an administrator may require a new password before
    anything else is done; the flag clears when the owner changes their password."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("登录账号"), on_delete=models.CASCADE, related_name="password_state"
    )
    must_change = models.BooleanField(_("下次登录须修改密码"), default=False)
    required_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("要求人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    required_at = models.DateTimeField(_("要求时间"), null=True, blank=True)
    changed_at = models.DateTimeField(_("最近修改密码"), null=True, blank=True)
    history = audited()

    class Meta:
        verbose_name = _("密码状态")
        verbose_name_plural = _("密码状态")

    def __str__(self) -> str:
        return f"{self.user} · {self.must_change}"


class StaffPosition(models.Model):
    """A position held by a staff member; a person may hold several (ORG-02)."""

    staff = models.ForeignKey(Staff, verbose_name=_("员工"), on_delete=models.CASCADE, related_name="position_links")
    position = models.ForeignKey(Position, verbose_name=_("岗位"), on_delete=models.PROTECT, related_name="holders")
    is_primary = models.BooleanField(_("主岗"), default=False)
    since = models.DateField(_("任职起始"), null=True, blank=True)
    history = audited()

    class Meta:
        verbose_name = _("员工岗位")
        verbose_name_plural = _("员工岗位")
        constraints = [models.UniqueConstraint(fields=["staff", "position"], name="org_staffposition_unique")]

    def __str__(self) -> str:
        return f"{self.staff.name} · {self.position.name}"


class Attendance(models.Model):
    """ORG-04: one staff member's attendance on one day."""

    staff = models.ForeignKey(Staff, verbose_name=_("员工"), on_delete=models.PROTECT, related_name="attendance")
    date = models.DateField(_("日期"))
    kind = models.CharField(_("出勤类型"), max_length=20, choices=AttendanceKind.choices)
    clock_in = models.TimeField(_("上班打卡"), null=True, blank=True)
    clock_out = models.TimeField(_("下班打卡"), null=True, blank=True)
    late_minutes = models.PositiveIntegerField(_("迟到分钟"), default=0)
    early_leave_minutes = models.PositiveIntegerField(_("早退分钟"), default=0)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    history = audited()

    class Meta:
        verbose_name = _("考勤记录")
        verbose_name_plural = _("考勤记录")
        ordering = ["-date", "staff"]
        constraints = [models.UniqueConstraint(fields=["staff", "date"], name="org_attendance_one_per_day")]

    def __str__(self) -> str:
        return f"{self.staff.name} {self.date} {self.get_kind_display()}"


class CalendarDay(models.Model):
    """ORG-04 / PER-13: a day of the working-day calendar that differs from the plain weekday rule
    (Monday to Friday work, Saturday and Sunday rest): a statutory holiday (国庆节), a make-up working
    day (国庆节调休上班), or a company's own change. Days without a row follow the weekday rule; see
    ``ecomops.org.calendar``."""

    date = models.DateField(_("日期"), unique=True)
    is_working = models.BooleanField(_("工作日"), help_text=_("勾选为上班，不勾选为休息"))
    name = models.CharField(_("名称"), max_length=40, blank=True, help_text=_("如 国庆节、国庆节调休上班"))
    source = models.CharField(_("来源"), max_length=10, choices=CalendarSource.choices,
                              default=CalendarSource.MANUAL)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    history = audited()

    class Meta:
        verbose_name = _("工作日历")
        verbose_name_plural = _("工作日历")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name or (_('上班') if self.is_working else _('休息'))}"


class LeaveRequest(models.Model):
    """ORG-04: a written leave request; sick leave needs a hospital certificate."""

    staff = models.ForeignKey(Staff, verbose_name=_("员工"), on_delete=models.PROTECT, related_name="leave_requests")
    kind = models.CharField(
        _("类型"),
        max_length=20,
        choices=[(AttendanceKind.LEAVE, _("事假")), (AttendanceKind.SICK_LEAVE, _("病假"))],
    )
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"))
    reason = models.TextField(_("事由"), max_length=1000)
    certificate = models.FileField(_("医院证明"), upload_to="leave/%Y/%m/", blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=LeaveState.choices, default=LeaveState.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("审批人"), null=True, blank=True, on_delete=models.PROTECT
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    history = audited()

    class Meta:
        verbose_name = _("请假申请")
        verbose_name_plural = _("请假申请")
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="org_leave_dates_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.staff.name} {self.get_kind_display()} {self.start_date}–{self.end_date}"


class Platform(models.Model):
    """STO-01: a sales platform. The catalogue issue adds its onboarding requirements."""

    code = models.CharField(_("编码"), max_length=30, unique=True, validators=[code_validator])
    name = models.CharField(_("名称"), max_length=40)
    name_en = models.CharField(_("英文名称"), max_length=60, blank=True)
    region = models.CharField(_("区域"), max_length=20, choices=PlatformRegion.choices)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)
    history = audited()

    class Meta:
        verbose_name = _("平台")
        verbose_name_plural = _("平台")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class Client(models.Model):
    """A client (委托方): a brand owner the agency operates for. A seller company is its own single client."""

    code = models.CharField(_("编码"), max_length=30, unique=True, validators=[code_validator])
    name = models.CharField(_("名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=100, blank=True)
    is_self = models.BooleanField(_("本公司自营"), default=False)
    contact_name = models.CharField(_("联系人"), max_length=40, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=ClientState.choices, default=ClientState.ACTIVE)
    contract_start = models.DateField(_("合同开始"), null=True, blank=True)
    contract_end = models.DateField(_("合同结束"), null=True, blank=True)
    history = audited()

    objects = ScopedQuerySet.as_manager()
    scope_client_field = "pk"

    class Meta:
        verbose_name = _("委托方")
        verbose_name_plural = _("委托方")
        ordering = ["code"]
        permissions = [("access_all_clients", _("可查看全部委托方与店铺"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(contract_end__isnull=True)
                | Q(contract_start__isnull=True)
                | Q(contract_end__gte=F("contract_start")),
                name="org_client_contract_ordered",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Store(models.Model):
    """A store (店铺): belongs to one client and one platform; every business record hangs off one."""

    code = models.CharField(_("编码"), max_length=30, unique=True, validators=[code_validator])
    name = models.CharField(_("店铺名称"), max_length=100)
    client = models.ForeignKey(Client, verbose_name=_("委托方"), on_delete=models.PROTECT, related_name="stores")
    platform = models.ForeignKey(Platform, verbose_name=_("平台"), on_delete=models.PROTECT, related_name="stores")
    platform_shop_id = models.CharField(_("平台店铺ID"), max_length=64, blank=True)
    main_category = models.CharField(_("主营类目"), max_length=60, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=StoreState.choices, default=StoreState.ONBOARDING)
    opened_on = models.DateField(_("开店日期"), null=True, blank=True)
    history = audited()

    objects = ScopedQuerySet.as_manager()
    scope_client_field = "client"
    scope_store_field = "pk"

    class Meta:
        verbose_name = _("店铺")
        verbose_name_plural = _("店铺")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class ClientMember(models.Model):
    """A client's own staff member who logs in: they see their client and nothing else (AGY-07)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("登录账号"), on_delete=models.CASCADE, related_name="client_member"
    )
    client = models.ForeignKey(Client, verbose_name=_("委托方"), on_delete=models.PROTECT, related_name="members")
    title = models.CharField(_("职务"), max_length=40, blank=True)
    history = audited()

    class Meta:
        verbose_name = _("委托方用户")
        verbose_name_plural = _("委托方用户")

    def __str__(self) -> str:
        return f"{self.client.name} · {self.user.get_username()}"


class ClientGrant(models.Model):
    """A user may see and work on everything of this client (DAT-02)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="client_grants"
    )
    client = models.ForeignKey(Client, verbose_name=_("委托方"), on_delete=models.CASCADE, related_name="grants")
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("授权人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    granted_at = models.DateTimeField(_("授权时间"), auto_now_add=True)
    history = audited()

    class Meta:
        verbose_name = _("委托方授权")
        verbose_name_plural = _("委托方授权")
        constraints = [models.UniqueConstraint(fields=["user", "client"], name="org_clientgrant_unique")]

    def __str__(self) -> str:
        return f"{self.user} → {self.client}"


class StoreGrant(models.Model):
    """A user may see and work on this store only (DAT-02)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="store_grants"
    )
    store = models.ForeignKey(Store, verbose_name=_("店铺"), on_delete=models.CASCADE, related_name="grants")
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("授权人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    granted_at = models.DateTimeField(_("授权时间"), auto_now_add=True)
    history = audited()

    class Meta:
        verbose_name = _("店铺授权")
        verbose_name_plural = _("店铺授权")
        constraints = [models.UniqueConstraint(fields=["user", "store"], name="org_storegrant_unique")]

    def __str__(self) -> str:
        return f"{self.user} → {self.store}"
