"""Pages of the order import (ORD-02): upload, the jobs with a live progress bar, the rows left out
(and their .xlsx), the exception queue with re-matching, the platform formats.

Thin: scope (another store's job is a 404), render, call ``orderimport.actions``.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ecomops.core.decorators import internal_page
from ecomops.core.forms import submit
from ecomops.core.outcome import run_action
from ecomops.orders.enums import OrderState
from ecomops.orders.models import Order
from ecomops.org.models import Store
from ecomops.org.scoping import get_visible_or_404

from . import actions, files, reports
from .forms import FormatForm, SampleForm, UploadForm
from .models import ImportFormat, ImportJob

VIEW = "orderimport.view_importjob"


@internal_page(VIEW)
def import_index(request, form=None):
    jobs = ImportJob.objects.visible_to(request.user).select_related("store", "format", "created_by")
    page_obj = Paginator(jobs, 30).get_page(request.GET.get("page"))
    held = Order.objects.visible_to(request.user).filter(state=OrderState.ON_HOLD).exclude(exception_reason="")
    return render(request, "orderimport/index.html", {
        "form": form or UploadForm(user=request.user), "jobs": page_obj, "page_obj": page_obj,
        "held_count": held.count(), "can_upload": request.user.has_perm("orderimport.add_importjob"),
    })


@require_POST
@internal_page(("orderimport.add_importjob", VIEW))
def upload(request):
    form = UploadForm(request.POST, request.FILES, user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        second = data.get("second_file")
        job = submit(form, actions.upload, user=request.user, store=data["store"], fmt=data["format"],
                     upload=data["file"], name=data["file"].name, confirm_platform=data.get("confirm_platform", False),
                     second=second, second_name=second.name if second else "")
        if job is not None:
            messages.success(request, _("已上传，正在后台导入：%(job)s") % {"job": job})
            return redirect("orderimport:job_detail", pk=job.pk)
    response = import_index(request, form=form)
    response.status_code = 400
    return response


def _job(request, pk: int) -> ImportJob:
    return get_visible_or_404(ImportJob.objects.select_related("store", "format", "created_by"), request.user, pk=pk)


@internal_page(VIEW)
def job_detail(request, pk: int):
    job = _job(request, pk)
    context = {"job": job, "errors": job.errors.order_by("row_no", "pk")[:200],
               "error_files": job.errors.exclude(file="").exists(),  # ORD-02: a pair's errors name the file
               "can_resume": (request.user.has_perm("orderimport.add_importjob") and job.state != "done"
                              and bool(job.file)),
               "file_deleted_after": files.delete_after(job)}
    if request.htmx:
        return render(request, "orderimport/job_detail.html#progress", context)
    return render(request, "orderimport/job_detail.html", context)


@internal_page(VIEW)
def job_errors_xlsx(request, pk: int):
    job = _job(request, pk)
    response = HttpResponse(reports.error_workbook(job),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{job}-errors.xlsx"'
    return response


@require_POST
@internal_page(("orderimport.add_importjob", VIEW))
def job_resume(request, pk: int):
    job = _job(request, pk)
    run_action(request, actions.resume, job, user=request.user, flash_forbidden=True,
               done=lambda result: _("已继续导入 %(job)s") % {"job": job})
    return redirect("orderimport:job_detail", pk=job.pk)


@internal_page(VIEW)
def exceptions(request):
    held = (Order.objects.visible_to(request.user).filter(state=OrderState.ON_HOLD).exclude(exception_reason="")
            .select_related("store").order_by("store__code", "placed_at"))
    page_obj = Paginator(held, 50).get_page(request.GET.get("page"))
    stores = Store.objects.visible_to(request.user).filter(pk__in=held.values("store")).order_by("code")
    return render(request, "orderimport/exceptions.html", {"orders": page_obj, "page_obj": page_obj,
                                                           "stores": stores})


@require_POST
@internal_page(("orders.hold_order", VIEW))
def rematch(request):
    store = get_visible_or_404(Store.objects.all(), request.user, pk=request.POST.get("store") or 0)
    run_action(request, actions.rematch_held, user=request.user, store=store, flash_forbidden=True,
               done=lambda counts: _("重新匹配 %(lines)d 行，%(released)d 笔订单解除异常") % counts)
    return redirect("orderimport:exceptions")


@internal_page("orderimport.view_importformat")
def formats(request):
    return render(request, "orderimport/formats.html", {
        "formats": ImportFormat.objects.select_related("platform").order_by("code"),
        "can_edit": request.user.has_perm("orderimport.change_importformat"),
    })


@internal_page(("orderimport.view_importformat",))
def format_edit(request, pk: int | None = None):
    fmt = get_object_or_404(ImportFormat, pk=pk) if pk else None
    if request.method == "POST":
        form = FormatForm(request.POST)
        if form.is_valid():
            saved = submit(form, actions.save_format, user=request.user, fmt=fmt, **form.cleaned_data)
            if saved is not None:
                messages.success(request, _("导入格式已保存"))
                return redirect("orderimport:formats")
        status = 400
    else:
        initial = {name: getattr(fmt, name) for name in FormatForm.base_fields} if fmt else {}
        form = FormatForm(initial=initial)
        status = 200
    response = render(request, "orderimport/format_form.html", {"form": form, "fmt": fmt})
    response.status_code = status
    return response


@internal_page("orderimport.view_importformat")
def format_sample(request, pk: int):
    """ORD-02: hold a sample export against a format: which header went to which field, which fields
    found none, which headers were left out. Reads the header and a few rows; stores nothing."""
    from . import sample

    fmt = get_object_or_404(ImportFormat.objects.select_related("platform"), pk=pk)
    form, report, status = SampleForm(), None, 200
    if request.method == "POST":
        form = SampleForm(request.POST, request.FILES)
        status = 400
        if form.is_valid():
            try:
                report = sample.describe(fmt, form.cleaned_data["file"], name=form.cleaned_data["file"].name)
                status = 200
            except actions.BusinessError as error:
                form.add_error("file", error.message)
    response = render(request, "orderimport/format_sample.html", {
        "fmt": fmt, "form": form, "report": report,
        "can_edit": request.user.has_perm("orderimport.change_importformat")})
    response.status_code = status
    return response

