"""Pages of store onboarding (STO-02), the qualification archive (STO-04, LAW-03) and store profile
change requests (STO-03). Thin: they scope (another client's records are 404), parse and render;
every change goes through ``stores.actions``."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ecomops.core.decorators import internal_page, page
from ecomops.core.errors import BusinessError, NotAllowed
from ecomops.core.forms import submit
from ecomops.core.outcome import run_action
from ecomops.core.uploads import serve_field
from ecomops.org.models import Platform, Store
from ecomops.org.scoping import get_visible_or_404, is_client_member

from . import actions, queries
from .enums import EDITABLE_STATUSES, ApplicationState, ChangeState, HolderKind
from .forms import (
    AgreementForm,
    ApplicationCreateForm,
    CommentForm,
    DocumentTypeForm,
    ProfileChangeForm,
    QualificationFilterForm,
    QualificationForm,
    ReviewForm,
    UploadForm,
)
from .models import (
    ApplicationDocument,
    PlatformDocumentType,
    ProfileChangeRequest,
    Qualification,
    StoreApplication,
)

PER_PAGE = 25


def _page(request, queryset):
    return Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))


def _serve(field, name: str):
    return serve_field(field, name)


# --- STO-01: platform document types -----------------------------------------------------------


@internal_page("stores.view_platformdocumenttype")
def document_types(request):
    types = PlatformDocumentType.objects.select_related("platform").order_by(
        "platform__sort_order", "platform__code", "sort_order", "code")
    platform = request.GET.get("platform", "")
    if platform:
        types = types.filter(platform__code=platform)
    grouped: dict = {}
    for t in types:
        grouped.setdefault(t.platform, []).append(t)
    user = request.user
    return render(request, "stores/document_types.html", {
        "grouped": grouped, "platform": platform, "platforms": Platform.objects.order_by("sort_order", "code"),
        "can_add": user.has_perm("stores.add_platformdocumenttype"),
        "can_edit": user.has_perm("stores.change_platformdocumenttype"),
    })


@internal_page("stores.add_platformdocumenttype")
def document_type_create(request):
    initial = {}
    code = request.GET.get("platform", "")
    if code:
        initial["platform"] = Platform.objects.filter(code=code).first()
    form = DocumentTypeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        created = submit(form, actions.create_document_type, user=request.user,
                         platform=form.cleaned_data["platform"], **form.document_fields())
        if created is not None:
            messages.success(request, _("已添加 %(platform)s 的入驻资料“%(name)s”")
                             % {"platform": created.platform.name, "name": created.name})
            return redirect(f"{reverse('stores:document_types')}?platform={created.platform.code}")
    return render(request, "stores/document_type_form.html", {"form": form, "document_type": None},
                  status=400 if form.errors else 200)


@internal_page("stores.change_platformdocumenttype")
def document_type_edit(request, pk: int):
    document_type = get_object_or_404(PlatformDocumentType.objects.select_related("platform"), pk=pk)
    form = DocumentTypeForm(request.POST or None, instance=PlatformDocumentType.objects.get(pk=pk))
    if request.method == "POST" and form.is_valid():
        saved = submit(form, actions.update_document_type, document_type, user=request.user,
                       **form.document_fields())
        if saved is not None:
            messages.success(request, _("已保存入驻资料“%(name)s”") % {"name": saved.name})
            return redirect(f"{reverse('stores:document_types')}?platform={document_type.platform.code}")
    return render(request, "stores/document_type_form.html", {"form": form, "document_type": document_type},
                  status=400 if form.errors else 200)


# --- STO-02: onboarding applications ---------------------------------------------------------


def _applications(user):
    return StoreApplication.objects.visible_to(user).select_related("store", "store__client", "store__platform")


@internal_page("stores.view_storeapplication")
def application_list(request):
    applications = _applications(request.user).order_by("-created_at", "-pk")
    status = request.GET.get("status", "")
    if status in ApplicationState.values:
        applications = applications.filter(status=status)
    page_obj = _page(request, applications)
    return render(request, "stores/application_list.html", {
        "page_obj": page_obj, "applications": page_obj.object_list, "status": status,
        "statuses": ApplicationState.choices,
        "can_add": request.user.has_perm("stores.add_storeapplication"),
    })


@internal_page("stores.add_storeapplication")
def application_create(request):
    initial = {"store": request.GET["store"]} if request.GET.get("store", "").isdigit() else {}
    form = ApplicationCreateForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        application = submit(form, actions.create_application, user=request.user, store=form.cleaned_data["store"],
                             note=form.cleaned_data["note"])
        if application is not None:
            messages.success(request, _("已创建入驻申请，请按清单上传资料"))
            return redirect("stores:application_detail", pk=application.pk)
    return render(request, "stores/application_form.html", {"form": form})


@internal_page("stores.view_storeapplication")
def application_detail(request, pk: int):
    application = get_visible_or_404(_applications(request.user), request.user, pk=pk)
    user = request.user
    documents = list(application.documents.select_related("uploaded_by", "reviewed_by").order_by("sort_order", "pk"))
    editable = application.status in EDITABLE_STATUSES and user.has_perm("stores.change_storeapplication")
    reviewing = application.status == ApplicationState.UNDER_REVIEW and user.has_perm(
        "stores.review_storeapplication")
    deciding = user.has_perm("stores.approve_storeapplication")
    return render(request, "stores/application_detail.html", {
        "application": application,
        "store": application.store,
        "documents": documents,
        "missing": [d for d in documents if d.is_required and not d.file],
        "events": application.events.select_related("actor", "document").order_by("at", "pk"),
        "can_upload": editable,
        "can_submit": editable,
        "can_start_review": application.status == ApplicationState.SUBMITTED
        and user.has_perm("stores.review_storeapplication"),
        "can_review": reviewing,
        "can_decide": deciding and application.status == ApplicationState.UNDER_REVIEW,
        "can_return": deciding and application.status in (ApplicationState.SUBMITTED, ApplicationState.UNDER_REVIEW),
        "can_agree": deciding and application.status == ApplicationState.APPROVED,
        "upload_form": UploadForm(),
        "review_form": ReviewForm(),
        "comment_form": CommentForm(),
        "agreement_form": AgreementForm(),
    })


def _document(request, pk: int, doc: int) -> ApplicationDocument:
    application = get_visible_or_404(_applications(request.user), request.user, pk=pk)
    return get_object_or_404(ApplicationDocument.objects.select_related("application__store"), pk=doc,
                             application=application)


@require_POST
@internal_page("stores.change_storeapplication")
def document_upload(request, pk: int, doc: int):
    document = _document(request, pk, doc)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("“%(name)s”：请选择要上传的文件") % {"name": document.name})
    else:
        try:
            actions.upload_document(document, form.cleaned_data["file"], user=request.user)
            messages.success(request, _("已上传“%(name)s”") % {"name": document.name})
        except BusinessError as error:
            messages.error(request, f"{document.name}：{error.message}")
            if isinstance(error, NotAllowed):
                raise PermissionDenied from None
    return redirect("stores:application_detail", pk=pk)


@require_POST
@internal_page("stores.review_storeapplication")
def document_review(request, pk: int, doc: int):
    document = _document(request, pk, doc)
    form = ReviewForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        run_action(request, actions.review_document, document, user=request.user, complete=data["complete"],
                   authentic=data["authentic"], valid=data["valid"], comment=data["comment"],
                   done=_("已审核“%(name)s”") % {"name": document.name})
    return redirect("stores:application_detail", pk=pk)


@internal_page("stores.view_storeapplication")
def document_file(request, pk: int, doc: int):
    document = _document(request, pk, doc)
    return _serve(document.file, document.original_name)


STEPS = {
    "submit": (actions.submit_application, _("已提交审核")),
    "start-review": (actions.start_review, _("已开始审核")),
    "approve": (actions.approve_application, _("入驻申请已审核通过，请登记平台协议签署日期")),
    "return": (actions.return_application, _("已退回修改")),
    "agreement": (actions.record_agreement, _("已登记平台协议，店铺已开通")),
}


@require_POST
@internal_page("stores.view_storeapplication")
def application_step(request, pk: int, step: str):
    application = get_visible_or_404(_applications(request.user), request.user, pk=pk)
    if step not in STEPS:
        raise Http404
    action, done = STEPS[step]
    kwargs = {}
    if step in ("approve", "return"):
        form = CommentForm(request.POST)
        form.is_valid()
        kwargs["comment"] = form.cleaned_data.get("comment", "")
    elif step == "agreement":
        form = AgreementForm(request.POST)
        if not form.is_valid():
            messages.error(request, form.errors["signed_on"][0])
            return redirect("stores:application_detail", pk=pk)
        kwargs["signed_on"] = form.cleaned_data["signed_on"]
    run_action(request, action, application, user=request.user, done=done, **kwargs)
    return redirect("stores:application_detail", pk=pk)


# --- STO-04: qualification archive -----------------------------------------------------------


def _qualifications(user):
    return Qualification.objects.visible_to(user).select_related("client", "store", "replaced_by")


@page("stores.view_qualification")
def qualification_list(request):
    form = QualificationFilterForm(request.GET or None, user=request.user)
    rows = _qualifications(request.user).order_by("valid_to", "pk")
    if form.is_valid():
        data = form.cleaned_data
        q = data["q"].strip()
        if q:
            rows = rows.filter(Q(number__icontains=q) | Q(title__icontains=q) | Q(holder_name__icontains=q)
                               | Q(issuer__icontains=q) | Q(store__name__icontains=q) | Q(client__name__icontains=q))
        if data["holder_kind"]:
            rows = rows.filter(holder_kind=data["holder_kind"])
        if data["kind"]:
            rows = rows.filter(kind=data["kind"])
        if data["client"]:
            rows = rows.filter(client=data["client"])
        if data["status"]:
            rows = queries.with_status(rows, data["status"])
    page_obj = _page(request, rows)
    items = queries.annotate_status(page_obj.object_list)
    internal = not is_client_member(request.user)
    return render(request, "stores/qualification_list.html", {
        "form": form, "page_obj": page_obj, "qualifications": items,
        "can_add": internal and request.user.has_perm("stores.add_qualification"),
    })


@page("stores.view_qualification")
def qualification_detail(request, pk: int):
    q = get_object_or_404(_qualifications(request.user), pk=pk)
    q = queries.annotate_status([q])[0]
    internal = not is_client_member(request.user)
    replaced_by = getattr(q, "replaced_by", None)
    return render(request, "stores/qualification_detail.html", {
        "q": q,
        "can_edit": internal and request.user.has_perm("stores.change_qualification"),
        "can_renew": internal and replaced_by is None and request.user.has_perm("stores.add_qualification"),
        "replaced_by": replaced_by,
        "history": q.history.select_related("history_user").order_by("-history_date", "-history_id")[:20],
    })


@page("stores.view_qualification")
def qualification_file(request, pk: int):
    q = get_object_or_404(_qualifications(request.user), pk=pk)
    return _serve(q.file, q.original_name)


@internal_page("stores.add_qualification")
def qualification_create(request):
    replaces = None
    if request.GET.get("replaces", "").isdigit():
        replaces = get_object_or_404(_qualifications(request.user), pk=int(request.GET["replaces"]))
    initial = {}
    if replaces is not None:
        initial = {name: getattr(replaces, name) for name in (
            "holder_kind", "holder_name", "client", "store", "kind", "title", "issuer", "scope", "special_goods")}
    elif request.GET.get("store", "").isdigit():
        initial = {"holder_kind": HolderKind.STORE, "store": int(request.GET["store"])}
    form = QualificationForm(request.POST or None, request.FILES or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        q = submit(form, actions.create_qualification, user=request.user, file=form.cleaned_data["file"],
                   replaces=replaces, **form.action_fields())
        if q is not None:
            messages.success(request, _("已登记资质 %(number)s") % {"number": q.number})
            return redirect("stores:qualification_detail", pk=q.pk)
    return render(request, "stores/qualification_form.html", {"form": form, "q": None, "replaces": replaces})


@internal_page("stores.change_qualification")
def qualification_edit(request, pk: int):
    q = get_object_or_404(_qualifications(request.user), pk=pk)
    initial = {name: getattr(q, name) for name in actions.QUALIFICATION_FIELDS}
    form = QualificationForm(request.POST or None, request.FILES or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        saved = submit(form, actions.update_qualification, q, user=request.user, file=form.cleaned_data["file"],
                       **form.action_fields())
        if saved is not None:
            messages.success(request, _("已保存资质 %(number)s") % {"number": saved.number})
            return redirect("stores:qualification_detail", pk=saved.pk)
    return render(request, "stores/qualification_form.html", {"form": form, "q": q, "replaces": None})


# --- STO-03: store profile, licences shown (LAW-03), change requests -----------------------------


@page("org.view_store")
def store_profile(request, store_pk: int):
    store = get_visible_or_404(Store.objects.select_related("client", "platform"), request.user, pk=store_pk)
    internal = not is_client_member(request.user)
    user = request.user
    changes = (ProfileChangeRequest.objects.filter(store=store)
               .select_related("requested_by", "decided_by").order_by("-requested_at", "-pk"))
    application = StoreApplication.objects.filter(store=store).first()
    return render(request, "stores/store_profile.html", {
        "store": store,
        "profile": actions.profile_of(store),
        "licences": queries.displayed_licences(store) if user.has_perm("stores.view_qualification") else None,
        "changes": changes[:20] if internal and user.has_perm("stores.view_profilechangerequest") else None,
        "application": application if internal and user.has_perm("stores.view_storeapplication") else None,
        "can_apply": internal and application is None and user.has_perm("stores.add_storeapplication")
        and store.status == "onboarding",
        "can_request": internal and user.has_perm("stores.add_profilechangerequest"),
        "can_decide": internal and user.has_perm("stores.decide_profilechangerequest"),
        "can_add_qualification": internal and user.has_perm("stores.add_qualification"),
        "comment_form": CommentForm(),
    })


@page("org.view_store")
def store_logo(request, store_pk: int):
    store = get_visible_or_404(Store, request.user, pk=store_pk)
    return _serve(actions.profile_of(store).logo, "")


@internal_page("stores.add_profilechangerequest")
def change_create(request, store_pk: int):
    store = get_visible_or_404(Store, request.user, pk=store_pk)
    form = ProfileChangeForm(request.POST or None, request.FILES or None, initial=actions.current_values(store))
    if request.method == "POST" and form.is_valid():
        change = submit(form, actions.request_profile_change, user=request.user, store=store,
                        proposed=form.proposed(), logo=form.cleaned_data["logo"], reason=form.cleaned_data["reason"])
        if change is not None:
            messages.success(request, _("已提交资料变更申请，等待审批"))
            return redirect("stores:store_profile", store_pk=store.pk)
    return render(request, "stores/change_form.html", {"form": form, "store": store})


@internal_page("stores.view_profilechangerequest")
def change_list(request):
    status = request.GET.get("status", ChangeState.PENDING)
    changes = (ProfileChangeRequest.objects.visible_to(request.user)
               .select_related("store", "requested_by", "decided_by").order_by("-requested_at", "-pk"))
    if status in ChangeState.values:
        changes = changes.filter(status=status)
    page_obj = _page(request, changes)
    return render(request, "stores/change_list.html", {
        "page_obj": page_obj, "changes": page_obj.object_list, "status": status, "statuses": ChangeState.choices,
        "can_decide": request.user.has_perm("stores.decide_profilechangerequest"), "comment_form": CommentForm(),
    })


@require_POST
@internal_page("stores.decide_profilechangerequest")
def change_decide(request, pk: int, decision: str):
    change = get_visible_or_404(ProfileChangeRequest, request.user, pk=pk)
    form = CommentForm(request.POST)
    form.is_valid()
    comment = form.cleaned_data.get("comment", "")
    if decision == "approve":
        run_action(request, actions.approve_profile_change, change, user=request.user, comment=comment,
                   done=_("已批准资料变更，新资料已生效"))
    elif decision == "reject":
        run_action(request, actions.reject_profile_change, change, user=request.user, comment=comment,
                   done=_("已驳回资料变更"))
    else:
        raise Http404
    back = request.POST.get("next", "")
    if back.startswith("/") and not back.startswith("//"):
        return redirect(back)
    return redirect(reverse("stores:store_profile", args=[change.store_id]))


@internal_page("stores.view_profilechangerequest")
def change_logo(request, pk: int):
    change = get_visible_or_404(ProfileChangeRequest, request.user, pk=pk)
    return _serve(change.logo, "")
