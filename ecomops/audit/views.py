"""The audit pages (DAT-02): changes to business data with before → after, sign-in records, and reads
of unmasked personal data. Read-only: there is no page, button or admin action that edits or deletes
any of it."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ecomops.core.decorators import internal_page

from .forms import AuthEventSearchForm, PersonalAccessSearchForm, TrailSearchForm
from .models import AuthEvent, PersonalDataAccess

AUDIT_PERM = "audit.view_audit_trail"
PER_PAGE = 50


def _page_number(request) -> int:
    raw = request.GET.get("page", "1")
    return max(int(raw), 1) if raw.isdigit() else 1


@require_GET
@internal_page(AUDIT_PERM)
def trail_view(request):
    try:
        from . import trail
    except ImportError:  # the reader of the history tables is not installed in this build
        trail = None
    models = trail.tracked_models() if trail else []
    form = TrailSearchForm(request.GET or None, models=models)
    result = None
    if trail is not None and (form.is_valid() or not request.GET):
        data = form.cleaned_data if form.is_bound else {}
        since, until = form.period() if form.is_bound else (None, None)
        actor = data.get("user")
        result = trail.search(
            request.user,
            model_label=data.get("model") or None,
            actor_id=actor.pk if actor else None,
            since=since,
            until=until,
            object_id=(data.get("object_id") or "").strip() or None,
            action=data.get("action") or None,
            page=_page_number(request),
            page_size=PER_PAGE,
        )
    return render(
        request,
        "audit/trail.html",
        {
            "tab": "trail",
            "form": form,
            "result": result,
            "available": trail is not None,
        },
    )


@require_GET
@internal_page(AUDIT_PERM)
def login_events(request):
    form = AuthEventSearchForm(request.GET or None)
    events = AuthEvent.objects.select_related("user").order_by("-at", "-pk")
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        since, until = form.period()
        if data["user"]:
            events = events.filter(username=data["user"])
        if data["kind"]:
            events = events.filter(kind=data["kind"])
        if data["ip"]:
            events = events.filter(ip_address=data["ip"])
        if since:
            events = events.filter(at__gte=since)
        if until:
            events = events.filter(at__lt=until)
    elif form.is_bound:
        events = events.none()
    page_obj = Paginator(events, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "audit/logins.html",
        {"tab": "logins", "form": form, "page_obj": page_obj, "events": page_obj.object_list},
    )


@require_GET
@internal_page(AUDIT_PERM)
def personal_data_reads(request):
    form = PersonalAccessSearchForm(request.GET or None)
    reads = PersonalDataAccess.objects.select_related("user", "content_type").order_by("-at", "-pk")
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        since, until = form.period()
        if data["user"]:
            reads = reads.filter(user=data["user"])
        if since:
            reads = reads.filter(at__gte=since)
        if until:
            reads = reads.filter(at__lt=until)
    elif form.is_bound:
        reads = reads.none()
    page_obj = Paginator(reads, PER_PAGE).get_page(request.GET.get("page"))
    for read in page_obj.object_list:
        model = read.content_type.model_class()
        read.model_name = str(model._meta.verbose_name) if model else read.content_type.model
        read.field_names = "、".join(_field_name(model, name) for name in read.fields.split(",") if name)
    return render(
        request,
        "audit/personal_data.html",
        {"tab": "personal", "form": form, "page_obj": page_obj, "reads": page_obj.object_list},
    )


def _field_name(model, name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except Exception:  # a field that no longer exists keeps its stored name
        return name
