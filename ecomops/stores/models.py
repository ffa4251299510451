"""Platform onboarding requirements (STO-01), store onboarding applications (STO-02), store profiles
and their change requests (STO-03, STO-05), and the qualification archive (STO-04)."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from ecomops.core.events import Event
from ecomops.core.history import audited
from ecomops.org.models import Client, Platform, Store, code_validator
from ecomops.org.scoping import ScopedQuerySet, is_client_member, scope_for

from . import files
from .enums import (
    ApplicationEventKind,
    ApplicationState,
    ChangeState,
    DocumentReview,
    HolderKind,
    QualificationKind,
    QualificationState,
)

# --- STO-01: what each platform's onboarding requires -----------------------------------------


class PlatformDocumentType(models.Model):
    """A document a platform's onboarding asks for. Data, not code: the compliance owner edits it."""

    platform = models.ForeignKey(
        Platform, verbose_name=_("平台"), on_delete=models.CASCADE, related_name="document_types"
    )
    code = models.CharField(_("编码"), max_length=40, validators=[code_validator])
    name = models.CharField(_("资料名称"), max_length=60)
    name_en = models.CharField(_("英文名称"), max_length=80, blank=True)
    description = models.CharField(_("说明"), max_length=300, blank=True)
    is_required = models.BooleanField(_("必须提供"), default=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)
    history = audited()

    class Meta:
        verbose_name = _("平台入驻资料类型")
        verbose_name_plural = _("平台入驻资料类型")
        ordering = ["platform__sort_order", "platform__code", "sort_order", "code"]
        constraints = [models.UniqueConstraint(fields=["platform", "code"], name="stores_doctype_unique_code")]

    def __str__(self) -> str:
        return f"{self.platform.name} · {self.name}"


# --- STO-02: the onboarding application --------------------------------------------------------


class StoreApplication(models.Model):
    """The onboarding application of one store: documents, internal review, then the platform agreement."""

    store = models.OneToOneField(
        Store, verbose_name=_("店铺"), on_delete=models.PROTECT, related_name="onboarding_application"
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=ApplicationState.choices, default=ApplicationState.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("审批人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_comment = models.TextField(_("审批意见"), max_length=1000, blank=True)
    agreement_signed_on = models.DateField(_("平台协议签署日期"), null=True, blank=True)
    activated_at = models.DateTimeField(_("开通时间"), null=True, blank=True)
    history = audited()

    objects = ScopedQuerySet.as_manager()
    scope_store_field = "store"
    scope_client_field = "store__client"

    class Meta:
        verbose_name = _("店铺入驻申请")
        verbose_name_plural = _("店铺入驻申请")
        ordering = ["-created_at", "-pk"]
        permissions = [
            ("review_storeapplication", _("可审核店铺入驻资料")),
            ("approve_storeapplication", _("可审批店铺入驻申请并登记平台协议")),
        ]

    def __str__(self) -> str:
        return _("%(store)s 入驻申请") % {"store": self.store.name}


class ApplicationDocument(models.Model):
    """One line of the checklist: a required (or optional) document, its file and its review."""

    application = models.ForeignKey(
        StoreApplication, verbose_name=_("入驻申请"), on_delete=models.CASCADE, related_name="documents"
    )
    document_type = models.ForeignKey(
        PlatformDocumentType, verbose_name=_("资料类型"), on_delete=models.PROTECT, related_name="+"
    )
    # A copy of the type's name and obligation when the checklist was made: later edits of the
    # platform's requirements do not change an application already under way.
    name = models.CharField(_("资料名称"), max_length=60)
    is_required = models.BooleanField(_("必须提供"), default=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    file = models.FileField(_("文件"), upload_to=files.application_document_path, blank=True, max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"), null=True, blank=True)
    review = models.CharField(_("审核结果"), max_length=10, choices=DocumentReview.choices,
                              default=DocumentReview.PENDING)
    is_complete = models.BooleanField(_("完整"), default=False)
    is_authentic = models.BooleanField(_("真实"), default=False)
    is_valid = models.BooleanField(_("有效"), default=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("审核人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    review_comment = models.CharField(_("审核意见"), max_length=500, blank=True)
    history = audited()

    objects = ScopedQuerySet.as_manager()
    scope_store_field = "application__store"
    scope_client_field = "application__store__client"

    class Meta:
        verbose_name = _("入驻资料")
        verbose_name_plural = _("入驻资料")
        ordering = ["application", "sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["application", "document_type"], name="stores_appdoc_once_per_type"),
            # STO-02: a document passes only when it is complete, true and valid.
            models.CheckConstraint(
                condition=~Q(review="accepted") | Q(is_complete=True, is_authentic=True, is_valid=True),
                name="stores_appdoc_accepted_means_all_checks",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def has_file(self) -> bool:
        return bool(self.file)


class ApplicationEvent(Event):
    """Every step of an application: who, when, from which status to which, and a note."""

    application = models.ForeignKey(
        StoreApplication, verbose_name=_("入驻申请"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("事件"), max_length=20, choices=ApplicationEventKind.choices)
    from_state = models.CharField(_("原状态"), max_length=20, choices=ApplicationState.choices, blank=True)
    to_state = models.CharField(_("新状态"), max_length=20, choices=ApplicationState.choices, blank=True)
    document = models.ForeignKey(
        ApplicationDocument, verbose_name=_("资料"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT,
                              related_name="+")
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    note = models.CharField(_("备注"), max_length=1000, blank=True)
    history = audited()

    objects = ScopedQuerySet.as_manager()
    scope_store_field = "application__store"
    scope_client_field = "application__store__client"

    class Meta:
        verbose_name = _("入驻申请记录")
        verbose_name_plural = _("入驻申请记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


# --- STO-03 / STO-05: the store profile and its change requests ---------------------------------

# The profile fields a change request may propose. ``name`` and ``main_category`` live on the store
# itself (org.Store); the others on StoreProfile.
STORE_FIELDS = ("name", "main_category")
PROFILE_FIELDS = ("introduction", "contact_name", "contact_phone", "contact_email")
PROPOSABLE_FIELDS = STORE_FIELDS + PROFILE_FIELDS
FIELD_LABELS = {
    "name": _("店铺名称"), "main_category": _("主营类目"), "introduction": _("店铺简介"),
    "contact_name": _("联系人"), "contact_phone": _("联系电话"), "contact_email": _("联系邮箱"),
}


class StoreProfile(models.Model):
    """STO-03: what the store shows of itself besides its name: introduction, logo and contacts."""

    store = models.OneToOneField(Store, verbose_name=_("店铺"), on_delete=models.PROTECT, related_name="profile")
    introduction = models.TextField(_("店铺简介"), max_length=2000, blank=True)
    logo = models.FileField(_("店铺标志"), upload_to=files.logo_path, blank=True, max_length=200)
    contact_name = models.CharField(_("联系人"), max_length=40, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    contact_email = models.CharField(_("联系邮箱"), max_length=254, blank=True)
    last_checked_on = models.DateField(_("最近资料检查日期"), null=True, blank=True)
    history = audited()

    objects = ScopedQuerySet.as_manager()
    scope_store_field = "store"
    scope_client_field = "store__client"

    class Meta:
        verbose_name = _("店铺资料")
        verbose_name_plural = _("店铺资料")

    def __str__(self) -> str:
        return self.store.name


class ProfileChangeRequest(models.Model):
    """STO-03: a proposed change of a store's profile; approval applies it and keeps what it replaced."""

    store = models.ForeignKey(
        Store, verbose_name=_("店铺"), on_delete=models.PROTECT, related_name="profile_change_requests"
    )
    status = models.CharField(_("状态"), max_length=10, choices=ChangeState.choices, default=ChangeState.PENDING)
    proposed = models.JSONField(_("拟变更内容"), default=dict)
    previous = models.JSONField(_("变更前内容"), default=dict, blank=True)
    logo = models.FileField(_("新店铺标志"), upload_to=files.logo_path, blank=True, max_length=200)
    reason = models.CharField(_("变更原因"), max_length=500, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("审批人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_comment = models.CharField(_("审批意见"), max_length=500, blank=True)
    history = audited()

    objects = ScopedQuerySet.as_manager()
    scope_store_field = "store"
    scope_client_field = "store__client"

    class Meta:
        verbose_name = _("店铺资料变更申请")
        verbose_name_plural = _("店铺资料变更申请")
        ordering = ["-requested_at", "-pk"]
        permissions = [("decide_profilechangerequest", _("可审批店铺资料变更"))]
        constraints = [
            models.UniqueConstraint(
                fields=["store"], condition=Q(status="pending"), name="stores_one_pending_change_per_store"
            )
        ]

    def __str__(self) -> str:
        return _("%(store)s 资料变更") % {"store": self.store.name}

    @property
    def proposes_logo(self) -> bool:
        return bool(self.logo)

    def rows(self) -> list[tuple[str, str | None, str]]:
        """(field label, value replaced — None while pending, proposed value) for display."""
        return [
            (str(FIELD_LABELS.get(name, name)), self.previous.get(name) if self.previous else None, value)
            for name, value in self.proposed.items()
        ]


# --- STO-04: the qualification archive -------------------------------------------------------


class QualificationQuerySet(ScopedQuerySet):
    def visible_to(self, user) -> QualificationQuerySet:
        """Scoped like every client record; the company's own certificates (no client, no store) are
        visible to the company's staff too, never to a client's own users."""
        scope = scope_for(user)
        if scope.all and not is_client_member(user):
            return self
        visible = super().visible_to(user)
        if is_client_member(user) or not getattr(user, "is_authenticated", False):
            return visible
        return self.filter(Q(pk__in=visible.values("pk")) | Q(client__isnull=True, store__isnull=True))

    def status_on(self, status: str, on: date, reminder_until: date) -> QualificationQuerySet:
        """The rows whose computed status on ``on`` is ``status`` (``reminder_until`` = on + reminder)."""
        current = self.filter(replaced_by__isnull=True)
        if status == QualificationState.SUPERSEDED:
            return self.filter(replaced_by__isnull=False)
        if status == QualificationState.NOT_YET_VALID:
            return current.filter(valid_from__gt=on)
        started = current.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=on))
        if status == QualificationState.EXPIRED:
            return started.filter(valid_to__lt=on)
        if status == QualificationState.EXPIRING:
            return started.filter(valid_to__gte=on, valid_to__lte=reminder_until)
        if status == QualificationState.VALID:
            return started.filter(Q(valid_to__isnull=True) | Q(valid_to__gt=reminder_until))
        return self.none()

    def in_force_on(self, on: date) -> QualificationQuerySet:
        """Valid on that day (expiring ones included): started, not ended, not replaced."""
        return self.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=on),
            Q(valid_to__isnull=True) | Q(valid_to__gte=on),
            replaced_by__isnull=True,
        )


class Qualification(models.Model):
    """STO-04: a certificate or licence on file, with its validity and scanned copy.

    The holder is the company, a client, a store, or a brand or supplier named by text (linked to
    a client or store when it belongs to one). Renewal files a new record that ``replaces`` the old.
    """

    holder_kind = models.CharField(_("持有方类型"), max_length=10, choices=HolderKind.choices)
    holder_name = models.CharField(_("持有方名称"), max_length=100, blank=True,
                                   help_text=_("品牌或供应商的名称；本公司、委托方、店铺自动取名称"))
    client = models.ForeignKey(
        Client, verbose_name=_("委托方"), null=True, blank=True, on_delete=models.PROTECT, related_name="qualifications"
    )
    store = models.ForeignKey(
        Store, verbose_name=_("店铺"), null=True, blank=True, on_delete=models.PROTECT, related_name="qualifications"
    )
    kind = models.CharField(_("资质类型"), max_length=30, choices=QualificationKind.choices)
    title = models.CharField(_("证照名称"), max_length=100, blank=True)
    number = models.CharField(_("证照编号"), max_length=60)
    issuer = models.CharField(_("发证机关"), max_length=100, blank=True)
    scope = models.TextField(_("许可范围"), max_length=2000, blank=True)
    valid_from = models.DateField(_("有效期起"), null=True, blank=True)
    valid_to = models.DateField(_("有效期至"), null=True, blank=True, help_text=_("留空表示长期有效"))
    file = models.FileField(_("扫描件"), upload_to=files.qualification_path, blank=True, max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=200, blank=True)
    special_goods = models.JSONField(_("涉及特殊商品"), default=list, blank=True)
    replaces = models.OneToOneField(
        "self", verbose_name=_("替换的旧证"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="replaced_by",
    )
    note = models.CharField(_("备注"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("录入人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    history = audited()

    objects = QualificationQuerySet.as_manager()
    scope_client_field = "client"
    scope_store_field = "store"

    class Meta:
        verbose_name = _("资质证照")
        verbose_name_plural = _("资质证照")
        ordering = ["valid_to", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_from__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="stores_qualification_dates_ordered",
            ),
            models.CheckConstraint(
                condition=~Q(holder_kind="store") | Q(store__isnull=False), name="stores_qualification_store_holder"
            ),
            models.CheckConstraint(
                condition=~Q(holder_kind="client") | Q(client__isnull=False, store__isnull=True),
                name="stores_qualification_client_holder",
            ),
            models.CheckConstraint(
                condition=~Q(holder_kind="company") | Q(client__isnull=True, store__isnull=True),
                name="stores_qualification_company_holder",
            ),
        ]
        indexes = [models.Index(fields=["kind", "valid_to"], name="stores_qual_kind_valid_to")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"

    @property
    def special_goods_labels(self) -> list[str]:
        """The special goods this licence covers, by their names (化妆品), not their codes."""
        from ecomops.catalog.enums import SpecialGoods

        labels = dict(SpecialGoods.choices)
        return [str(labels.get(code, code)) for code in self.special_goods or []]

    @property
    def holder_display(self) -> str:
        if self.holder_kind == HolderKind.STORE and self.store_id:
            return self.store.name
        if self.holder_kind == HolderKind.CLIENT and self.client_id:
            return self.client.name
        if self.holder_kind == HolderKind.COMPANY and not self.holder_name:
            from ecomops.org.models import Company

            company = Company.objects.order_by("pk").first()
            return company.name if company else str(HolderKind.COMPANY.label)
        return self.holder_name

    @property
    def display_title(self) -> str:
        return self.title or str(self.get_kind_display())

    def status_on(self, on: date, reminder_until: date) -> str:
        if getattr(self, "replaced_by", None) is not None:
            return QualificationState.SUPERSEDED
        if self.valid_from and self.valid_from > on:
            return QualificationState.NOT_YET_VALID
        if self.valid_to is None:
            return QualificationState.VALID
        if self.valid_to < on:
            return QualificationState.EXPIRED
        if self.valid_to <= reminder_until:
            return QualificationState.EXPIRING
        return QualificationState.VALID
