"""Audit trail (DAT-02): sign-in events, personal-data reads, and the due-item list (DAT-04).

Changes to business data are recorded by django-simple-history on each model (who, when, where,
and a full copy of the row, bulk operations included); ``ecomops.audit.trail`` reads them all.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ecomops.core.history import HistoryContext
from ecomops.org.scoping import ScopedQuerySet, scope_for, scope_q


class AppendOnlyQuerySet(models.QuerySet):
    """Bulk updates and deletes are refused too, not only single saves."""

    def update(self, **kwargs):
        raise ValueError(f"{self.model.__name__} rows are append-only")

    def delete(self):
        raise ValueError(f"{self.model.__name__} rows are never deleted")


class AppendOnly(models.Model):
    """Rows that are written once and never changed or deleted through the product."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not getattr(self, "_allow_update", False):
            raise ValueError(f"{type(self).__name__} rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError(f"{type(self).__name__} rows are never deleted")


class AuthEventKind(models.TextChoices):
    LOGIN = "login", _("登录")
    LOGOUT = "logout", _("退出")
    FAILED = "failed", _("登录失败")
    THROTTLED = "throttled", _("登录被限制")
    PASSWORD_CHANGED = "password", _("修改密码")


class AuthEvent(AppendOnly):
    """A sign-in, sign-out or failed sign-in, with the address it came from. Never the password."""

    kind = models.CharField(_("类型"), max_length=10, choices=AuthEventKind.choices)
    username = models.CharField(_("用户名"), max_length=150, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="auth_events",
    )
    ip_address = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True, db_index=True)
    user_agent = models.CharField(_("浏览器"), max_length=300, blank=True)
    channel = models.CharField(_("渠道"), max_length=20, default="web")
    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("登录记录")
        verbose_name_plural = _("登录记录")
        ordering = ["-at", "-pk"]
        permissions = [("view_audit_trail", _("可查看审计日志"))]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.get_kind_display()} {self.username}"


class PersonalDataAccess(AppendOnly):
    """A read of unmasked personal data (phone, address, ID): who, when, which record (CRM-03, DAT-02)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("查看人"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    ip_address = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    content_type = models.ForeignKey(ContentType, verbose_name=_("数据类型"), on_delete=models.PROTECT)
    object_id = models.CharField(_("记录"), max_length=64)
    fields = models.CharField(_("字段"), max_length=200)
    purpose = models.CharField(_("用途"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("个人信息查看记录")
        verbose_name_plural = _("个人信息查看记录")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.user} {self.content_type.model}#{self.object_id}"


class DueItemQuerySet(ScopedQuerySet):
    def open(self):
        return self.filter(done_at__isnull=True, cancelled_at__isnull=True)

    def late(self, now=None):
        now = now or timezone.now()
        return self.filter(
            Q(done_at__isnull=True, cancelled_at__isnull=True, due_at__lt=now) | Q(done_at__gt=models.F("due_at"))
        )

    def of_user(self, user):
        """The user's own items that they may see (DAT-02): an item of a client or store outside their
        scope (raised before the scope changed, or wrongly) is not shown to them; the company's own items
        (no client, no store) always are."""
        mine = self.filter(owner=user)
        condition = scope_q(self.model, scope_for(user))
        if condition is None:
            return mine
        return mine.filter(condition | Q(client__isnull=True, store__isnull=True))


class DueItem(models.Model):
    """Something somebody must do by a deadline (DAT-04): what, whose, due when, done when, late?

    Every module raises these through ``ecomops.audit.dues``; the home page lists the user's own.
    """

    kind = models.CharField(_("事项类型"), max_length=60, db_index=True)
    title = models.CharField(_("事项"), max_length=200)
    clause = models.CharField(_("条款"), max_length=12, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("负责人"), on_delete=models.PROTECT, related_name="due_items"
    )
    client = models.ForeignKey(
        "org.Client", verbose_name=_("委托方"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    store = models.ForeignKey(
        "org.Store", verbose_name=_("店铺"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    due_at = models.DateTimeField(_("截止时间"), db_index=True)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("完成人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    link = models.CharField(_("办理链接"), max_length=300, blank=True)
    source_type = models.ForeignKey(
        ContentType, verbose_name=_("来源类型"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source_id = models.CharField(_("来源记录"), max_length=64, blank=True)
    source = GenericForeignKey("source_type", "source_id")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = DueItemQuerySet.as_manager()
    scope_store_field = "store"
    scope_client_field = "client"

    class Meta:
        verbose_name = _("待办事项")
        verbose_name_plural = _("待办事项")
        ordering = ["due_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "source_type", "source_id", "owner"], name="audit_dueitem_once_per_source"
            )
        ]
        indexes = [models.Index(fields=["owner", "done_at", "due_at"], name="audit_due_owner_open")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    @property
    def is_late(self) -> bool:
        if self.cancelled_at is not None:
            return False
        return (self.done_at or timezone.now()) > self.due_at


def _track_user_accounts() -> None:
    """User accounts (activation, superuser flag, groups = positions) are audited too; never the
    password hash or the last-login stamp (the sign-in log has those events)."""
    from django.contrib.auth import get_user_model
    from simple_history import register

    user_model = get_user_model()
    if not hasattr(user_model._meta, "simple_history_manager_attribute"):
        register(
            user_model,
            app="ecomops.audit",
            table_name="audit_historicaluser",
            excluded_fields=["password", "last_login"],
            m2m_fields=["groups"],
            bases=[HistoryContext],
            user_related_name="+",
        )


_track_user_accounts()
