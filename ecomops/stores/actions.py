"""Every change to onboarding requirements, applications, store profiles and qualifications.

Views, the API and the CLI call these functions only. Each checks the permission and the user's
client/store scope (DAT-02), refuses out-of-order steps with a BusinessError (STO-02), runs in one
transaction and leaves the audit history behind it; the application steps also write an event row.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ecomops.audit import dues
from ecomops.core.errors import BusinessError, NotAllowed
from ecomops.core.flow import allowed, transition
from ecomops.core.history import save_audited
from ecomops.core.validate import save_checked
from ecomops.org import actions as org_actions
from ecomops.org.actions import require_perm
from ecomops.org.enums import StoreState
from ecomops.org.models import Platform, Store
from ecomops.org.scoping import is_client_member, scope_for

from . import events, files
from .enums import (
    APPLICATION_FLOW,
    CHANGE_FLOW,
    EDITABLE_STATUSES,
    LICENCE_FOR,
    ApplicationEventKind,
    ApplicationState,
    ChangeState,
    DocumentReview,
    HolderKind,
    QualificationKind,
    QualificationState,
    SpecialGoods,
)
from .models import (
    PROFILE_FIELDS,
    PROPOSABLE_FIELDS,
    STORE_FIELDS,
    ApplicationDocument,
    PlatformDocumentType,
    ProfileChangeRequest,
    Qualification,
    StoreApplication,
    StoreProfile,
)

RENEWAL_DUE_KIND = "stores.qualification_renewal"


# --- helpers ---------------------------------------------------------------------------------


def _require_internal(user) -> None:
    if is_client_member(user):
        raise NotAllowed(_("委托方用户不能办理此操作"))


def _require_store(user, store: Store) -> None:
    if not scope_for(user).sees_store(store.pk):
        raise BusinessError(_("店铺不存在"), field="store", code="not_found")


def _clean(instance, *, exclude: tuple[str, ...] = ()) -> None:
    try:
        instance.full_clean(exclude=list(exclude), validate_unique=False)
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        if field == "__all__":
            raise BusinessError(messages[0]) from None
        label = str(instance._meta.get_field(field).verbose_name)
        raise BusinessError(f"{label}：{messages[0]}", field=field) from None


# --- STO-01: platform document types ---------------------------------------------------------

DOCUMENT_TYPE_FIELDS = ("code", "name", "name_en", "description", "is_required", "sort_order", "is_active")


@transaction.atomic
def create_document_type(*, user, platform: Platform, **fields) -> PlatformDocumentType:
    require_perm(user, "stores.add_platformdocumenttype")
    _require_internal(user)
    unknown = set(fields) - set(DOCUMENT_TYPE_FIELDS)
    if unknown:
        raise BusinessError(_("字段 %(name)s 不能设置") % {"name": sorted(unknown)[0]}, field=sorted(unknown)[0])
    if PlatformDocumentType.objects.filter(platform=platform, code=fields.get("code", "")).exists():
        raise BusinessError(_("该平台已有编码为 %(code)s 的资料类型") % {"code": fields.get("code")}, field="code")
    document_type = PlatformDocumentType(platform=platform, **fields)
    _clean(document_type)
    save_checked(document_type, user=user)
    return document_type


@transaction.atomic
def update_document_type(document_type: PlatformDocumentType, *, user, **changes) -> PlatformDocumentType:
    require_perm(user, "stores.change_platformdocumenttype")
    _require_internal(user)
    document_type = PlatformDocumentType.objects.select_for_update().get(pk=document_type.pk)
    for name, value in changes.items():
        if name not in DOCUMENT_TYPE_FIELDS:
            raise BusinessError(_("字段 %(name)s 不能修改") % {"name": name}, field=name)
        setattr(document_type, name, value)
    if PlatformDocumentType.objects.filter(platform=document_type.platform_id, code=document_type.code).exclude(
        pk=document_type.pk
    ).exists():
        raise BusinessError(_("该平台已有编码为 %(code)s 的资料类型") % {"code": document_type.code}, field="code")
    _clean(document_type)
    save_checked(document_type, user=user)
    return document_type


# --- STO-02: the onboarding application ------------------------------------------------------


def _locked(application: StoreApplication) -> StoreApplication:
    return StoreApplication.objects.select_for_update().select_related("store", "store__platform").get(
        pk=application.pk
    )


def _check_step(application: StoreApplication, to: str) -> None:
    if not allowed(APPLICATION_FLOW, application.status, to):
        raise BusinessError(
            _("入驻申请当前为“%(current)s”，不能变为“%(target)s”")
            % {"current": application.get_status_display(), "target": ApplicationState(to).label},
            field="status",
            code="wrong_state",
        )


def _move(application: StoreApplication, to: str, *, user, kind: str, note: str = "") -> None:
    """``core.flow.transition`` on APPLICATION_FLOW: check, set, save with the event's name as the history
    reason (a broken constraint is a 409, as in ``save_checked``), write the event."""
    transition(application, to, flow=APPLICATION_FLOW, field="status", user=user,
               reason=str(ApplicationEventKind(kind).label), check=_check_step, event=events.application_moved,
               event_kwargs={"kind": kind, "note": note})


def _application_access(user, application: StoreApplication, perm: str) -> None:
    require_perm(user, perm)
    _require_internal(user)
    _require_store(user, application.store)


@transaction.atomic
def create_application(*, user, store: Store, note: str = "") -> StoreApplication:
    """STO-02: open the application of a store in onboarding; its checklist comes from the platform."""
    require_perm(user, "stores.add_storeapplication")
    _require_internal(user)
    _require_store(user, store)
    store = Store.objects.select_for_update().select_related("platform").get(pk=store.pk)
    if store.status != StoreState.ONBOARDING:
        raise BusinessError(
            _("只有“入驻中”的店铺可以提交入驻申请，该店铺当前为“%(status)s”") % {"status": store.get_status_display()},
            field="store",
        )
    if StoreApplication.objects.filter(store=store).exists():
        raise BusinessError(_("该店铺已有入驻申请"), field="store", code="conflict")
    types = list(
        PlatformDocumentType.objects.filter(platform=store.platform, is_active=True).order_by("sort_order", "code")
    )
    if not any(t.is_required for t in types):
        raise BusinessError(
            _("平台“%(platform)s”还没有设置入驻所需资料，请先维护平台入驻资料类型") % {"platform": store.platform.name},
            field="store",
        )
    application = StoreApplication(store=store, created_by=user)
    save_checked(application, user=user)
    for order, document_type in enumerate(types, start=1):
        document = ApplicationDocument(
            application=application, document_type=document_type, name=document_type.name,
            is_required=document_type.is_required, sort_order=order,
        )
        save_audited(document, user=user)
    events.application_created(application, user=user, note=note)
    return application


@transaction.atomic
def upload_document(document: ApplicationDocument, upload, *, user) -> ApplicationDocument:
    """Attach (or replace) the file of one checklist line; only while the applicant holds the application."""
    application = _locked(document.application)
    _application_access(user, application, "stores.change_storeapplication")
    if application.status not in EDITABLE_STATUSES:
        raise BusinessError(
            _("入驻申请当前为“%(status)s”，不能再修改资料") % {"status": application.get_status_display()},
            field="file", code="wrong_state",
        )
    files.check_upload(upload, field="file")
    document = ApplicationDocument.objects.select_for_update().get(pk=document.pk, application=application)
    replaced = bool(document.file)
    document.original_name = files.original_name(upload)
    document.file.save(document.original_name, upload, save=False)
    document.uploaded_by = user
    document.uploaded_at = timezone.now()
    # A new file must be reviewed again.
    document.review = DocumentReview.PENDING
    document.is_complete = document.is_authentic = document.is_valid = False
    document.reviewed_by = None
    document.reviewed_at = None
    document.review_comment = ""
    save_checked(document, user=user)
    events.document_uploaded(application, document, user=user, replaced=replaced)
    return document


@transaction.atomic
def submit_application(application: StoreApplication, *, user, note: str = "") -> StoreApplication:
    """Hand the application to internal review; every required document must be uploaded."""
    application = _locked(application)
    _application_access(user, application, "stores.change_storeapplication")
    if application.status not in EDITABLE_STATUSES:
        _move(application, ApplicationState.SUBMITTED, user=user, kind=ApplicationEventKind.SUBMITTED)
    missing = [d.name for d in application.documents.filter(is_required=True).order_by("sort_order") if not d.file]
    if missing:
        raise BusinessError(
            _("还缺少必须提供的资料：%(names)s") % {"names": "、".join(missing)}, field="documents",
        )
    application.submitted_at = timezone.now()
    _move(application, ApplicationState.SUBMITTED, user=user, kind=ApplicationEventKind.SUBMITTED, note=note)
    return application


@transaction.atomic
def start_review(application: StoreApplication, *, user) -> StoreApplication:
    application = _locked(application)
    _application_access(user, application, "stores.review_storeapplication")
    _move(application, ApplicationState.UNDER_REVIEW, user=user, kind=ApplicationEventKind.REVIEW_STARTED)
    return application


@transaction.atomic
def review_document(
    document: ApplicationDocument, *, user, complete: bool, authentic: bool, valid: bool, comment: str = ""
) -> ApplicationDocument:
    """STO-02: the internal check of one document — complete, true and valid — with who, when and why."""
    application = _locked(document.application)
    _application_access(user, application, "stores.review_storeapplication")
    if application.status != ApplicationState.UNDER_REVIEW:
        raise BusinessError(
            _("入驻申请当前为“%(status)s”，只有审核中的申请可以审核资料")
            % {"status": application.get_status_display()},
            code="wrong_state",
        )
    document = ApplicationDocument.objects.select_for_update().get(pk=document.pk, application=application)
    if not document.file:
        raise BusinessError(_("“%(name)s”尚未上传，不能审核") % {"name": document.name}, field="file")
    accepted = complete and authentic and valid
    comment = (comment or "").strip()
    if not accepted and not comment:
        raise BusinessError(_("资料不通过时须填写审核意见，说明需要如何补正"), field="comment")
    document.is_complete, document.is_authentic, document.is_valid = complete, authentic, valid
    document.review = DocumentReview.ACCEPTED if accepted else DocumentReview.REJECTED
    document.reviewed_by = user
    document.reviewed_at = timezone.now()
    document.review_comment = comment[:500]
    save_checked(document, user=user)
    events.document_reviewed(application, document, user=user, comment=comment)
    return document


@transaction.atomic
def approve_application(application: StoreApplication, *, user, comment: str = "") -> StoreApplication:
    """The overall decision: every required document reviewed and accepted, every uploaded one reviewed."""
    application = _locked(application)
    _application_access(user, application, "stores.approve_storeapplication")
    if application.status != ApplicationState.UNDER_REVIEW:
        _move(application, ApplicationState.APPROVED, user=user, kind=ApplicationEventKind.APPROVED)
    documents = list(application.documents.order_by("sort_order", "pk"))
    not_passed = [d.name for d in documents if d.is_required and d.review != DocumentReview.ACCEPTED]
    if not_passed:
        raise BusinessError(
            _("以下必须资料尚未审核通过：%(names)s") % {"names": "、".join(not_passed)}, field="documents"
        )
    unreviewed = [d.name for d in documents if d.file and d.review == DocumentReview.PENDING]
    if unreviewed:
        raise BusinessError(_("以下资料尚未审核：%(names)s") % {"names": "、".join(unreviewed)}, field="documents")
    application.decided_by = user
    application.decided_at = timezone.now()
    application.decision_comment = (comment or "").strip()[:1000]
    _move(application, ApplicationState.APPROVED, user=user, kind=ApplicationEventKind.APPROVED,
          note=application.decision_comment)
    return application


@transaction.atomic
def return_application(application: StoreApplication, *, user, comment: str) -> StoreApplication:
    """Send the application back to the applicant with what to correct."""
    application = _locked(application)
    _application_access(user, application, "stores.approve_storeapplication")
    comment = (comment or "").strip()
    if not comment:
        raise BusinessError(_("退回时须填写退回原因"), field="comment")
    application.decided_by = user
    application.decided_at = timezone.now()
    application.decision_comment = comment[:1000]
    _move(application, ApplicationState.RETURNED, user=user, kind=ApplicationEventKind.RETURNED, note=comment)
    return application


@transaction.atomic
def record_agreement(application: StoreApplication, *, user, signed_on: date, activate: bool = True):
    """STO-02: the signed platform agreement, after approval; by default the store opens with it."""
    application = _locked(application)
    _application_access(user, application, "stores.approve_storeapplication")
    if application.status != ApplicationState.APPROVED:
        raise BusinessError(
            _("入驻申请当前为“%(status)s”，审核通过后才能登记平台协议") % {"status": application.get_status_display()},
            field="signed_on", code="wrong_state",
        )
    if signed_on is None:
        raise BusinessError(_("请填写平台协议签署日期"), field="signed_on")
    if signed_on > timezone.localdate():
        raise BusinessError(_("协议签署日期不能晚于今天"), field="signed_on")
    if application.submitted_at and signed_on < timezone.localtime(application.submitted_at).date():
        raise BusinessError(_("协议签署日期不能早于申请提交日期"), field="signed_on")
    application.agreement_signed_on = signed_on
    save_checked(application, user=user)
    events.agreement_registered(application, user=user, signed_on=signed_on)
    if activate:
        return activate_store(application, user=user)
    return application


@transaction.atomic
def activate_store(application: StoreApplication, *, user) -> StoreApplication:
    """Approval plus the signed agreement open the store (org.Store → active)."""
    application = _locked(application)
    _application_access(user, application, "stores.approve_storeapplication")
    if application.status != ApplicationState.APPROVED:
        _move(application, ApplicationState.ACTIVATED, user=user, kind=ApplicationEventKind.ACTIVATED)
    if application.agreement_signed_on is None:
        raise BusinessError(_("尚未登记平台协议签署日期，店铺不能开通"), field="signed_on")
    store = application.store
    changes = {"status": StoreState.ACTIVE}
    if store.opened_on is None:
        changes["opened_on"] = application.agreement_signed_on
    org_actions.update_store(store, user=user, **changes)
    application.activated_at = timezone.now()
    _move(application, ApplicationState.ACTIVATED, user=user, kind=ApplicationEventKind.ACTIVATED)
    return application


# --- STO-03 / STO-05: store profile change requests ------------------------------------------


def profile_of(store: Store) -> StoreProfile:
    """The store's profile; an unsaved empty one when nothing has been approved yet."""
    return StoreProfile.objects.filter(store=store).first() or StoreProfile(store=store)


def current_values(store: Store) -> dict[str, str]:
    profile = profile_of(store)
    values = {name: getattr(store, name) or "" for name in STORE_FIELDS}
    values.update({name: getattr(profile, name) or "" for name in PROFILE_FIELDS})
    return values


_PROFILE_LIMITS = {"name": 100, "main_category": 60, "introduction": 2000, "contact_name": 40,
                   "contact_phone": 20, "contact_email": 254}


def _check_proposal(proposed: dict) -> dict[str, str]:
    from django.core.validators import validate_email

    cleaned = {}
    for name, value in proposed.items():
        if name not in PROPOSABLE_FIELDS:
            raise BusinessError(_("字段 %(name)s 不能变更") % {"name": name}, field=name)
        value = (value or "").strip()
        if len(value) > _PROFILE_LIMITS[name]:
            raise BusinessError(_("最多 %(n)d 个字符") % {"n": _PROFILE_LIMITS[name]}, field=name)
        if name == "name" and not value:
            raise BusinessError(_("店铺名称不能为空"), field=name)
        if name == "contact_email" and value:
            try:
                validate_email(value)
            except ValidationError:
                raise BusinessError(_("邮箱格式不正确"), field=name) from None
        if name == "contact_phone" and value and not all(c.isdigit() or c in "+-() " for c in value):
            raise BusinessError(_("电话只能包含数字、空格和 + - ( )"), field=name)
        cleaned[name] = value
    return cleaned


@transaction.atomic
def request_profile_change(*, user, store: Store, proposed: dict, logo=None, reason: str = "") -> ProfileChangeRequest:
    """STO-03: propose new profile values; only the fields that really change are kept."""
    require_perm(user, "stores.add_profilechangerequest")
    _require_internal(user)
    _require_store(user, store)
    store = Store.objects.select_for_update().get(pk=store.pk)
    current = current_values(store)
    changes = {k: v for k, v in _check_proposal(proposed).items() if v != current[k]}
    if logo is not None:
        files.check_upload(logo, field="logo", allowed=files.IMAGE_TYPES)
    if not changes and logo is None:
        raise BusinessError(_("没有要变更的内容：拟变更的值与当前资料相同"))
    if ProfileChangeRequest.objects.filter(store=store, status=ChangeState.PENDING).exists():
        raise BusinessError(_("该店铺已有待审批的资料变更申请，请先处理"), code="conflict")
    request = ProfileChangeRequest(store=store, proposed=changes, reason=(reason or "").strip()[:500],
                                   requested_by=user)
    if logo is not None:
        request.logo.save(files.original_name(logo), logo, save=False)
    save_checked(request, user=user)
    return request


def _decidable(request: ProfileChangeRequest, user) -> ProfileChangeRequest:
    require_perm(user, "stores.decide_profilechangerequest")
    _require_internal(user)
    _require_store(user, request.store)
    request = ProfileChangeRequest.objects.select_for_update().select_related("store").get(pk=request.pk)
    if request.status != ChangeState.PENDING:
        raise BusinessError(
            _("该变更申请已是“%(status)s”，不能再审批") % {"status": request.get_status_display()}, code="wrong_state"
        )
    if request.requested_by_id == user.pk:
        raise BusinessError(_("不能审批自己提交的变更申请"))
    return request


@transaction.atomic
def approve_profile_change(request: ProfileChangeRequest, *, user, comment: str = "") -> ProfileChangeRequest:
    """Apply the proposed values; the request keeps the values they replaced (history)."""
    request = _decidable(request, user)
    store = request.store
    previous = current_values(store)
    store_changes = {k: v for k, v in request.proposed.items() if k in STORE_FIELDS}
    if store_changes:
        org_actions.update_store(store, user=user, **store_changes)
    profile = profile_of(store)
    if profile.pk is None:
        profile = StoreProfile(store=store)
    for name, value in request.proposed.items():
        if name in PROFILE_FIELDS:
            setattr(profile, name, value)
    if request.logo:
        previous["logo"] = profile.logo.name if profile.logo else ""
        profile.logo = request.logo.name
    save_checked(profile, user=user, reason=_("资料变更申请 #%(pk)s") % {"pk": request.pk})
    request.previous = {k: previous[k] for k in [*request.proposed, *(["logo"] if request.logo else [])]}
    transition(request, ChangeState.APPROVED, flow=CHANGE_FLOW, field="status", user=user, changes={
        "decided_by": user, "decided_at": timezone.now(), "decision_comment": (comment or "").strip()[:500]})
    return request


@transaction.atomic
def reject_profile_change(request: ProfileChangeRequest, *, user, comment: str) -> ProfileChangeRequest:
    request = _decidable(request, user)
    comment = (comment or "").strip()
    if not comment:
        raise BusinessError(_("驳回时须填写原因"), field="comment")
    transition(request, ChangeState.REJECTED, flow=CHANGE_FLOW, field="status", user=user, changes={
        "decided_by": user, "decided_at": timezone.now(), "decision_comment": comment[:500]})
    return request


# --- STO-04: qualifications ------------------------------------------------------------------

QUALIFICATION_FIELDS = (
    "holder_kind", "holder_name", "client", "store", "kind", "title", "number", "issuer", "scope",
    "valid_from", "valid_to", "special_goods", "note",
)


def _normalise_holder(q: Qualification, user) -> None:
    """Fill and check the holder: the company, a client, a store, or a named brand/supplier."""
    scope = scope_for(user)
    if q.holder_kind == HolderKind.COMPANY:
        q.client = q.store = None
    elif q.holder_kind == HolderKind.CLIENT:
        q.store = None
        if q.client is None:
            raise BusinessError(_("持有方为委托方时须选择委托方"), field="client")
    elif q.holder_kind == HolderKind.STORE:
        if q.store is None:
            raise BusinessError(_("持有方为店铺时须选择店铺"), field="store")
        q.client = q.store.client
    elif q.holder_kind in (HolderKind.BRAND, HolderKind.SUPPLIER):
        q.holder_name = (q.holder_name or "").strip()
        if not q.holder_name:
            raise BusinessError(_("请填写品牌或供应商的名称"), field="holder_name")
        if q.store is not None:
            q.client = q.store.client
    if q.holder_kind in (HolderKind.COMPANY, HolderKind.CLIENT, HolderKind.STORE):
        q.holder_name = ""
    if q.store is not None and not scope.sees_store(q.store.pk):
        raise BusinessError(_("店铺不存在"), field="store", code="not_found")
    if q.store is None and q.client is not None and not scope.sees_client(q.client.pk):
        raise BusinessError(_("委托方不存在"), field="client", code="not_found")
    if q.client is None and q.store is None and not (scope.all or user.has_perm("org.access_all_clients")):
        # A company-wide certificate is visible to every staff member: only those who see everything file it.
        raise BusinessError(_("只有可查看全部委托方的人员可以登记公司级资质"), field="holder_kind")


def _normalise_special_goods(q: Qualification) -> None:
    goods = [g for g in dict.fromkeys(q.special_goods or []) if g != SpecialGoods.NONE]
    for value in goods:
        if value not in SpecialGoods.values:
            raise BusinessError(_("特殊商品类型 %(value)s 不存在") % {"value": value}, field="special_goods")
    for goods_kind, licence in LICENCE_FOR.items():
        if q.kind == licence and goods_kind not in goods:
            goods.append(goods_kind)
    q.special_goods = sorted(goods)


def _check_qualification(q: Qualification, user, upload) -> None:
    if q.kind not in QualificationKind.values:
        raise BusinessError(_("资质类型无效"), field="kind")
    q.number = (q.number or "").strip()
    if not q.number:
        raise BusinessError(_("请填写证照编号"), field="number")
    if q.valid_from and q.valid_to and q.valid_to < q.valid_from:
        raise BusinessError(_("有效期至不能早于有效期起"), field="valid_to")
    _normalise_holder(q, user)
    _normalise_special_goods(q)
    if upload is not None:
        files.check_upload(upload, field="file")
    _clean(q, exclude=("file", "created_by", "replaces"))


def _attach(q: Qualification, upload) -> None:
    if upload is not None:
        q.original_name = files.original_name(upload)
        q.file.save(q.original_name, upload, save=False)


@transaction.atomic
def create_qualification(*, user, file=None, replaces: Qualification | None = None, **fields) -> Qualification:
    """File a certificate. With ``replaces``, it is the renewal of an older one, whose reminder is done."""
    require_perm(user, "stores.add_qualification")
    _require_internal(user)
    unknown = set(fields) - set(QUALIFICATION_FIELDS)
    if unknown:
        name = sorted(unknown)[0]
        raise BusinessError(_("字段 %(name)s 不能设置") % {"name": name}, field=name)
    q = Qualification(created_by=user, **fields)
    _check_qualification(q, user, file)
    if replaces is not None:
        replaces = Qualification.objects.select_for_update().filter(pk=replaces.pk).visible_to(user).first()
        if replaces is None:
            raise BusinessError(_("被替换的资质不存在"), field="replaces", code="not_found")
        if Qualification.objects.filter(replaces=replaces).exists():
            raise BusinessError(_("该资质已被其他证照替换"), field="replaces")
        if replaces.kind != q.kind or (replaces.client_id, replaces.store_id) != (q.client_id, q.store_id):
            raise BusinessError(_("换证须与旧证的资质类型和持有方一致"), field="replaces")
        q.replaces = replaces
    _attach(q, file)
    save_checked(q, user=user)
    if replaces is not None:
        dues.complete_due(kind=RENEWAL_DUE_KIND, source=replaces, user=user)
    return q


@transaction.atomic
def update_qualification(q: Qualification, *, user, file=None, **changes) -> Qualification:
    require_perm(user, "stores.change_qualification")
    _require_internal(user)
    q = Qualification.objects.select_for_update(of=("self",)).get(pk=q.pk)
    for name, value in changes.items():
        if name not in QUALIFICATION_FIELDS:
            raise BusinessError(_("字段 %(name)s 不能修改") % {"name": name}, field=name)
        setattr(q, name, value)
    _check_qualification(q, user, file)
    _attach(q, file)
    save_checked(q, user=user)
    from .queries import qualification_status, reminder_until

    today = timezone.localdate()
    if qualification_status(q, today, reminder_until(today)) == QualificationState.VALID:
        # Corrected to a date beyond the reminder period: the reminder is settled.
        dues.complete_due(kind=RENEWAL_DUE_KIND, source=q, user=user)
    return q
