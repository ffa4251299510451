"""Versioned policy parameters (POL-01, POL-02) and regulation versions with acknowledgements (ORG-06)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ecomops.audit.models import AppendOnlyQuerySet
from ecomops.core.history import audited

from .kinds import ParameterKind


class RegulationVersion(models.Model):
    """A revision of the company regulations: announced, acknowledged by every staff member (ORG-06)."""

    code = models.CharField(_("版本号"), max_length=30, unique=True)
    title = models.CharField(_("标题"), max_length=120)
    title_en = models.CharField(_("英文标题"), max_length=160, blank=True)
    announcement = models.TextField(_("公告内容"), max_length=20000)
    effective_from = models.DateField(_("生效日期"))
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发布人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    history = audited()

    class Meta:
        verbose_name = _("制度版本")
        verbose_name_plural = _("制度版本")
        ordering = ["-effective_from", "-pk"]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class Acknowledgement(models.Model):
    """A staff member's signed commitment (承诺书) to one regulation version (ORG-06)."""

    regulation = models.ForeignKey(
        RegulationVersion, verbose_name=_("制度版本"), on_delete=models.PROTECT, related_name="acknowledgements"
    )
    staff = models.ForeignKey(
        "org.Staff", verbose_name=_("员工"), on_delete=models.PROTECT, related_name="acknowledgements"
    )
    acknowledged_at = models.DateTimeField(_("签署时间"))
    ip_address = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    history = audited()

    class Meta:
        verbose_name = _("制度承诺书")
        verbose_name_plural = _("制度承诺书")
        constraints = [models.UniqueConstraint(fields=["regulation", "staff"], name="policy_ack_once")]

    def __str__(self) -> str:
        return f"{self.staff} · {self.regulation.code}"


class PolicyParameter(models.Model):
    """One rule number from the regulations, with its clause ID (POL-02). Values live in versions."""

    key = models.CharField(_("参数键"), max_length=80, unique=True)
    clause = models.CharField(_("条款"), max_length=12, db_index=True)
    group = models.CharField(_("条款组"), max_length=6, db_index=True)
    kind = models.CharField(_("类型"), max_length=16, choices=ParameterKind.choices)
    name = models.CharField(_("名称"), max_length=120)
    name_en = models.CharField(_("英文名称"), max_length=160)
    description = models.TextField(_("说明"), max_length=2000, blank=True)
    description_en = models.TextField(_("英文说明"), max_length=2000, blank=True)
    unit = models.CharField(_("单位"), max_length=20, blank=True)
    options = models.JSONField(_("类型选项"), default=dict, blank=True)
    owner = models.ForeignKey(
        "org.Department", verbose_name=_("负责部门"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="policy_parameters",
    )
    owner_code = models.CharField(_("负责部门编码"), max_length=40, blank=True)
    is_decision = models.BooleanField(_("原文未定、由我方决定"), default=False)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    history = audited()

    class Meta:
        verbose_name = _("政策参数")
        verbose_name_plural = _("政策参数")
        ordering = ["group", "sort_order", "key"]
        permissions = [("change_policy_value", _("可修改政策参数的取值"))]

    def __str__(self) -> str:
        return f"{self.clause} {self.name}"


class PolicyVersion(models.Model):
    """A value of a parameter in force from a date on. Never edited: a change is a new version."""

    parameter = models.ForeignKey(
        PolicyParameter, verbose_name=_("参数"), on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField(_("版本序号"))
    value = models.JSONField(_("取值"))
    effective_from = models.DateField(_("生效日期"))
    reason = models.CharField(_("变更原因"), max_length=500, blank=True)
    regulation = models.ForeignKey(
        RegulationVersion, verbose_name=_("所属制度版本"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="policy_versions",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("变更人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("变更时间"), auto_now_add=True)
    history = audited()

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("政策参数版本")
        verbose_name_plural = _("政策参数版本")
        ordering = ["parameter", "-effective_from", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["parameter", "number"], name="policy_version_number_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="policy_version_number_positive"),
        ]
        indexes = [models.Index(fields=["parameter", "effective_from", "number"], name="policy_version_lookup")]

    def __str__(self) -> str:
        return f"{self.parameter.key} v{self.number}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("A policy version is never edited; create a new version instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("A policy version is never deleted.")

    @property
    def label(self) -> str:
        """How a computed figure cites the version it used, e.g. ``PER-08 commission_rates v2``."""
        return f"{self.parameter.key} v{self.number}（{self.effective_from:%Y-%m-%d}）"
