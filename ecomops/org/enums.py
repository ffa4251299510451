from django.db import models
from django.utils.translation import gettext_lazy as _


class CompanyKind(models.TextChoices):
    AGENCY = "agency", _("代运营公司")
    SELLER = "seller", _("自营商家")


class PlatformRegion(models.TextChoices):
    DOMESTIC = "domestic", _("国内")
    CROSS_BORDER = "cross_border", _("跨境")


class ClientState(models.TextChoices):
    PROSPECT = "prospect", _("洽谈中")
    ACTIVE = "active", _("合作中")
    ENDED = "ended", _("已终止")


class StoreState(models.TextChoices):
    ONBOARDING = "onboarding", _("入驻中")
    ACTIVE = "active", _("运营中")
    SUSPENDED = "suspended", _("已暂停")
    CLOSED = "closed", _("已关闭")


class StaffState(models.TextChoices):
    ACTIVE = "active", _("在职")
    LEFT = "left", _("离职")


# ORG-03: a person leaves once; a new hire is a new record.
STAFF_FLOW: dict[str, tuple[str, ...]] = {StaffState.ACTIVE: (StaffState.LEFT,), StaffState.LEFT: ()}


class AttendanceKind(models.TextChoices):
    # ORG-04
    PRESENT = "present", _("正常出勤")
    LATE = "late", _("迟到")
    EARLY_LEAVE = "early_leave", _("早退")
    LATE_AND_EARLY = "late_and_early", _("迟到且早退")
    LEAVE = "leave", _("请假")
    SICK_LEAVE = "sick_leave", _("病假")
    ABSENT = "absent", _("旷工")
    REST = "rest", _("休息日")


class CalendarSource(models.TextChoices):
    # ORG-04 / PER-13: where a day of the working-day calendar comes from
    STATUTORY = "statutory", _("法定节假日安排")
    MANUAL = "manual", _("手工维护")


class LeaveState(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("已驳回")


# ORG-04: a leave request is decided once.
LEAVE_FLOW: dict[str, tuple[str, ...]] = {
    LeaveState.PENDING: (LeaveState.APPROVED, LeaveState.REJECTED),
    LeaveState.APPROVED: (),
    LeaveState.REJECTED: (),
}

