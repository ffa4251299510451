"""Personal API tokens: how scripts and integrations call /api/v1/ as a user (DAT-02).

Only a SHA-256 digest of a token is stored. The plain token is shown once, when it is created; a
lost token is revoked and replaced, never recovered. Issuing, checking and revoking live in
``ecomops.apiutil.tokens``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ecomops.core.history import audited


class APIToken(models.Model):
    """A personal API token (个人 API 令牌) of one user; it acts with that user's permissions and scope."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("名称"), max_length=60, help_text=_("用途说明，如“ERP 同步脚本”"))
    prefix = models.CharField(
        _("令牌前缀"), max_length=16, db_index=True, help_text=_("令牌开头几位，用于辨认；不足以使用令牌")
    )
    digest = models.CharField(_("令牌摘要（SHA-256）"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    expires_at = models.DateTimeField(_("过期时间"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    # Issuing and revoking show in the audit trail; the digest and each use do not.
    history = audited(excluded_fields=["digest", "last_used_at"])

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name}（{self.prefix}…）"

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)

    @property
    def state(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= timezone.now():
            return "expired"
        return "active"


# The document number series lives in core.documents with the document base; registered here.
from .documents import DocumentCounter  # noqa: E402, F401
