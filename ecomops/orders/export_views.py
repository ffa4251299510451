"""我的导出 (issue 15): big order exports run in the background; the user starts one from the order
list and follows it here, with its progress (refreshed by htmx) and, when done, the download link.
A user sees their own jobs only; the file is served to its owner only (``core.uploads``)."""

from __future__ import annotations

from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ecomops.core.decorators import page
from ecomops.core.outcome import run_action

from .exports import start_export_job
from .models import ExportJob
from .queries import search_orders

SHOWN = 50


@page("orders.view_order")
def export_jobs(request):
    jobs = list(ExportJob.objects.filter(user=request.user).order_by("-created_at", "-pk")[:SHOWN])
    context = {"jobs": jobs, "polling": any(job.active for job in jobs)}
    if request.htmx:
        return render(request, "orders/export_jobs.html#jobs", context)
    return render(request, "orders/export_jobs.html", context)


@require_POST
@page("orders.view_order")
def export_start(request):
    from .views import _list_filters

    query = (request.POST.get("query") or "")[:2000]
    params = QueryDict(query)
    reveal = request.POST.get("reveal") == "1"
    total = search_orders(request.user, **_list_filters(params)).count()
    job = run_action(request, start_export_job, request.user, query=params.urlencode(), reveal=reveal, total=total,
                     request=request, flash_forbidden=True,
                     done=_("已开始在后台导出 %(n)d 单，完成后可在此下载") % {"n": total})
    if job is None:
        return redirect(reverse("orders:orders") + "?" + params.urlencode())
    return redirect("orders:exports")
