"""Uploaded files are served only through views that check permission and scope (DAT-02, LAW-04).

There is no open media route, in development or production: ``/media/<name>`` (the address every
``FieldFile.url`` gives, on pages and in the admin) is ``serve_upload``, which serves ``name`` only when
a record the user may see holds it, under the rule of its field below; anything else, an unknown name,
a record of another client or a file that is never served, is the same 404. Pages that link a file
through a view of their own (the store documents, ``stores.views``) use ``serve_field`` for the same
response.

Every FileField of the project is listed in ``RULES`` (a test fails for one that is not), either with
the permissions and the scoped queryset that decide who may download it, or as never served.
Production must not let the web server serve ``MEDIA_ROOT`` directly (README).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from pathlib import PurePath

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404

from ecomops.core.users import is_client_member

# Shown in the browser; anything else is a download (an uploaded .html or .svg must never run as a page).
INLINE_TYPES = {"pdf", "png", "jpg", "jpeg"}


@dataclass(frozen=True)
class Rule:
    """Who may download the files of ``model``'s ``field``: users holding ``perms`` (client users only
    when ``internal`` is False), for the records ``visible`` gives them: ``"scoped"`` for
    ``Model.objects.visible_to(user)``, ``"all"`` for every record, or the dotted path of a function
    ``user → queryset``. ``visible=None``: never served over HTTP."""

    model: str
    field: str
    perms: tuple[str, ...] = ()
    visible: str | None = "scoped"
    internal: bool = True
    filename_field: str = ""


RULES: tuple[Rule, ...] = (
    # ORD-02, LAW-04: a platform export with every buyer's name, phone and address, kept encrypted for
    # the import only and then deleted. The import's results and error rows are its downloads.
    Rule("orderimport.ImportJob", "file", visible=None),
    Rule("orderimport.ImportJob", "second_file", visible=None),  # the other file of a Taobao/Tmall pair
    # STO-02 onboarding documents, STO-04 certificates, STO-03 store logos (stores.views links them too).
    Rule("stores.ApplicationDocument", "file", ("stores.view_storeapplication",), filename_field="original_name"),
    Rule("stores.Qualification", "file", ("stores.view_qualification",), internal=False,
         filename_field="original_name"),
    Rule("stores.StoreProfile", "logo", ("org.view_store",), internal=False),
    Rule("stores.ProfileChangeRequest", "logo", ("stores.view_profilechangerequest",)),
    # CAT-06: quality agreements and sampling reports, on the supplier's page.
    Rule("suppliers.QualityAgreement", "file", ("suppliers.view_supplier",), internal=False,
         filename_field="original_name"),
    Rule("suppliers.SamplingCheck", "report", ("suppliers.view_samplingcheck",), internal=False,
         filename_field="original_name"),
    # PER-14: the evidence of a KPI actual, in the scope of the targets.
    Rule("payroll.KpiActual", "evidence_file", ("payroll.view_target",),
         visible="ecomops.payroll.queries.visible_kpis"),
    # ORG-04: a sick-leave certificate (health data), for those who handle leave requests.
    Rule("org.LeaveRequest", "certificate", ("org.view_leaverequest",), visible="all"),
    # Issue 15: a background export of the order list, to the user who asked for it only.
    # DAT-01: the periodic management reports, company-wide figures: only to users who see every client.
    Rule("reports.ManagementReport", "xlsx_file", ("reports.view_managementreport",),
         visible="ecomops.reports.queries.visible_reports"),
    Rule("reports.ManagementReport", "pdf_file", ("reports.view_managementreport",),
         visible="ecomops.reports.queries.visible_reports"),
    Rule("orders.ExportJob", "file", ("orders.view_order",), visible="ecomops.orders.exports.own_export_jobs",
         internal=False, filename_field="download_name"),
)


def rule_for(model, field: str) -> Rule | None:
    label = f"{model._meta.app_label}.{model._meta.object_name}"
    return next((r for r in RULES if r.model == label and r.field == field), None)


def _visible(rule: Rule, user):
    model = apps.get_model(rule.model)
    if rule.visible == "scoped":
        return model.objects.visible_to(user)
    if rule.visible == "all":
        return model.objects.all()
    module, _dot, name = rule.visible.rpartition(".")
    function: Callable = getattr(import_module(module), name)
    return function(user)


def holder(user, name: str):
    """The (rule, record) through which ``user`` may download the stored file ``name``, or None."""
    if not name or not getattr(user, "is_authenticated", False):
        return None
    for rule in RULES:
        if rule.visible is None:
            continue
        if rule.internal and is_client_member(user):
            continue
        if rule.perms and not user.has_perms(rule.perms):
            continue
        record = _visible(rule, user).filter(**{rule.field: name}).first()
        if record is not None:
            return rule, record
    return None


def serve_field(field, filename: str = ""):
    """The response for one stored file: inline when it is a PDF or an image, else a download; never
    cached by a shared cache, never run as a page. 404 when the field is empty or the file is gone."""
    if not field:
        raise Http404
    try:
        handle = field.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    stored = PurePath(field.name).name
    filename = PurePath(filename or stored).name
    extension = stored.rsplit(".", 1)[-1].lower() if "." in stored else ""
    inline = extension in INLINE_TYPES
    if inline and not filename.lower().endswith("." + extension):
        filename = stored
    response = FileResponse(handle, as_attachment=not inline, filename=filename)
    if not inline:
        response["Content-Type"] = "application/octet-stream"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def serve_upload(request, name: str):
    found = holder(request.user, name)
    if found is None:
        raise Http404
    rule, record = found
    filename = getattr(record, rule.filename_field, "") if rule.filename_field else ""
    return serve_field(getattr(record, rule.field), filename)


def random_name(upload):
    """Give ``upload`` a random name that keeps only its extension (the original name may carry a
    person's name; the record keeps it for display where it needs to)."""
    if upload is not None:
        original = PurePath(getattr(upload, "name", "") or "").name
        extension = original.rsplit(".", 1)[-1].lower()[:10] if "." in original else "bin"
        upload.name = f"{uuid.uuid4().hex}.{extension}"
    return upload
