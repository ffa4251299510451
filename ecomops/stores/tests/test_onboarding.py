"""STO-01, STO-02: the onboarding application of a store — a checklist from its platform's required
documents, uploads, internal review (complete, true, valid), approval, the signed platform agreement,
and the store opening. Every step out of order is refused; every step is an event row."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from ecomops.core.errors import BusinessError, NotAllowed
from ecomops.org.enums import StoreState
from ecomops.org.models import Platform, Store
from ecomops.stores import actions
from ecomops.stores.enums import ApplicationEventKind, ApplicationState, DocumentReview
from ecomops.stores.models import ApplicationEvent, PlatformDocumentType
from ecomops.stores.seed import seed_document_types

from .conftest import PDF, pdf


def upload_required(application, user):
    for document in application.documents.filter(is_required=True):
        actions.upload_document(document, pdf(f"{document.document_type.code}.pdf"), user=user)


def accept_all(application, user):
    for document in application.documents.exclude(file=""):
        actions.review_document(document, user=user, complete=True, authentic=True, valid=True)


@pytest.fixture
def application(org, people):
    return actions.create_application(user=people.applicant, store=org.store_a1)


@pytest.fixture
def under_review(application, people):
    upload_required(application, people.applicant)
    actions.submit_application(application, user=people.applicant)
    return actions.start_review(application, user=people.reviewer)


# --- STO-01: the platforms' requirements as data ----------------------------------------------

@pytest.mark.django_db
def test_every_sto01_platform_is_seeded_with_its_required_documents():
    for platform in Platform.objects.all():
        required = set(PlatformDocumentType.objects.filter(platform=platform, is_required=True)
                       .values_list("code", flat=True))
        assert {"business_licence", "legal_rep_id"} <= required, platform.code
    tmall = set(PlatformDocumentType.objects.filter(platform__code="tmall", is_required=True)
                .values_list("code", flat=True))
    assert {"brand_authorisation", "trademark", "tax_registration"} <= tmall


@pytest.mark.django_db
def test_seeding_again_keeps_edits_and_creates_nothing_twice():
    licence = PlatformDocumentType.objects.get(platform__code="taobao", code="business_licence")
    licence.name = "营业执照（已由合规部修改）"
    licence.save()
    count = PlatformDocumentType.objects.count()
    assert seed_document_types() == 0
    assert PlatformDocumentType.objects.count() == count
    licence.refresh_from_db()
    assert licence.name == "营业执照（已由合规部修改）"


# --- STO-02: the checklist comes from the platform ---------------------------------------------

def test_checklist_is_the_platforms_active_document_types(org, people):
    taobao = org.store_a1.platform
    PlatformDocumentType.objects.filter(platform=taobao, code="product_certificates").update(is_active=False)
    PlatformDocumentType.objects.create(platform=taobao, code="shop_photo", name="门店照片", is_required=True)
    application = actions.create_application(user=people.applicant, store=org.store_a1)
    lines = {d.document_type.code: d.is_required for d in application.documents.all()}
    expected = dict(PlatformDocumentType.objects.filter(platform=taobao, is_active=True)
                    .values_list("code", "is_required"))
    assert lines == expected
    assert lines["shop_photo"] is True and "product_certificates" not in lines


def test_later_edits_of_the_platform_do_not_change_an_application_under_way(application):
    line = application.documents.get(document_type__code="business_licence")
    PlatformDocumentType.objects.filter(pk=line.document_type_id).update(name="改名后的营业执照", is_required=False)
    line.refresh_from_db()
    assert line.name != "改名后的营业执照" and line.is_required


def test_only_a_store_in_onboarding_gets_an_application(org, people):
    Store.objects.filter(pk=org.store_a2.pk).update(status=StoreState.ACTIVE)
    with pytest.raises(BusinessError, match="入驻中"):
        actions.create_application(user=people.applicant, store=Store.objects.get(pk=org.store_a2.pk))


def test_one_application_per_store(application, org, people):
    with pytest.raises(BusinessError, match="已有入驻申请"):
        actions.create_application(user=people.applicant, store=org.store_a1)


def test_a_platform_without_requirements_cannot_start_an_application(org, people):
    PlatformDocumentType.objects.filter(platform=org.store_a2.platform).update(is_required=False)
    with pytest.raises(BusinessError, match="还没有设置入驻所需资料"):
        actions.create_application(user=people.applicant, store=org.store_a2)


# --- out-of-order steps are refused ------------------------------------------------------------

def test_submit_with_missing_required_documents_is_refused_and_names_them(application, people):
    licence = application.documents.get(document_type__code="business_licence")
    actions.upload_document(licence, pdf(), user=people.applicant)
    with pytest.raises(BusinessError, match="法定代表人身份证") as refused:
        actions.submit_application(application, user=people.applicant)
    assert refused.value.field == "documents"
    application.refresh_from_db()
    assert application.status == ApplicationState.DRAFT


def test_review_before_submission_is_refused(application, people):
    upload_required(application, people.applicant)
    with pytest.raises(BusinessError, match="草稿"):
        actions.start_review(application, user=people.reviewer)
    document = application.documents.exclude(file="").first()
    with pytest.raises(BusinessError, match="只有审核中的申请可以审核资料"):
        actions.review_document(document, user=people.reviewer, complete=True, authentic=True, valid=True)


def test_approve_before_review_is_refused(application, people):
    upload_required(application, people.applicant)
    actions.submit_application(application, user=people.applicant)
    with pytest.raises(BusinessError, match="不能变为“审核通过”"):
        actions.approve_application(application, user=people.approver)


def test_approve_with_a_document_not_yet_accepted_is_refused(under_review, people):
    licence = under_review.documents.get(document_type__code="business_licence")
    actions.review_document(licence, user=people.reviewer, complete=True, authentic=True, valid=True)
    with pytest.raises(BusinessError, match="尚未审核通过"):
        actions.approve_application(under_review, user=people.approver)


def test_a_document_failing_one_check_is_rejected_and_needs_a_comment(under_review, people):
    licence = under_review.documents.get(document_type__code="business_licence")
    with pytest.raises(BusinessError) as refused:
        actions.review_document(licence, user=people.reviewer, complete=True, authentic=True, valid=False)
    assert refused.value.field == "comment"
    reviewed = actions.review_document(licence, user=people.reviewer, complete=True, authentic=True, valid=False,
                                       comment="营业执照已过期")
    assert reviewed.review == DocumentReview.REJECTED
    assert reviewed.reviewed_by == people.reviewer and reviewed.reviewed_at is not None


def test_editing_documents_after_submission_or_approval_is_refused(under_review, people):
    licence = under_review.documents.get(document_type__code="business_licence")
    with pytest.raises(BusinessError, match="不能再修改资料"):
        actions.upload_document(licence, pdf(), user=people.applicant)
    accept_all(under_review, people.reviewer)
    actions.approve_application(under_review, user=people.approver)
    with pytest.raises(BusinessError, match="审核通过”，不能再修改资料"):
        actions.upload_document(licence, pdf(), user=people.applicant)
    with pytest.raises(BusinessError):
        actions.submit_application(under_review, user=people.applicant)


def test_agreement_before_approval_is_refused(under_review, people):
    with pytest.raises(BusinessError, match="审核通过后才能登记平台协议"):
        actions.record_agreement(under_review, user=people.approver, signed_on=timezone.localdate())


def test_activation_without_agreement_date_is_refused(under_review, people):
    accept_all(under_review, people.reviewer)
    actions.approve_application(under_review, user=people.approver)
    with pytest.raises(BusinessError, match="尚未登记平台协议签署日期"):
        actions.activate_store(under_review, user=people.approver)
    assert Store.objects.get(pk=under_review.store_id).status == StoreState.ONBOARDING


def test_agreement_date_in_the_future_is_refused(under_review, people):
    accept_all(under_review, people.reviewer)
    actions.approve_application(under_review, user=people.approver)
    with pytest.raises(BusinessError) as refused:
        actions.record_agreement(under_review, user=people.approver, signed_on=timezone.localdate() + timedelta(1))
    assert refused.value.field == "signed_on"


def test_returned_application_is_corrected_and_submitted_again(under_review, people):
    licence = under_review.documents.get(document_type__code="business_licence")
    actions.review_document(licence, user=people.reviewer, complete=False, authentic=True, valid=True,
                            comment="缺少副本页")
    with pytest.raises(BusinessError):
        actions.return_application(under_review, user=people.approver, comment="  ")
    actions.return_application(under_review, user=people.approver, comment="请补充营业执照副本")
    actions.upload_document(licence, pdf("licence-v2.pdf"), user=people.applicant)
    licence.refresh_from_db()
    assert licence.review == DocumentReview.PENDING and licence.original_name == "licence-v2.pdf"
    submitted = actions.submit_application(under_review, user=people.applicant)
    assert submitted.status == ApplicationState.SUBMITTED


# --- the happy path: approval + agreement open the store -----------------------------------------

def test_approval_and_agreement_make_the_store_active_and_every_step_is_an_event(under_review, people):
    accept_all(under_review, people.reviewer)
    approved = actions.approve_application(under_review, user=people.approver, comment="资料齐全真实有效")
    assert approved.decided_by == people.approver and approved.decided_at is not None
    today = timezone.localdate()
    activated = actions.record_agreement(approved, user=people.approver, signed_on=today)
    assert activated.status == ApplicationState.ACTIVATED and activated.agreement_signed_on == today
    store = Store.objects.get(pk=under_review.store_id)
    assert store.status == StoreState.ACTIVE and store.opened_on == today
    assert store.history.first().history_user == people.approver

    events = list(ApplicationEvent.objects.filter(application=under_review).order_by("at", "pk"))
    kinds = [e.kind for e in events]
    assert kinds[0] == ApplicationEventKind.CREATED
    assert kinds.count(ApplicationEventKind.UPLOADED) == under_review.documents.filter(is_required=True).count()
    transitions = [(e.kind, e.from_state, e.to_state) for e in events if e.from_state != e.to_state]
    assert transitions == [
        (ApplicationEventKind.CREATED, "", ApplicationState.DRAFT),
        (ApplicationEventKind.SUBMITTED, ApplicationState.DRAFT, ApplicationState.SUBMITTED),
        (ApplicationEventKind.REVIEW_STARTED, ApplicationState.SUBMITTED, ApplicationState.UNDER_REVIEW),
        (ApplicationEventKind.APPROVED, ApplicationState.UNDER_REVIEW, ApplicationState.APPROVED),
        (ApplicationEventKind.ACTIVATED, ApplicationState.APPROVED, ApplicationState.ACTIVATED),
    ]
    assert all(e.actor_id for e in events)
    assert events[-1].actor == people.approver


def test_activation_needs_the_right_to_change_the_store(under_review, people):
    accept_all(under_review, people.reviewer)
    actions.approve_application(under_review, user=people.approver)
    people.approver.user_permissions.remove(
        people.approver.user_permissions.get(codename="change_store", content_type__app_label="org"))
    from django.contrib.auth import get_user_model

    approver = get_user_model().objects.get(pk=people.approver.pk)
    with pytest.raises(NotAllowed):
        actions.record_agreement(under_review, user=approver, signed_on=timezone.localdate())
    assert Store.objects.get(pk=under_review.store_id).status == StoreState.ONBOARDING


# --- rights and scope ----------------------------------------------------------------------------

def test_each_step_needs_its_permission(application, people):
    upload_required(application, people.applicant)
    with pytest.raises(NotAllowed):
        actions.submit_application(application, user=people.reviewer)
    actions.submit_application(application, user=people.applicant)
    with pytest.raises(NotAllowed):
        actions.start_review(application, user=people.applicant)
    actions.start_review(application, user=people.reviewer)
    with pytest.raises(NotAllowed):
        actions.approve_application(application, user=people.reviewer)


def test_another_clients_store_is_out_of_scope(org, people):
    with pytest.raises(BusinessError) as refused:
        actions.create_application(user=people.applicant, store=org.store_b1)
    assert refused.value.code == "not_found"


# --- uploads --------------------------------------------------------------------------------------

def test_upload_limits_are_explained_in_chinese(application, people, settings):
    from ecomops.stores import files

    licence = application.documents.get(document_type__code="business_licence")
    with pytest.raises(BusinessError, match="类型不支持"):
        actions.upload_document(licence, pdf("licence.exe", PDF), user=people.applicant)
    with pytest.raises(BusinessError, match="不是有效的 PDF"):
        actions.upload_document(licence, pdf("licence.pdf", b"MZ\x90\x00 not a pdf"), user=people.applicant)
    with pytest.raises(BusinessError, match="空文件"):
        actions.upload_document(licence, pdf("licence.pdf", b""), user=people.applicant)
    big = PDF + b"0" * files.MAX_UPLOAD_BYTES
    with pytest.raises(BusinessError, match="过大"):
        actions.upload_document(licence, pdf("big.pdf", big), user=people.applicant)
    licence.refresh_from_db()
    assert not licence.file


def test_stored_file_name_does_not_come_from_the_user(application, people):
    licence = application.documents.get(document_type__code="business_licence")
    saved = actions.upload_document(licence, pdf("../../etc/营业执照.pdf"), user=people.applicant)
    assert saved.original_name == "营业执照.pdf"
    assert saved.file.name.startswith(f"stores/applications/{application.store_id}/")
    assert ".." not in saved.file.name
