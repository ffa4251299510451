"""Pages of admission review (CAT-01) and listing (CAT-02, CAT-03, LAW-02): the admission queue and
checklist, the listing list by store and status, and a listing with its content, compliance hits,
review actions and timeline.

Views stay thin: they scope (DAT-02: another client's record is a 404), render, and call ``actions``.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from ecomops.audit.models import DueItem
from ecomops.catalog.models import Style
from ecomops.core.access import opens_when
from ecomops.core.decorators import internal_page, page
from ecomops.core.forms import submit
from ecomops.core.outcome import run_action
from ecomops.org.models import Store
from ecomops.org.scoping import get_visible_or_404, is_client_member

from . import actions, rules
from .enums import EDITABLE_LISTING, REVIEWABLE_LISTING, AdmissionState, CheckItem, ContentField, ListingState
from .forms import ContentForm, DecisionForm, ItemForm, ListingCreateForm, ListingFilterForm, measure_form
from .models import AdmissionReview, Listing, NewProductChain

PER_PAGE = 25


def _paginate(request, queryset):
    return Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))


# --- CAT-01: admission ---------------------------------------------------------------------------


@page("listing.view_admissionreview")
def admission_list(request):
    status = request.GET.get("status", AdmissionState.PENDING)
    reviews = AdmissionReview.objects.visible_to(request.user).select_related("style", "style__client",
                                                                              "opened_by", "decided_by")
    if status in AdmissionState.values:
        reviews = reviews.filter(status=status)
    page_obj = _paginate(request, reviews.order_by("-opened_at", "-pk"))
    waiting = []
    if request.user.has_perm("listing.add_admissionreview") and not is_client_member(request.user):
        reviewed = AdmissionReview.objects.filter(style=OuterRef("pk")).exclude(status=AdmissionState.REJECTED)
        waiting = list(Style.objects.visible_to(request.user).exclude(Exists(reviewed))
                       .select_related("client", "category").order_by("client__code", "style_no")[:50])
    return render(request, "listing/admission_list.html", {
        "page_obj": page_obj, "reviews": page_obj.object_list, "status": status,
        "statuses": AdmissionState.choices, "waiting": waiting,
    })


@page("listing.add_admissionreview")
@require_POST
def admission_open(request, style_pk: int):
    style = get_visible_or_404(Style, request.user, pk=style_pk)
    review = run_action(request, actions.open_admission, user=request.user, style=style,
                  note=request.POST.get("note", "")[:500])
    if review is None:
        return redirect("listing:admissions")
    return redirect("listing:admission_detail", pk=review.pk)


def _review_or_404(request, pk: int) -> AdmissionReview:
    return get_visible_or_404(
        AdmissionReview.objects.select_related("style", "style__client", "style__brand", "style__category"),
        request.user, pk=pk,
    )


def _evidence_choices(style, code):
    if code == CheckItem.QUALITY:
        return rules.quality_reports(style)
    if code == CheckItem.BRAND_AUTHORISATION:
        return rules.brand_authorisations(style)
    if code == CheckItem.CERTIFICATES:
        return rules.licences_for(style)
    return []


@page("listing.view_admissionreview")
def admission_detail(request, pk: int, forms_by_code=None):
    review = _review_or_404(request, pk)
    style = review.style
    user = request.user
    can_review = (user.has_perm("listing.review_admissionreview") and not is_client_member(user)
                  and review.status == AdmissionState.PENDING)
    items = list(review.items.select_related("evidence", "checked_by", "sampling_check",
                                             "sampling_check__style").order_by("pk"))
    forms_by_code = forms_by_code or {}
    checks = rules.sampling_checks(style) if can_review else []
    for item in items:
        item.form = forms_by_code.get(item.code) or ItemForm(
            initial={"result": item.result if item.result != "pending" else "passed", "note": item.note,
                     "evidence": item.evidence_id, "sampling_reference": item.sampling_reference,
                     "sampling_check": item.sampling_check_id},
            evidence_choices=_evidence_choices(style, item.code) if can_review else (),
            sampling_choices=checks if item.code == CheckItem.QUALITY else (), prefix=item.code,
        )
    return render(request, "listing/admission_detail.html", {
        "review": review, "style": style, "items": items, "events": review.events.select_related("actor"),
        "can_review": can_review, "decision_form": DecisionForm(),
        "can_resubmit": (user.has_perm("listing.add_admissionreview") and not is_client_member(user)
                         and review.status == AdmissionState.RETURNED),
        "special_goods": rules.special_goods_of(style),
        "listings": Listing.objects.visible_to(user).filter(style=style).select_related("store"),
    })


@page("listing.review_admissionreview")
@require_POST
def admission_item(request, pk: int, code: str):
    review = _review_or_404(request, pk)
    if code not in CheckItem.values:
        raise Http404
    evidence_choices = _evidence_choices(review.style, code)
    sampling_choices = rules.sampling_checks(review.style) if code == CheckItem.QUALITY else []
    form = ItemForm(request.POST, evidence_choices=evidence_choices, sampling_choices=sampling_choices,
                    prefix=code)
    if form.is_valid():
        data = form.cleaned_data
        evidence = next((q for q in evidence_choices if q.pk == data["evidence"]), None)
        check = next((c for c in sampling_choices if c.pk == data["sampling_check"]), None)
        saved = submit(form, actions.record_item, review, user=request.user, code=code, result=data["result"],
                       note=data["note"], evidence=evidence, sampling_reference=data["sampling_reference"],
                       sampling_check=check)
        if saved is not None:
            messages.success(request, _("已记录：%(item)s") % {"item": saved.get_code_display()})
            return redirect("listing:admission_detail", pk=review.pk)
    return admission_detail(request, pk, forms_by_code={code: form})


@page("listing.view_admissionreview")
@require_POST
def admission_step(request, pk: int, step: str):
    review = _review_or_404(request, pk)
    reasons = request.POST.get("reasons", "")
    outcomes = {"approve": AdmissionState.APPROVED, "reject": AdmissionState.REJECTED,
                "return": AdmissionState.RETURNED}
    if step in outcomes:
        done = run_action(request, actions.decide_admission, review, user=request.user, outcome=outcomes[step],
                    reasons=reasons)
    elif step == "resubmit":
        done = run_action(request, actions.resubmit_admission, review, user=request.user, note=reasons)
    else:
        raise Http404
    if done is not None:
        messages.success(request, _("准入审核现为“%(status)s”") % {"status": done.get_status_display()})
    return redirect("listing:admission_detail", pk=review.pk)


# --- CAT-02 / CAT-03: listings ------------------------------------------------------------------


@page("listing.view_listing")
def listing_list(request):
    stores = Store.objects.visible_to(request.user).order_by("code")
    form = ListingFilterForm(request.GET or None, stores=stores)
    listings = Listing.objects.visible_to(request.user).select_related("store", "style", "style__client")
    if form.is_valid():
        data = form.cleaned_data
        if data["store"]:
            listings = listings.filter(store=data["store"])
        if data["status"]:
            listings = listings.filter(status=data["status"])
        if data["q"]:
            listings = listings.filter(Q(title__icontains=data["q"]) | Q(style__style_no__icontains=data["q"])
                                       | Q(style__name__icontains=data["q"]))
    page_obj = _paginate(request, listings.order_by("-created_at", "-pk"))
    return render(request, "listing/listing_list.html", {
        "form": form, "page_obj": page_obj, "listings": page_obj.object_list,
        "can_add": request.user.has_perm("listing.add_listing") and not is_client_member(request.user),
    })


@page("listing.add_listing")
def listing_create(request):
    if is_client_member(request.user):
        raise PermissionDenied
    stores = Store.objects.visible_to(request.user).order_by("code")
    initial = {}
    if request.GET.get("store", "").isdigit():
        initial["store"] = int(request.GET["store"])
    if request.GET.get("style"):
        initial["style_no"] = request.GET["style"][:40]
    form = ListingCreateForm(request.POST or None, stores=stores, initial=initial)
    if request.method == "POST" and form.is_valid():
        store = form.cleaned_data["store"]
        style = Style.objects.filter(client_id=store.client_id, style_no=form.cleaned_data["style_no"].strip()).first()
        if style is None:
            form.add_error("style_no", _("该店铺的委托方没有这个款号"))
        else:
            listing = submit(form, actions.create_listing, user=request.user, store=store, style=style,
                             **form.content())
            if listing is not None:
                messages.success(request, _("已创建上架草稿"))
                return redirect("listing:listing_detail", pk=listing.pk)
    return render(request, "listing/listing_form.html", {"form": form})


def _listing_or_404(request, pk: int) -> Listing:
    return get_visible_or_404(
        Listing.objects.select_related("store", "store__client", "store__platform", "style", "style__category",
                                       "style__brand"),
        request.user, pk=pk,
    )


def _segments(text: str, hits) -> list[tuple[str, object]]:
    """The text cut into (piece, hit or None) so the hits can be highlighted."""
    pieces, at = [], 0
    for hit in sorted(hits, key=lambda h: (h.start, h.end)):
        if hit.start < at:
            continue
        if hit.start > at:
            pieces.append((text[at:hit.start], None))
        pieces.append((text[hit.start:hit.end], hit))
        at = hit.end
    if at < len(text):
        pieces.append((text[at:], None))
    return pieces


@page("listing.view_listing")
def listing_detail(request, pk: int, content_form=None):
    listing = _listing_or_404(request, pk)
    user = request.user
    internal = not is_client_member(user)
    hits = list(listing.current_hits())
    texts = {ContentField.TITLE: listing.title, ContentField.SELLING_POINTS: "\n".join(listing.selling_points),
             ContentField.DESCRIPTION: listing.description}
    fields = [{"label": ContentField(name).label, "name": name,
               "segments": _segments(text, [h for h in hits if h.field == name])} for name, text in texts.items()]
    editable = internal and user.has_perm("listing.change_listing") and listing.status in EDITABLE_LISTING
    if content_form is None and editable:
        content_form = ContentForm(initial={
            "title": listing.title, "selling_points": "\n".join(listing.selling_points),
            "description": listing.description, "images": "\n".join(listing.images), "price": listing.price,
        })
    refusals = rules.listing_refusals(listing.store, listing.style) if listing.status not in (
        ListingState.PUBLISHED,) else []
    can_review = internal and user.has_perm("listing.review_listing")
    can_publish = internal and user.has_perm("listing.publish_listing")
    return render(request, "listing/listing_detail.html", {
        "listing": listing, "hits": hits, "fields": fields, "content_form": content_form if editable else None,
        "events": listing.events.select_related("actor"), "refusals": refusals,
        "can_submit": editable and listing.status != ListingState.DELISTED,
        "can_relist": editable and listing.status == ListingState.DELISTED,
        "can_review": can_review and listing.status in REVIEWABLE_LISTING,
        "can_return_approved": can_review and listing.status == ListingState.APPROVED,
        "can_publish": can_publish and listing.status == ListingState.APPROVED,
        "can_delist": can_publish and listing.status == ListingState.PUBLISHED,
        "admission": listing.style.admissions.order_by("-opened_at", "-pk").first(),
    })


@page("listing.view_listing")
@require_POST
def listing_step(request, pk: int, step: str):
    listing = _listing_or_404(request, pk)
    user, post = request.user, request.POST
    if step == "content":
        form = ContentForm(post)
        if form.is_valid() and submit(form, actions.update_content, listing, user=user, **form.content()):
            messages.success(request, _("内容已保存"))
            return redirect("listing:listing_detail", pk=listing.pk)
        return listing_detail(request, pk, content_form=form)
    steps = {
        "submit": lambda: actions.submit_listing(listing, user=user, note=post.get("note", "")),
        "relist": lambda: actions.relist_listing(listing, user=user, note=post.get("note", "")),
        "approve": lambda: actions.approve_listing(listing, user=user, comment=post.get("comment", ""),
                                                   publish=bool(post.get("publish"))),
        "return": lambda: actions.return_listing(listing, user=user, reasons=post.get("comment", "")),
        "publish": lambda: actions.publish_listing(listing, user=user),
        "delist": lambda: actions.delist_listing(listing, user=user, reason=post.get("reason", "")),
    }
    if step not in steps:
        raise Http404
    done = run_action(request, steps[step])
    if done is not None:
        if done.status == ListingState.NEEDS_REVIEW:
            messages.warning(request, _("内容命中违禁词，已转人工复核，请查看命中位置"))
        else:
            messages.success(request, _("商品上架现为“%(status)s”") % {"status": done.get_status_display()})
    return redirect("listing:listing_detail", pk=listing.pk)


# --- CAT-08: the new-product chain ---------------------------------------------------------------

CHAIN_VIEW_PERM = "listing.view_newproductchain"


def _chains(user):
    """The chains the user may open: those of the clients seen whole, and those whose measuring item
    was given to the user (QC works for every client in the warehouse)."""
    mine = DueItem.objects.filter(kind=actions.MEASURE_DUE_KIND, owner=user).values_list("source_id", flat=True)
    ids = [int(pk) for pk in mine if str(pk).isdigit()]
    visible = NewProductChain.objects.visible_to(user)
    return NewProductChain.objects.filter(Q(pk__in=visible.values("pk")) | Q(pk__in=ids))


def _may_open_chains(user) -> bool:
    return user.has_perm(CHAIN_VIEW_PERM) or user.is_superuser or actions.QC_POSITION in actions.position_codes(user)


@opens_when(_may_open_chains)
@internal_page()
def chain_list(request):
    """CAT-08: new styles put away, with their measuring and publishing deadlines."""
    if not _may_open_chains(request.user):
        raise PermissionDenied
    state = request.GET.get("state", "open")
    chains = _chains(request.user).select_related("style", "style__client", "first_listing", "measured_by")
    if state == "measure":
        chains = chains.filter(measured_at__isnull=True)
    elif state == "publish":
        chains = chains.filter(published_at__isnull=True)
    elif state == "open":
        chains = chains.filter(Q(measured_at__isnull=True) | Q(published_at__isnull=True))
    else:
        state = "all"
    page_obj = _paginate(request, chains.order_by("-inbound_at", "-pk"))
    for chain in page_obj.object_list:
        chain.can_measure = chain.measured_at is None and actions.may_measure(request.user, chain)
    states = [("open", _("未完成")), ("measure", _("待量尺码")), ("publish", pgettext("listing", "待上架")),
              ("all", _("全部"))]
    return render(request, "listing/chain_list.html", {
        "page_obj": page_obj, "chains": page_obj.object_list, "state": state, "states": states,
        "now": timezone.now(),
    })


@opens_when(_may_open_chains)
@internal_page()
def chain_measure(request, pk: int):
    """CAT-08: QC records the sizes measured on the samples; this completes the measuring due item."""
    user = request.user
    chain = _chains(user).select_related("style", "style__client", "style__category", "first_listing",
                                         "measured_by").filter(pk=pk).first()
    if chain is None:
        raise Http404
    can_measure = chain.measured_at is None and actions.may_measure(user, chain)
    if not (can_measure or _may_open_chains(user)):
        raise PermissionDenied
    style = chain.style
    sizes = actions.sizes_to_measure(style)
    form = None
    if can_measure:
        form = measure_form(sizes, request.POST or None, prefix="m")
        if request.method == "POST" and form.is_valid():
            done = submit(form, actions.record_sizes_measured, chain, user=user,
                          measurements=form.measurements(), note=form.cleaned_data["note"])
            if done is not None:
                messages.success(request, _("已登记 %(no)s 的量尺码结果") % {"no": style.style_no})
                return redirect("listing:chain_measure", pk=chain.pk)
    elif request.method == "POST":
        raise PermissionDenied
    skus = list(style.skus.filter(is_active=True).order_by("pk"))
    colours_by_size: dict[str, list[str]] = {}
    for sku in skus:
        colours_by_size.setdefault(sku.size, []).append(sku.colour or "—")
    rows = [{"size": size, "colours": colours_by_size.get(size, []), "value": chain.measurements.get(size, ""),
             "field": form[f"size_{index}"] if form is not None else None} for index, size in enumerate(sizes)]
    return render(request, "listing/chain_measure.html", {
        "chain": chain, "style": style, "rows": rows, "form": form, "now": timezone.now(),
        "can_view_style": user.has_perm("catalog.view_style")
        and Style.objects.visible_to(user).filter(pk=style.pk).exists(),
        "can_view_listing": user.has_perm("listing.view_listing"),
    }, status=400 if form is not None and form.errors else 200)
