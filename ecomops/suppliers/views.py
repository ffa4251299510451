"""Pages of the supplier library (CAT-06): the supplier list and page (contacts, agreements, ratings,
styles supplied, sampling checks, recall cases, certificates from the STO-04 archive), their forms,
the sampling and recall lists and the recall case with its state moves.

Thin: scope (DAT-02: another client's supplier is a 404; shared suppliers are for staff only), render,
and call ``suppliers.actions`` through ``submit``.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ecomops.audit.masking import personal_value
from ecomops.core.decorators import page
from ecomops.core.forms import submit
from ecomops.org.scoping import get_visible_or_404
from ecomops.stores.enums import QualificationState
from ecomops.stores.queries import reminder_until

from . import actions, recall_hooks
from .forms import (
    BAND_RANGES,
    AgreementForm,
    ContactForm,
    RatingForm,
    RecallMoveForm,
    SamplingForm,
    StyleLinkForm,
    SupplierFilterForm,
    SupplierForm,
)
from .models import RecallCase, SamplingCheck, StyleSupplier, Supplier, SupplierContact, next_sampling_due
from .queries import current_rating, search_suppliers, supplier_qualifications, visible_or_404

PER_PAGE = 25


def _supplier(request, pk: int) -> Supplier:
    return visible_or_404(Supplier.objects.select_related("client"), request.user, pk=pk)


@page("suppliers.view_supplier")
def supplier_list(request):
    form = SupplierFilterForm(request.GET or None)
    filters = {}
    band = ""
    if form.is_valid():
        filters = {"q": form.cleaned_data["q"].strip(), "status": form.cleaned_data["status"]}
        band = form.cleaned_data["rating"]
        if band in BAND_RANGES:
            filters["min_score"], filters["max_score"] = BAND_RANGES[band]
    suppliers = search_suppliers(request.user, **filters)
    if band == "none":
        suppliers = suppliers.filter(current_score__isnull=True)
    page_obj = Paginator(suppliers, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "suppliers/supplier_list.html", {
        "form": form, "page_obj": page_obj, "suppliers": page_obj.object_list,
        "can_add": request.user.has_perm("suppliers.add_supplier"),
    })


@page("suppliers.view_supplier")
def supplier_detail(request, pk: int):
    supplier = _supplier(request, pk)
    user = request.user
    today = timezone.localdate()
    contacts = list(supplier.contacts.order_by("-is_active", "name", "pk"))
    for contact in contacts:
        contact.shown_phone = personal_value(user, contact, "phone", perm=actions.PHONE_PERM, request=request,
                                             purpose="supplier page")
    agreements = list(supplier.agreements.order_by("-valid_to", "-pk"))
    for agreement in agreements:
        agreement.status = agreement.status_on(today)
        agreement.status_label = agreement.status_label_on(today)
    archive = list(supplier_qualifications(user, supplier))
    until = reminder_until(today)
    for q in archive:
        q.status_label = QualificationState(q.status_on(today, until)).label
    return render(request, "suppliers/supplier_detail.html", {
        "supplier": supplier, "contacts": contacts, "agreements": agreements,
        "ratings": supplier.ratings.select_related("rated_by").order_by("-rated_at", "-pk")[:50],
        "current": current_rating(supplier),
        "links": StyleSupplier.objects.filter(supplier=supplier, style__in=_visible_styles(user))
        .select_related("style", "style__client").order_by("style__style_no"),
        "checks": SamplingCheck.objects.visible_to(user).filter(supplier=supplier)
        .select_related("style", "sku", "recall_case").order_by("-sampled_on", "-pk")[:50],
        "cases": RecallCase.objects.visible_to(user).filter(supplier=supplier).order_by("-opened_at", "-pk")[:50],
        "qualifications": archive,
        "next_sampling": next_sampling_due(supplier, today),
        "today": today,
    })


def _visible_styles(user):
    from ecomops.catalog.models import Style

    return Style.objects.visible_to(user)


def _form_page(request, form, *, title: str, supplier: Supplier | None, cancel: str, multipart: bool = False):
    return render(request, "suppliers/form.html", {
        "form": form, "title": title, "supplier": supplier, "cancel": cancel, "multipart": multipart,
    })


@page("suppliers.add_supplier")
def supplier_create(request):
    form = SupplierForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        client = data.pop("client")
        supplier = submit(form, actions.create_supplier, user=request.user, client=client, **data)
        if supplier is not None:
            messages.success(request, _("已登记供应商 %(name)s") % {"name": supplier.name})
            return redirect("suppliers:supplier_detail", pk=supplier.pk)
    return _form_page(request, form, title=_("登记供应商"), supplier=None, cancel="suppliers:suppliers")


@page("suppliers.change_supplier")
def supplier_edit(request, pk: int):
    supplier = _supplier(request, pk)
    form = SupplierForm(request.POST or None, instance=Supplier.objects.get(pk=supplier.pk), user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("client", None)
        if submit(form, actions.update_supplier, supplier, user=request.user, **data) is not None:
            messages.success(request, _("已保存"))
            return redirect("suppliers:supplier_detail", pk=supplier.pk)
    return _form_page(request, form, title=_("编辑供应商"), supplier=supplier, cancel="suppliers:supplier_detail")


@page("suppliers.add_suppliercontact")
def contact_create(request, pk: int):
    supplier = _supplier(request, pk)
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if submit(form, actions.add_contact, supplier, user=request.user, **form.cleaned_data) is not None:
            messages.success(request, _("已添加联系人"))
            return redirect("suppliers:supplier_detail", pk=supplier.pk)
    return _form_page(request, form, title=_("添加联系人"), supplier=supplier, cancel="suppliers:supplier_detail")


@page("suppliers.change_suppliercontact")
def contact_edit(request, pk: int):
    contact = visible_or_404(SupplierContact.objects.select_related("supplier"), request.user, pk=pk)
    supplier = contact.supplier
    if not request.user.has_perm(actions.PHONE_PERM):
        raise PermissionDenied  # editing shows the full phone: only for those who may read it
    form = ContactForm(request.POST or None, instance=SupplierContact.objects.get(pk=contact.pk))
    if request.method == "POST" and form.is_valid():
        if submit(form, actions.update_contact, contact, user=request.user, **form.cleaned_data) is not None:
            messages.success(request, _("已保存"))
            return redirect("suppliers:supplier_detail", pk=supplier.pk)
    return _form_page(request, form, title=_("编辑联系人"), supplier=supplier, cancel="suppliers:supplier_detail")


@page("suppliers.add_qualityagreement")
def agreement_create(request, pk: int):
    supplier = _supplier(request, pk)
    form = AgreementForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        upload = data.pop("upload")
        if submit(form, actions.add_agreement, supplier, user=request.user, upload=upload, **data) is not None:
            messages.success(request, _("已登记质量协议"))
            return redirect("suppliers:supplier_detail", pk=supplier.pk)
    return _form_page(request, form, title=_("登记质量协议"), supplier=supplier, cancel="suppliers:supplier_detail",
                      multipart=True)


@page("suppliers.add_supplierrating")
def rating_create(request, pk: int):
    supplier = _supplier(request, pk)
    form = RatingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if submit(form, actions.rate_supplier, supplier, user=request.user, **form.cleaned_data) is not None:
            messages.success(request, _("已添加评级"))
            return redirect("suppliers:supplier_detail", pk=supplier.pk)
    return _form_page(request, form, title=_("添加评级"), supplier=supplier, cancel="suppliers:supplier_detail")


@page("suppliers.add_stylesupplier")
def style_link(request, pk: int):
    supplier = _supplier(request, pk)
    form = StyleLinkForm(request.POST or None, user=request.user, supplier=supplier)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        style = data.pop("style")
        if submit(form, actions.link_style, supplier, style, user=request.user, **data) is not None:
            messages.success(request, _("已关联款式"))
            return redirect("suppliers:supplier_detail", pk=supplier.pk)
    return _form_page(request, form, title=_("关联供应款式"), supplier=supplier, cancel="suppliers:supplier_detail")


@require_POST
@page("suppliers.delete_stylesupplier")
def style_unlink(request, pk: int):
    link = visible_or_404(StyleSupplier.objects.select_related("supplier", "style"), request.user, pk=pk)
    get_visible_or_404(_visible_styles(request.user), request.user, pk=link.style_id)
    actions.unlink_style(link, user=request.user)
    messages.success(request, _("已取消关联"))
    return redirect("suppliers:supplier_detail", pk=link.supplier_id)


@page("suppliers.add_samplingcheck")
def sampling_create(request, pk: int):
    supplier = _supplier(request, pk)
    form = SamplingForm(request.POST or None, request.FILES or None, user=request.user, supplier=supplier)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        upload = data.pop("upload")
        check = submit(form, actions.record_sampling, user=request.user, supplier=supplier, upload=upload, **data)
        if check is not None:
            if check.failed:
                messages.warning(request, _("抽检不合格，已自动立下架召回单 %(number)s")
                                 % {"number": check.recall_case.number})
                return redirect("suppliers:recall_detail", pk=check.recall_case.pk)
            messages.success(request, _("已登记抽检结果"))
            return redirect("suppliers:supplier_detail", pk=supplier.pk)
    return _form_page(request, form, title=_("登记抽检"), supplier=supplier, cancel="suppliers:supplier_detail",
                      multipart=True)


@page("suppliers.view_samplingcheck")
def sampling_list(request):
    checks = SamplingCheck.objects.visible_to(request.user).select_related("supplier", "style", "client",
                                                                           "recall_case")
    result = request.GET.get("result", "")
    if result in ("pass", "fail"):
        checks = checks.filter(result=result)
    page_obj = Paginator(checks.order_by("-sampled_on", "-pk"), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "suppliers/sampling_list.html", {
        "page_obj": page_obj, "checks": page_obj.object_list, "result": result,
    })


@page("suppliers.view_recallcase")
def recall_list(request):
    cases = RecallCase.objects.visible_to(request.user).select_related("supplier", "client")
    state = request.GET.get("state", "")
    if state:
        cases = cases.filter(state=state)
    page_obj = Paginator(cases.order_by("-opened_at", "-pk"), PER_PAGE).get_page(request.GET.get("page"))
    from .enums import RecallState

    return render(request, "suppliers/recall_list.html", {
        "page_obj": page_obj, "cases": page_obj.object_list, "state": state, "states": RecallState.choices,
    })


def _case(request, pk: int) -> RecallCase:
    return get_visible_or_404(
        RecallCase.objects.select_related("supplier", "client", "sampling_check", "opened_by"), request.user, pk=pk
    )


@page("suppliers.view_recallcase")
def recall_detail(request, pk: int, form=None):
    case = _case(request, pk)
    affected, unshipped = recall_hooks.buyers(case, request.user)
    return render(request, "suppliers/recall_detail.html", {
        "case": case, "styles": case.styles.order_by("style_no"),
        "events": case.events.select_related("actor").order_by("at", "pk"),
        "orders": affected,
        "unshipped": unshipped,
        "can_find_orders": request.user.has_perm(actions.RECALL_PERM) and case.is_open,
        "form": form or RecallMoveForm(state=case.state),
        "can_move": request.user.has_perm(actions.RECALL_PERM) and case.is_open,
        "supplier_visible": Supplier.objects.visible_to(request.user).filter(pk=case.supplier_id).exists(),
        "listings": recall_hooks.listings(request.user, case),
    })


@require_POST
@page(("suppliers.view_recallcase", "suppliers.change_recallcase"))
def recall_find_orders(request, pk: int):
    """CAT-06: look again for orders that shipped the case's lots (say, ones that left after the case
    was opened) and register the new ones."""
    case = _case(request, pk)
    if not case.is_open:
        messages.error(request, _("召回单已结案，不能再登记订单"))
        return redirect("suppliers:recall_detail", pk=case.pk)
    found = recall_hooks.register_orders(case, user=request.user)
    messages.success(request, _("新登记涉及订单 %(n)d 笔") % {"n": found})
    return redirect("suppliers:recall_detail", pk=case.pk)


@require_POST
@page(("suppliers.view_recallcase", "suppliers.change_recallcase"))
def recall_move(request, pk: int):
    case = _case(request, pk)
    form = RecallMoveForm(request.POST, state=case.state)
    if form.is_valid():
        moved = submit(form, actions.move_recall, case, user=request.user, to_state=form.cleaned_data["to_state"],
                       note=form.cleaned_data["note"])
        if moved is not None:
            messages.success(request, _("召回单已改为“%(state)s”") % {"state": moved.get_state_display()})
            return redirect("suppliers:recall_detail", pk=case.pk)
    response = recall_detail(request, pk, form=form)
    response.status_code = 400
    return response
