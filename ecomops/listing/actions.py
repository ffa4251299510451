"""Every change to admission reviews (CAT-01), listings (CAT-02, CAT-03, LAW-02) and the new-product
chain (CAT-08).

Views, the API and the CLI call these functions only. Each checks the permission and the user's
client/store scope (DAT-02; a client's own users only read), refuses out-of-order steps with a
BusinessError, runs in one transaction and writes an event row (who, when, from, to, note) next to the
audit history.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ecomops.audit import dues
from ecomops.audit.models import DueItem
from ecomops.catalog.models import Style
from ecomops.compliance import checker
from ecomops.core.errors import BusinessError, NotAllowed
from ecomops.core.flow import allowed, transition
from ecomops.core.history import save_audited
from ecomops.core.validate import save_checked
from ecomops.org.actions import require_staff_perm
from ecomops.org.enums import StaffState
from ecomops.org.models import Store
from ecomops.org.scoping import is_client_member, scope_for
from ecomops.policy import registry

from . import events, rules
from .enums import (
    ADMISSION_FLOW,
    EDITABLE_LISTING,
    LISTING_FLOW,
    OPEN_ADMISSION,
    REVIEWABLE_LISTING,
    AdmissionEventKind,
    AdmissionState,
    CheckItem,
    ContentField,
    ItemResult,
    ListingEventKind,
    ListingState,
)
from .models import (
    DESCRIPTION_MAX,
    IMAGE_MAX,
    IMAGES_MAX,
    SELLING_POINT_MAX,
    SELLING_POINTS_MAX,
    TITLE_MAX,
    AdmissionItem,
    AdmissionReview,
    Listing,
    ListingHit,
    NewProductChain,
)

PUBLISH_DUE_KIND = "listing.new_product_publish"
MEASURE_DUE_KIND = "listing.new_product_measure"
PUBLISH_WITHIN_KEY = "CAT-08.publish_within"
MEASURE_DAYS_KEY = "CAT-08.qc_measure_days"
PRODUCT_DEPARTMENT = "product_editing"
QC_POSITION = "qc_inspector"


# --- helpers ---------------------------------------------------------------------------------


_require = require_staff_perm  # AGY-07: staff only (org.actions)


def _require_client(user, client_id: int) -> None:
    if not scope_for(user).sees_client(client_id):
        raise BusinessError(_("款式不存在"), field="style", code="not_found")


def _require_store(user, store: Store) -> None:
    if not scope_for(user).sees_store(store.pk):
        raise BusinessError(_("店铺不存在"), field="store", code="not_found")


def _transition(instance, to: str, **kwargs) -> None:
    """``core.flow.transition`` on the ``status`` field."""
    transition(instance, to, field="status", **kwargs)


def _wrong_state(current_label, target_label, what) -> BusinessError:
    return BusinessError(
        _("%(what)s当前为“%(current)s”，不能变为“%(target)s”")
        % {"what": what, "current": current_label, "target": target_label},
        field="status", code="wrong_state",
    )


# --- CAT-01: admission review ----------------------------------------------------------------


def _locked_review(review: AdmissionReview) -> AdmissionReview:
    locked = AdmissionReview.objects.select_for_update(of=("self",))
    return locked.select_related("style", "style__client").get(pk=review.pk)


def _check_review(review: AdmissionReview, to: str) -> None:
    if not allowed(ADMISSION_FLOW, review.status, to):
        raise _wrong_state(review.get_status_display(), AdmissionState(to).label, _("准入审核"))


def _move_review(review: AdmissionReview, to: str, *, user, kind: str, note: str = "") -> None:
    """``core.flow.transition`` on ADMISSION_FLOW: check, set, save with the event's name as the history
    reason, write the event."""
    _transition(review, to, flow=ADMISSION_FLOW, user=user, reason=str(AdmissionEventKind(kind).label),
                check=_check_review, event=events.review_moved, event_kwargs={"kind": kind, "note": note})


@transaction.atomic
def open_admission(*, user, style: Style, note: str = "") -> AdmissionReview:
    """CAT-01: put a style up for admission review with the full checklist, each item unchecked."""
    _require(user, "listing.add_admissionreview")
    _require_client(user, style.client_id)
    style = Style.objects.select_for_update().get(pk=style.pk)
    existing = AdmissionReview.objects.filter(style=style, status__in=(*OPEN_ADMISSION, AdmissionState.APPROVED))
    found = existing.first()
    if found is not None:
        if found.status == AdmissionState.APPROVED:
            raise BusinessError(_("款式 %(no)s 已通过准入审核") % {"no": style.style_no}, code="conflict")
        raise BusinessError(_("款式 %(no)s 已有进行中的准入审核") % {"no": style.style_no}, code="conflict")
    review = AdmissionReview(style=style, opened_by=user, note=note[:500])
    save_checked(review, user=user)
    for code in CheckItem.values:
        item = AdmissionItem(review=review, code=code)
        save_audited(item, user=user)
    events.review_opened(review, user=user, note=note)
    return review


@transaction.atomic
def record_item(review: AdmissionReview, *, user, code: str, result: str, note: str = "", evidence=None,
                sampling_reference: str = "", sampling_check=None) -> AdmissionItem:
    """CAT-01: record one checklist item's result. Only while the review is pending. The quality item
    may cite a sampling check of the supplier library (CAT-06) of the same client; a failed check
    cannot make it pass."""
    _require(user, "listing.review_admissionreview")
    review = _locked_review(review)
    _require_client(user, review.style.client_id)
    if review.status != AdmissionState.PENDING:
        raise BusinessError(_("准入审核当前为“%(status)s”，不能记录检查结果")
                            % {"status": review.get_status_display()}, field="status", code="wrong_state")
    if code not in CheckItem.values:
        raise BusinessError(_("没有这个检查项目"), field="code")
    if result not in ItemResult.values or result == ItemResult.PENDING:
        raise BusinessError(_("请选择检查结果"), field="result")
    note = (note or "").strip()
    sampling_reference = (sampling_reference or "").strip()
    if len(note) > 1000:
        raise BusinessError(_("说明最多 1000 字"), field="note")
    if len(sampling_reference) > 200:
        raise BusinessError(_("抽检说明最多 200 字"), field="sampling_reference")
    if result == ItemResult.FAILED and not note:
        raise BusinessError(_("不符合时须写明原因"), field="note")
    style = review.style
    if evidence is not None:
        rules.check_evidence(style, code, evidence)
    if sampling_check is not None:
        rules.check_sampling(style, code, sampling_check)
    if result == ItemResult.NOT_APPLICABLE:
        reason = rules.not_applicable_refusal(style, code)
        if reason:
            raise BusinessError(reason, field="result")
    if result == ItemResult.PASSED:
        reason = rules.pass_refusal(style, code, evidence=evidence, sampling_reference=sampling_reference,
                                    sampling_check=sampling_check)
        if reason:
            if code != CheckItem.QUALITY:
                field = "evidence"
            else:
                field = "sampling_check" if sampling_check is not None else "sampling_reference"
            raise BusinessError(reason, field=field)
    item = review.items.select_for_update().get(code=code)
    item.result, item.note, item.evidence = result, note, evidence
    item.sampling_reference, item.sampling_check = sampling_reference, sampling_check
    item.checked_by, item.checked_at = user, timezone.now()
    save_audited(item, user=user)
    summary = f"{item.get_code_display()}：{item.get_result_display()}"
    events.review_item_checked(review, user=user, summary=summary, note=note)
    return item


@transaction.atomic
def decide_admission(review: AdmissionReview, *, user, outcome: str, reasons: str = "") -> AdmissionReview:
    """CAT-01: approve, reject with reasons, or return for changes. Approval needs every item checked
    and none failing; the brand authorisation and the category's licence are checked again now."""
    _require(user, "listing.review_admissionreview")
    review = _locked_review(review)
    _require_client(user, review.style.client_id)
    reasons = (reasons or "").strip()
    if len(reasons) > 2000:
        raise BusinessError(_("审核意见最多 2000 字"), field="reasons")
    if outcome not in (AdmissionState.APPROVED, AdmissionState.REJECTED, AdmissionState.RETURNED):
        raise BusinessError(_("审核结论只能是通过、驳回或退回修改"), field="outcome")
    if review.status != AdmissionState.PENDING:
        raise _wrong_state(review.get_status_display(), AdmissionState(outcome).label, _("准入审核"))
    items = list(review.items.select_related("evidence", "sampling_check", "sampling_check__style"))
    if outcome == AdmissionState.APPROVED:
        unchecked = [str(i.get_code_display()) for i in items if i.result == ItemResult.PENDING]
        if unchecked:
            raise BusinessError(_("还有未检查的项目：%(items)s") % {"items": "、".join(unchecked)}, field="outcome")
        failed = [str(i.get_code_display()) for i in items if i.result == ItemResult.FAILED]
        if failed:
            raise BusinessError(_("有不符合的项目，不能通过：%(items)s") % {"items": "、".join(failed)},
                                field="outcome")
        for item in items:
            if item.result == ItemResult.PASSED:
                refusal = rules.pass_refusal(review.style, item.code, evidence=item.evidence,
                                             sampling_reference=item.sampling_reference,
                                             sampling_check=item.sampling_check)
                if refusal:
                    raise BusinessError(refusal, field="outcome")
    elif not reasons:
        raise BusinessError(_("驳回或退回时须写明原因"), field="reasons")
    kind = {AdmissionState.APPROVED: AdmissionEventKind.APPROVED, AdmissionState.REJECTED:
            AdmissionEventKind.REJECTED, AdmissionState.RETURNED: AdmissionEventKind.RETURNED}[outcome]
    review.decided_by, review.decided_at, review.reasons = user, timezone.now(), reasons
    _move_review(review, outcome, user=user, kind=kind, note=reasons)
    return review


@transaction.atomic
def resubmit_admission(review: AdmissionReview, *, user, note: str = "") -> AdmissionReview:
    """A review returned for changes goes back to the reviewer; the items already checked stay."""
    _require(user, "listing.add_admissionreview")
    review = _locked_review(review)
    _require_client(user, review.style.client_id)
    review.decided_by, review.decided_at = None, None
    _move_review(review, AdmissionState.PENDING, user=user, kind=AdmissionEventKind.RESUBMITTED, note=note)
    return review


# --- CAT-02 / CAT-03: listings ---------------------------------------------------------------


def _locked_listing(listing: Listing) -> Listing:
    return Listing.objects.select_for_update(of=("self",)).select_related(
        "store", "store__client", "store__platform", "style", "style__brand", "style__category"
    ).get(pk=listing.pk)


def _check_listing(listing: Listing, to: str) -> None:
    if not allowed(LISTING_FLOW, listing.status, to):
        raise _wrong_state(listing.get_status_display(), ListingState(to).label, _("商品上架"))


def _move_listing(listing: Listing, to: str, *, user, kind: str, note: str = "", **event) -> None:
    """``core.flow.transition`` on LISTING_FLOW: check, set, save with the event's name as the history
    reason, write the event (``event`` adds fields of the event row, e.g. the recall case)."""
    _transition(listing, to, flow=LISTING_FLOW, user=user, reason=str(ListingEventKind(kind).label),
                check=_check_listing, event=events.listing_moved, event_kwargs={"kind": kind, "note": note, **event})


def _clean_content(*, title, selling_points, description, images, price) -> dict:
    title = (title or "").strip()
    if not title:
        raise BusinessError(_("请填写标题"), field="title")
    if len(title) > TITLE_MAX:
        raise BusinessError(_("标题最多 %(n)d 个字（现为 %(m)d 个）") % {"n": TITLE_MAX, "m": len(title)},
                            field="title")
    if isinstance(selling_points, str):
        selling_points = selling_points.splitlines()
    points = [str(p).strip() for p in (selling_points or []) if str(p).strip()]
    if len(points) > SELLING_POINTS_MAX:
        raise BusinessError(_("卖点最多 %(n)d 条") % {"n": SELLING_POINTS_MAX}, field="selling_points")
    for number, point in enumerate(points, start=1):
        if len(point) > SELLING_POINT_MAX:
            raise BusinessError(_("第 %(i)d 条卖点超过 %(n)d 字") % {"i": number, "n": SELLING_POINT_MAX},
                                field="selling_points")
    description = (description or "").strip()
    if len(description) > DESCRIPTION_MAX:
        raise BusinessError(_("详情描述最多 %(n)d 字") % {"n": DESCRIPTION_MAX}, field="description")
    if isinstance(images, str):
        images = images.splitlines()
    pictures = [str(i).strip() for i in (images or []) if str(i).strip()]
    if len(pictures) > IMAGES_MAX:
        raise BusinessError(_("图片最多 %(n)d 张") % {"n": IMAGES_MAX}, field="images")
    for number, picture in enumerate(pictures, start=1):
        if len(picture) > IMAGE_MAX or any(c.isspace() for c in picture):
            raise BusinessError(_("第 %(i)d 张图片的地址或文件名无效") % {"i": number}, field="images")
    try:
        price = Decimal(str(price)) if price is not None and str(price).strip() != "" else None
    except InvalidOperation:
        price = None
        raise BusinessError(_("售价须是金额，如 199.00"), field="price") from None
    if price is None:
        raise BusinessError(_("请填写售价"), field="price")
    if not price.is_finite() or price < 0 or price != price.quantize(Decimal("0.01")) or price >= Decimal(10) ** 10:
        raise BusinessError(_("售价须是不小于 0、最多两位小数的金额"), field="price")
    return {"title": title, "selling_points": points, "description": description, "images": pictures,
            "price": price.quantize(Decimal("0.01"))}


@transaction.atomic
def create_listing(*, user, store: Store, style: Style, title: str, price, selling_points=(), description: str = "",
                   images=()) -> Listing:
    """CAT-02: a draft listing of a style in a store of the same client."""
    _require(user, "listing.add_listing")
    _require_store(user, store)
    if store.client_id != style.client_id:
        raise BusinessError(_("款式与店铺不属于同一委托方"), field="style")
    if Listing.objects.filter(store=store, style=style).exists():
        raise BusinessError(_("该店铺已有此款式的上架记录"), field="style", code="conflict")
    content = _clean_content(title=title, selling_points=selling_points, description=description, images=images,
                             price=price)
    listing = Listing(store=store, style=style, created_by=user, **content)
    save_checked(listing, user=user)
    events.listing_created(listing, user=user)
    return listing


@transaction.atomic
def update_content(listing: Listing, *, user, **changes) -> Listing:
    """Change the content while the editor holds the listing (draft, returned, delisted)."""
    _require(user, "listing.change_listing")
    listing = _locked_listing(listing)
    _require_store(user, listing.store)
    if listing.status not in EDITABLE_LISTING:
        raise BusinessError(_("商品上架当前为“%(status)s”，内容不能修改") % {"status": listing.get_status_display()},
                            field="status", code="wrong_state")
    allowed = ("title", "selling_points", "description", "images", "price")
    unknown = set(changes) - set(allowed)
    if unknown:
        name = sorted(unknown)[0]
        raise BusinessError(_("字段 %(name)s 不能修改") % {"name": name}, field=name)
    current = {name: getattr(listing, name) for name in allowed}
    content = _clean_content(**{**current, **changes})
    changed = [name for name in allowed if content[name] != current[name]]
    if not changed:
        return listing
    for name in changed:
        setattr(listing, name, content[name])
    save_checked(listing, user=user, reason=str(ListingEventKind.EDITED.label))
    labels = "、".join(str(Listing._meta.get_field(name).verbose_name) for name in changed)
    events.listing_edited(listing, user=user, fields=labels)
    return listing


def _run_check(listing: Listing) -> list[ListingHit]:
    """LAW-02: check title, selling points and description for the store's client; keep every hit."""
    texts = {
        ContentField.TITLE: listing.title,
        ContentField.SELLING_POINTS: "\n".join(listing.selling_points),
        ContentField.DESCRIPTION: listing.description,
    }
    found = []
    for field, text in texts.items():
        for hit in checker.check(text, client=listing.store.client):
            found.append(ListingHit(
                listing=listing, submission=listing.submission, field=field, term=hit.term[:100],
                matched=hit.matched[:200], start=hit.start, end=hit.end, category=hit.category,
                severity=hit.severity, reason=hit.reason[:500],
            ))
    ListingHit.objects.bulk_create(found)
    return found


def _hits_note(hits: list[ListingHit]) -> str:
    if not hits:
        return _("未发现违禁词")
    parts = [
        _("%(field)s第 %(pos)d 字“%(matched)s”（%(term)s）")
        % {"field": ContentField(h.field).label, "pos": h.start + 1, "matched": h.matched, "term": h.term}
        for h in hits
    ]
    return _("发现 %(n)d 处违禁词，转人工复核：") % {"n": len(hits)} + "；".join(parts)


@transaction.atomic
def submit_listing(listing: Listing, *, user, note: str = "") -> Listing:
    """CAT-03: submit for review. The automatic compliance check (LAW-02) runs first; any hit sends
    the listing to human review with the hits shown — nothing is rejected silently."""
    _require(user, "listing.change_listing")
    listing = _locked_listing(listing)
    _require_store(user, listing.store)
    if listing.status not in EDITABLE_LISTING:
        raise _wrong_state(listing.get_status_display(), ListingState.AWAITING_REVIEW.label, _("商品上架"))
    rules.require_listable(listing.store, listing.style)
    was = listing.status
    listing.submission += 1
    listing.submitted_at = timezone.now()
    listing.reviewed_by, listing.reviewed_at, listing.review_comment = None, None, ""
    hits = _run_check(listing)
    target = ListingState.NEEDS_REVIEW if hits else ListingState.AWAITING_REVIEW
    kind = ListingEventKind.RELISTED if was == ListingState.DELISTED else ListingEventKind.SUBMITTED
    _move_listing(listing, target, user=user, kind=kind, note=note)
    events.listing_checked(listing, user=user, note=_hits_note(hits))
    return listing


@transaction.atomic
def approve_listing(listing: Listing, *, user, comment: str = "", publish: bool = False) -> Listing:
    """CAT-03: the reviewer approves content, truth and certificates. Content with compliance hits may
    be approved only with a comment saying why the hits are acceptable (LAW-02 exemptions)."""
    _require(user, "listing.review_listing")
    listing = _locked_listing(listing)
    _require_store(user, listing.store)
    comment = (comment or "").strip()[:1000]
    if listing.status not in REVIEWABLE_LISTING:
        raise _wrong_state(listing.get_status_display(), ListingState.APPROVED.label, _("商品上架"))
    if listing.status == ListingState.NEEDS_REVIEW and not comment:
        raise BusinessError(_("内容有违禁词命中，审核通过须写明理由（如注册商标、有时间地点限定的表述）"),
                            field="comment")
    rules.require_listable(listing.store, listing.style)
    listing.reviewed_by, listing.reviewed_at, listing.review_comment = user, timezone.now(), comment
    _move_listing(listing, ListingState.APPROVED, user=user, kind=ListingEventKind.APPROVED, note=comment)
    if publish:
        _publish(listing, user=user)
    return listing


@transaction.atomic
def return_listing(listing: Listing, *, user, reasons: str) -> Listing:
    """CAT-03: send the content back to the editor with the reasons."""
    _require(user, "listing.review_listing")
    listing = _locked_listing(listing)
    _require_store(user, listing.store)
    reasons = (reasons or "").strip()
    if not reasons:
        raise BusinessError(_("退回时须写明原因"), field="reasons")
    if len(reasons) > 1000:
        raise BusinessError(_("退回原因最多 1000 字"), field="reasons")
    if listing.status not in (*REVIEWABLE_LISTING, ListingState.APPROVED):
        raise _wrong_state(listing.get_status_display(), ListingState.RETURNED.label, _("商品上架"))
    listing.reviewed_by, listing.reviewed_at, listing.review_comment = user, timezone.now(), reasons
    _move_listing(listing, ListingState.RETURNED, user=user, kind=ListingEventKind.RETURNED, note=reasons)
    return listing


def _publish(listing: Listing, *, user) -> None:
    rules.require_listable(listing.store, listing.style)
    now = timezone.now()
    listing.published_at, listing.delisted_at, listing.delist_reason = now, None, ""
    _move_listing(listing, ListingState.PUBLISHED, user=user, kind=ListingEventKind.PUBLISHED)
    _complete_chain(listing, user=user, at=now)


@transaction.atomic
def publish_listing(listing: Listing, *, user) -> Listing:
    """CAT-03: publish approved content. The store, the admission and the licence are checked again:
    a licence that expired since the review still blocks."""
    _require(user, "listing.publish_listing")
    listing = _locked_listing(listing)
    _require_store(user, listing.store)
    if listing.status != ListingState.APPROVED:
        raise _wrong_state(listing.get_status_display(), ListingState.PUBLISHED.label, _("商品上架"))
    _publish(listing, user=user)
    return listing


@transaction.atomic
def delist_listing(listing: Listing, *, user, reason: str) -> Listing:
    """CAT-03: take a published listing down, with the reason recorded."""
    _require(user, "listing.publish_listing")
    listing = _locked_listing(listing)
    _require_store(user, listing.store)
    reason = (reason or "").strip()
    if not reason:
        raise BusinessError(_("下架时须写明原因"), field="reason")
    if len(reason) > 500:
        raise BusinessError(_("下架原因最多 500 字"), field="reason")
    if listing.status != ListingState.PUBLISHED:
        raise _wrong_state(listing.get_status_display(), ListingState.DELISTED.label, _("商品上架"))
    listing.delisted_at, listing.delist_reason = timezone.now(), reason
    _move_listing(listing, ListingState.DELISTED, user=user, kind=ListingEventKind.DELISTED, note=reason)
    return listing


@transaction.atomic
def delist_for_recall(case, *, user) -> list[Listing]:
    """CAT-06: a delist-and-recall case reached "delisted": every published listing of the case's styles
    comes down now, in the caller's transaction, each with a DELISTED event naming the case.

    Called by ``suppliers.actions.move_recall`` only. The authority is the recall handler's right to
    move the case (``suppliers.change_recallcase``) for a client seen whole, not the listing rights:
    CAT-06 wants the goods off sale in every store of the client, whoever published them."""
    if user is None or not getattr(user, "is_authenticated", False) or is_client_member(user):
        raise NotAllowed(_("您没有执行此操作的权限"))
    if not user.has_perm("suppliers.change_recallcase"):
        raise NotAllowed(_("您没有执行此操作的权限"))
    if not scope_for(user).sees_client(case.client_id):
        raise BusinessError(_("召回单不存在"), field="case", code="not_found")
    reason = _("下架召回单 %(number)s：%(reason)s") % {"number": case.number, "reason": case.reason}
    published = (
        Listing.objects.select_for_update(of=("self",)).select_related("store", "style")
        .filter(style__in=case.styles.all(), status=ListingState.PUBLISHED).order_by("pk")
    )
    now = timezone.now()
    done = []
    for listing in published:
        listing.delisted_at, listing.delist_reason = now, reason[:500]
        _move_listing(listing, ListingState.DELISTED, user=user, kind=ListingEventKind.DELISTED, note=reason,
                      recall_case=case)
        done.append(listing)
    return done


def relist_listing(listing: Listing, *, user, note: str = "") -> Listing:
    """Put a delisted listing up again: it is checked and reviewed again like a new submission."""
    if listing.status != ListingState.DELISTED:
        raise _wrong_state(listing.get_status_display(), ListingState.AWAITING_REVIEW.label, _("商品上架"))
    return submit_listing(listing, user=user, note=note)


# --- CAT-08: the new-product chain -------------------------------------------------------------


def _product_staff(client_id: int) -> list:
    """The product department's people who work for the style's client (granted it, or all clients);
    the superusers when none does (DAT-02: never people who may not see the client)."""
    User = get_user_model()
    found = list(
        User.objects.filter(is_active=True, staff__department__code=PRODUCT_DEPARTMENT,
                            staff__status=StaffState.ACTIVE).order_by("pk")
    )
    for_client = [user for user in found if scope_for(user).sees_client(client_id)]
    return for_client or list(User.objects.filter(is_active=True, is_superuser=True).order_by("pk"))


def _qc_inspectors(client_id: int) -> list:
    """The QC inspectors who see the style's client (DAT-02); the superusers when none does."""
    User = get_user_model()
    found = [user for user in User.objects.filter(is_active=True, staff__positions__code=QC_POSITION,
                                                  staff__status=StaffState.ACTIVE).distinct().order_by("pk")
             if scope_for(user).sees_client(client_id)]
    return found or list(User.objects.filter(is_active=True, is_superuser=True).order_by("pk"))


def _end_of_day(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


@transaction.atomic
def raise_new_product_chain(style: Style, inbound_at: datetime, *, user) -> NewProductChain:
    """CAT-08: the goods of a new style were put away (inbound notice at ``inbound_at``). The product
    department publishes within the policy period (CAT-08.publish_within); QC measures the sample sizes
    by the policy day (CAT-08.qc_measure_days: 0 the same day, 1 the next). Raised once per style: the
    inventory issue may call this on every put-away, the first one counts."""
    if timezone.is_naive(inbound_at):
        inbound_at = timezone.make_aware(inbound_at)
    existing = NewProductChain.objects.select_for_update().filter(style=style).first()
    if existing is not None:
        return existing
    on = timezone.localdate(inbound_at)
    publish_due = inbound_at + registry.value(PUBLISH_WITHIN_KEY, on=on)
    measure_due = _end_of_day(on + timedelta(days=int(registry.value(MEASURE_DAYS_KEY, on=on))))
    chain = NewProductChain(style=style, inbound_at=inbound_at, publish_due_at=publish_due,
                            measure_due_at=measure_due, raised_by=user)
    first = (Listing.objects.filter(style=style, published_at__isnull=False).order_by("published_at", "pk").first())
    if first is not None:  # already on sale somewhere: nothing left to publish
        chain.published_at, chain.first_listing = first.published_at, first
    save_audited(chain, user=user)
    link = reverse("catalog:style_detail", args=[style.pk])
    if first is None:
        dues.raise_dues(
            kind=PUBLISH_DUE_KIND, owners=_product_staff(style.client_id), source=chain, clause="CAT-08",
            due_at=publish_due, title=_("新品上架：%(no)s %(name)s 须在期限内完成拍照、做图与发布")
            % {"no": style.style_no, "name": style.name},
            link=link, client=style.client,
        )
    dues.raise_dues(
        kind=MEASURE_DUE_KIND, owners=_qc_inspectors(style.client_id), source=chain, clause="CAT-08",
        due_at=measure_due, title=_("新品量尺码：%(no)s %(name)s") % {"no": style.style_no, "name": style.name},
        # QC may not open the catalogue: the item leads to the measuring page itself.
        link=reverse("listing:chain_measure", args=[chain.pk]), client=style.client,
    )
    return chain


def _complete_chain(listing: Listing, *, user, at) -> None:
    """Publishing the style's first listing completes the CAT-08 publish due item."""
    chain = NewProductChain.objects.select_for_update().filter(style_id=listing.style_id,
                                                              published_at__isnull=True).first()
    if chain is None:
        return
    chain.published_at, chain.first_listing = at, listing
    save_audited(chain, user=user, reason=str(ListingEventKind.PUBLISHED.label))
    dues.complete_due(kind=PUBLISH_DUE_KIND, source=chain, user=user, at=at)


MEASUREMENT_MAX = 300
MEASURE_NOTE_MAX = 500


def may_measure(user, chain: NewProductChain) -> bool:
    """CAT-08: QC inspectors (and superusers) record the sizes. QC works for every client in the
    warehouse: the inspector the due item was given to may record it even without the client's grant."""
    if user is None or not getattr(user, "is_authenticated", False) or is_client_member(user):
        return False
    if not (user.is_superuser or QC_POSITION in position_codes(user)):
        return False
    return owns_measure_item(user, chain) or scope_for(user).sees_client(chain.style.client_id)


def owns_measure_item(user, chain: NewProductChain) -> bool:
    return DueItem.objects.filter(kind=MEASURE_DUE_KIND, owner=user, source_id=str(chain.pk)).exists()


def sizes_to_measure(style: Style) -> list[str]:
    """The sizes of the style's active SKUs in their order; [""] for a style without sizes."""
    sizes = list(dict.fromkeys(style.skus.filter(is_active=True).order_by("pk").values_list("size", flat=True)))
    return sizes or [""]


@transaction.atomic
def record_sizes_measured(chain: NewProductChain, *, user, measurements: dict | None = None,
                          note: str = "") -> NewProductChain:
    """CAT-08: QC has measured the samples: what was measured, size by size (``{"M": "衣长 98 / 胸围 92
    cm"}``; the key "" for a style without sizes), goes on the chain for the product department's size
    chart, and the QC due item is completed. At least one size must be measured; sizes the style does
    not have are refused."""
    if user is None or not getattr(user, "is_authenticated", False) or is_client_member(user):
        raise NotAllowed(_("您没有执行此操作的权限"))
    chain = NewProductChain.objects.select_for_update().select_related("style").get(pk=chain.pk)
    if not (user.is_superuser or QC_POSITION in position_codes(user)):
        raise NotAllowed(_("只有质检员可以登记量尺码"))
    if not owns_measure_item(user, chain):
        _require_client(user, chain.style.client_id)
    if chain.measured_at is not None:
        raise BusinessError(_("已登记量尺码"), code="wrong_state")
    if measurements is not None and not isinstance(measurements, dict):
        raise BusinessError(_("测量结果须按尺码填写"), field="measurements")
    known = sizes_to_measure(chain.style)
    cleaned = {}
    for size, value in (measurements or {}).items():
        size = str(size or "").strip()
        text = " ".join(str(value or "").split())
        if not text:
            continue
        if size not in known:
            raise BusinessError(_("款式 %(no)s 没有尺码“%(size)s”") % {"no": chain.style.style_no, "size": size},
                                field="measurements")
        if len(text) > MEASUREMENT_MAX:
            raise BusinessError(_("尺码“%(size)s”的测量结果最多 %(n)d 字")
                                % {"size": size or "—", "n": MEASUREMENT_MAX}, field="measurements")
        cleaned[size] = text
    if not cleaned:
        raise BusinessError(_("请至少填写一个尺码的测量结果"), field="measurements")
    note = (note or "").strip()
    if len(note) > MEASURE_NOTE_MAX:
        raise BusinessError(_("说明最多 %(n)d 字") % {"n": MEASURE_NOTE_MAX}, field="note")
    chain.measurements = {size: cleaned[size] for size in known if size in cleaned}
    chain.measure_note = note
    chain.measured_at, chain.measured_by = timezone.now(), user
    save_audited(chain, user=user, reason=str(_("登记量尺码")))
    dues.complete_due(kind=MEASURE_DUE_KIND, source=chain, user=user, at=chain.measured_at)
    return chain


def position_codes(user) -> set[str]:
    staff = getattr(user, "staff", None) if hasattr(user, "staff") else None
    if staff is None:
        return set()
    return set(staff.positions.values_list("code", flat=True))
