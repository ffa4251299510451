"""Periodic jobs as data (issue 17): each registered job (``registry.register_job``) has a row here with
its schedule, owner and on/off switch, which the administrators may change; every slot the scheduler
(or a person's "run now") starts is a ``JobRun``, unique per job and slot — the constraint that keeps
two schedulers from running one slot twice."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ecomops.core.history import audited


class ScheduleKind(models.TextChoices):
    CRON = "cron", _("定时表达式")
    TIMES = "times", _("按政策时刻")


class RunState(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("运行中")
    SUCCEEDED = "succeeded", _("成功")
    FAILED = "failed", _("失败")
    SKIPPED = "skipped", _("已跳过")


class Trigger(models.TextChoices):
    SCHEDULER = "scheduler", _("定时")
    MANUAL = "manual", _("手动")


ACTIVE_STATES = (RunState.QUEUED, RunState.RUNNING)


class Job(models.Model):
    code = models.CharField(_("任务代码"), max_length=60, unique=True)
    name = models.CharField(_("任务名称"), max_length=100)
    clause = models.CharField(_("条款"), max_length=30, blank=True)
    description = models.TextField(_("说明"), blank=True)
    kind = models.CharField(_("计划方式"), max_length=10, choices=ScheduleKind.choices, default=ScheduleKind.CRON)
    cron = models.CharField(_("定时表达式"), max_length=100, blank=True,
                            help_text=_("五段式：分 时 日 月 周，按北京时间"))
    times_source = models.CharField(_("时刻来源"), max_length=200, blank=True)
    default_cron = models.CharField(_("默认定时表达式"), max_length=100, blank=True)
    enabled = models.BooleanField(_("启用"), default=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("负责人"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+",
                              help_text=_("失败时接收待办；为空时为全部超级管理员"))
    last_slot_at = models.DateTimeField(_("最近计划时段"), null=True, blank=True)
    last_run_at = models.DateTimeField(_("上次运行"), null=True, blank=True)
    last_outcome = models.CharField(_("上次结果"), max_length=10, choices=RunState.choices, blank=True)
    next_run_at = models.DateTimeField(_("下次运行"), null=True, blank=True)
    history = audited()

    class Meta:
        verbose_name = _("定时任务")
        verbose_name_plural = _("定时任务")
        ordering = ["code"]
        permissions = [("run_job", _("可立即运行定时任务"))]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class JobRun(models.Model):
    job = models.ForeignKey(Job, verbose_name=_("定时任务"), on_delete=models.CASCADE, related_name="runs")
    slot = models.DateTimeField(_("计划时段"))
    trigger = models.CharField(_("触发方式"), max_length=10, choices=Trigger.choices, default=Trigger.SCHEDULER)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发起人"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    state = models.CharField(_("状态"), max_length=10, choices=RunState.choices, default=RunState.QUEUED,
                             db_index=True)
    enqueued_at = models.DateTimeField(_("入队时间"), null=True, blank=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    summary = models.CharField(_("结果摘要"), max_length=500, blank=True)
    log = models.TextField(_("日志"), blank=True)

    class Meta:
        verbose_name = _("任务运行记录")
        verbose_name_plural = _("任务运行记录")
        ordering = ["-slot", "-pk"]
        constraints = [models.UniqueConstraint(fields=["job", "slot"], name="scheduling_run_once_per_slot")]

    def __str__(self) -> str:
        return f"{self.job.code} {self.slot:%Y-%m-%d %H:%M}"
