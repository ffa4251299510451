"""经营报表 (DAT-01): the list of the periodic management reports with their downloads and mail status,
and 立即生成. Company-wide figures: only users who see every client (``queries.may_view``); anyone else
gets a 403 for the page without the permission and a 404 for a file (as for a file that does not exist)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from ecomops.core.access import opens_when
from ecomops.core.decorators import internal_page
from ecomops.core.forms import submit
from ecomops.core.uploads import serve_field

from . import queries
from .build import generate
from .forms import GenerateForm
from .mail import mail_configured, send_report
from .models import MailStatus, ReportKind

PER_PAGE = 30


@opens_when(queries.may_view, internal=True)
@internal_page(queries.VIEW_PERM)
def report_list(request):
    if not queries.may_view(request.user):
        raise PermissionDenied
    can_generate = queries.may_generate(request.user)
    form = GenerateForm(request.POST or None, prefix="g")
    if request.method == "POST":
        if not can_generate:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            report = submit(form, generate, data["kind"], data["day"])
            if report is not None:
                if data["mail"]:
                    send_report(report)
                done = _("已生成%(report)s（第 %(n)d 次）") % {"report": str(report), "n": report.generation}
                if data["mail"]:
                    done += "；" + report.get_mail_status_display()
                    if report.mail_status == MailStatus.FAILED:
                        messages.warning(request, _("邮件发送失败：%(error)s") % {"error": report.mail_error})
                messages.success(request, done)
                return redirect("reports:list")
    kind = request.GET.get("kind", "")
    reports = queries.visible_reports(request.user)
    if kind in ReportKind.values:
        reports = reports.filter(kind=kind)
    else:
        kind = ""
    page_obj = Paginator(reports.order_by("-period_start", "kind", "-pk"), PER_PAGE).get_page(request.GET.get("page"))
    tabs = [("", _("全部"))] + list(ReportKind.choices)
    return render(request, "reports/list.html", {
        "page_obj": page_obj, "reports": page_obj.object_list, "kind": kind, "tabs": tabs, "form": form,
        "can_generate": can_generate, "mail_configured": mail_configured(),
    })


@opens_when(queries.may_view, internal=True)
@internal_page()
def report_download(request, pk: int, extension: str):
    """One report's .xlsx or .pdf, through the permission and scope check (never an open /media/ path)."""
    report = queries.visible_reports(request.user).filter(pk=pk).first()
    if report is None or extension not in ("xlsx", "pdf"):
        raise Http404
    field = report.xlsx_file if extension == "xlsx" else report.pdf_file
    return serve_field(field, report.download_name(extension))
