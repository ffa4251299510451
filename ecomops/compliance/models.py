"""The compliance lists (LAW-02, CAT-02): barred terms and the phrases a reviewer cleared.

Both are data the compliance owner maintains through ``compliance.actions``; nothing is deleted (a
term or phrase is switched off), and every change is in the audit history with who and when.
``key`` is the folded form (``folding.skeleton``): "NO.1", "No.1" and "ＮＯ．１" are one entry.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ecomops.core.history import audited
from ecomops.org.models import Client
from ecomops.org.scoping import ScopedQuerySet, scope_for

from .enums import SEVERITY_SHORT, PhraseKind, Severity, TermCategory, TermOrigin

TERM_MAX_LENGTH = 50
PHRASE_MAX_LENGTH = 80
KEY_MAX_LENGTH = 255


class BarredTerm(models.Model):
    """A term the Advertising Law bars in listings, posts and live scripts (LAW-02, art. 9(3))."""

    term = models.CharField(_("禁用词"), max_length=TERM_MAX_LENGTH)
    key = models.CharField(_("归一化形式"), max_length=KEY_MAX_LENGTH, unique=True, editable=False)
    category = models.CharField(_("类别"), max_length=20, choices=TermCategory.choices)
    reason = models.CharField(_("提示理由"), max_length=200, help_text=_("命中时向编辑和审核人显示的说明"))
    severity = models.CharField(_("严重程度"), max_length=10, choices=Severity.choices, default=Severity.HIGH)
    origin = models.CharField(_("来源"), max_length=10, choices=TermOrigin.choices, default=TermOrigin.MANUAL)
    is_active = models.BooleanField(_("启用"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("添加人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("添加时间"), auto_now_add=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("最后修改人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    # The checker's compiled list is keyed on the latest of these: every change must bump it.
    updated_at = models.DateTimeField(_("最后修改时间"), auto_now=True, db_index=True)
    history = audited()

    class Meta:
        verbose_name = _("禁用词")
        verbose_name_plural = _("禁用词")
        ordering = ["category", "term"]

    def __str__(self) -> str:
        return self.term

    @property
    def severity_short(self) -> str:
        return str(SEVERITY_SHORT.get(self.severity, self.severity))


class AllowedPhraseQuerySet(ScopedQuerySet):
    def visible_to(self, user) -> AllowedPhraseQuerySet:
        """The phrases for everybody, and those of the clients the user sees whole (DAT-02)."""
        scope = scope_for(user)
        if scope.all:
            return self
        return self.filter(Q(client__isnull=True) | Q(client__in=scope.client_ids))

    def for_client(self, client_id: int | None) -> AllowedPhraseQuerySet:
        """The phrases that apply to a text of ``client_id``: everybody's, and that client's own."""
        if client_id is None:
            return self.filter(client__isnull=True)
        return self.filter(Q(client__isnull=True) | Q(client_id=client_id))


class AllowedPhrase(models.Model):
    """A phrase a reviewer cleared (LAW-02 exemptions): a hit that lies wholly inside it is no hit.

    A registered trademark or product name containing a barred term, a grade defined by a standard,
    a usage tip ("最佳赏味期"), an ordinal that is no ranking ("第一次"). ``client`` empty: for every
    text; otherwise only for texts checked for that client (its trademarks are not another's).
    """

    phrase = models.CharField(_("允许词"), max_length=PHRASE_MAX_LENGTH)
    key = models.CharField(_("归一化形式"), max_length=KEY_MAX_LENGTH, editable=False)
    kind = models.CharField(_("类型"), max_length=20, choices=PhraseKind.choices, default=PhraseKind.CLEARED)
    client = models.ForeignKey(
        Client, verbose_name=_("适用委托方"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="allowed_phrases", help_text=_("留空表示适用于所有委托方"),
    )
    reference = models.CharField(
        _("依据"), max_length=100, blank=True, help_text=_("商标注册号、标准编号等")
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("放行人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("放行时间"), auto_now_add=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("最后修改人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("最后修改时间"), auto_now=True, db_index=True)
    history = audited()

    objects = AllowedPhraseQuerySet.as_manager()
    scope_client_field = "client"

    class Meta:
        verbose_name = _("允许词")
        verbose_name_plural = _("允许词")
        ordering = ["phrase"]
        constraints = [
            models.UniqueConstraint(
                fields=["key"], condition=Q(client__isnull=True), name="compliance_allowed_global_unique"
            ),
            models.UniqueConstraint(
                fields=["key", "client"], condition=Q(client__isnull=False), name="compliance_allowed_client_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.phrase
