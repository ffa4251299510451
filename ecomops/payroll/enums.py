"""Roles, target scopes and metrics, pay-line kinds and the pay-run states with their allowed steps
(PER-01…14). ``RUN_FLOW`` is the one place that says which state may follow which."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PayRole(models.TextChoices):
    """Who a pay profile is: the e-commerce supervisor or a member of a group (PER-01)."""

    SUPERVISOR = "supervisor", _("主管")
    MEMBER = "member", _("组员")


class GroupKind(models.TextChoices):
    """The kind of a group (an org department marked as a group); the keys are the PER-08 columns."""

    PROMOTION = "promotion", _("推广组")
    CUSTOMER_SERVICE = "customer_service", _("客服组")


SUPERVISOR_COLUMN = "supervisor"  # the PER-08 tier-table column of the supervisor


class TargetScope(models.TextChoices):
    DEPARTMENT = "department", _("部门")
    GROUP = "group", _("小组")
    PERSON = "person", _("个人")


class Metric(models.TextChoices):
    """PER-06 / PER-14: the sales amount (the commission base, computed from orders) and the plan
    metrics of the regulations, entered with evidence."""

    SALES = "sales", _("销售额")
    PROMOTION_VOLUME = "promotion_volume", _("推广量")
    RESPONSES = "responses", _("回复量")
    FRANCHISE_SIGNUPS = "franchise_signups", _("加盟签约")
    SERVICE_PLAN = "service_plan", _("客服计划")


PLAN_METRICS = tuple(m for m in Metric.values if m != Metric.SALES)


class RunState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    CHECKED = "checked", _("主管已复核")
    APPROVED = "approved", _("财务已审批")
    LOCKED = "locked", _("已锁定")


# PER-14: draft → checked by the supervisor → approved by finance → locked. A checked or approved run
# can be sent back to draft; nothing leaves "locked".
RUN_FLOW: dict[str, tuple[str, ...]] = {
    RunState.DRAFT: (RunState.CHECKED,),
    RunState.CHECKED: (RunState.APPROVED, RunState.DRAFT),
    RunState.APPROVED: (RunState.LOCKED, RunState.DRAFT),
    RunState.LOCKED: (),
}


class LineKind(models.TextChoices):
    BASE = "base", _("基本工资")
    PERFORMANCE = "performance", _("绩效工资")
    OVER_BONUS = "over_bonus", _("超额完成奖励")
    COMMISSION = "commission", _("提成")
    FORFEITURE = "forfeiture", _("提成没收")
    FINE = "fine", _("罚款")
    ATTENDANCE = "attendance", _("全勤奖")
    ADJUSTMENT = "adjustment", _("调整")


class RunEventKind(models.TextChoices):
    COMPUTED = "computed", _("计算草稿")
    RECOMPUTED = "recomputed", _("重新计算")
    CHECKED = "checked", _("主管复核")
    APPROVED = "approved", _("财务审批")
    RETURNED = "returned", _("退回草稿")
    LOCKED = "locked", _("锁定")
