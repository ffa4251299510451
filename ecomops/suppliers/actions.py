"""Every change to the supplier library goes through here (CAT-06).

Each function is one business act: it checks the permission and the scope (DAT-02: a supplier of a
client the user may not see reads as missing; shared suppliers are for the company's staff only), runs
in one transaction and leaves the audit history behind. Views, the API and the CLI call these only.

A failed sampling check opens a delist-and-recall case in the same transaction and raises a CAT-06
due item to the people who handle recalls. The case then moves opened → delisted →
recall_in_progress → closed (delisted → closed when nothing was sold); any other move is refused.
Moving it to "delisted" takes every published listing of its styles off sale in the same transaction
(``listing.actions.delist_for_recall``, through ``recall_hooks``); while it is open, its styles cannot be listed again.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ecomops.audit import dues
from ecomops.catalog.models import SKU, Style
from ecomops.core import validate
from ecomops.core.errors import BusinessError, Conflict, NotAllowed
from ecomops.core.flow import allowed, transition
from ecomops.core.history import delete_audited
from ecomops.core.validate import parse_money, save_checked, validate_model
from ecomops.org.actions import require_perm
from ecomops.org.models import Client, ClientGrant, Store
from ecomops.org.scoping import ALL_CLIENTS_PERM, is_client_member, scope_for

from . import events, files, recall_hooks
from .enums import AFFECTED_ORDER_FLOW, RECALL_FLOW, AffectedOrderState, RecallState, SamplingResult, SupplierState
from .models import (
    QualityAgreement,
    RecallAffectedOrder,
    RecallCase,
    SamplingCheck,
    StyleSupplier,
    Supplier,
    SupplierContact,
    SupplierRating,
    supplier_scope_q,
)

RECALL_DUE_KIND = "suppliers.recall"
RECALL_PERM = "suppliers.change_recallcase"
PHONE_PERM = "suppliers.view_supplier_phone"
SUPPLIER_FIELDS = ("code", "name", "credit_code", "address", "status", "note")
CONTACT_FIELDS = ("name", "role", "phone", "email", "is_active")
PERIOD_RE = re.compile(r"^\d{4}(-(Q[1-4]|H[12]|0[1-9]|1[0-2]))?$")
SCORE_FIELDS = ("score", "quality_score", "delivery_score", "service_score")

# An IntegrityError on save: the same unique value saved at the same moment by somebody else.
DUPLICATE = gettext_lazy("保存失败：编码或唯一字段与已有记录重复")


# --- scope --------------------------------------------------------------------------------------


def _check_supplier(user, supplier: Supplier) -> None:
    """The supplier must be one the user sees; any other is refused as missing."""
    condition = supplier_scope_q(user, "client")
    if condition is not None and not Supplier.objects.filter(condition, pk=supplier.pk).exists():
        raise BusinessError(_("供应商不存在"), field="supplier", code="not_found")


def _check_client(user, client: Client | None, *, field: str = "client") -> None:
    """A supplier goes to a client the user sees whole, or (client empty) is shared: staff only."""
    if client is None:
        if is_client_member(user):
            raise NotAllowed(_("委托方用户不能登记本公司共用供应商"))
        return
    if not scope_for(user).sees_client(client.pk):
        raise BusinessError(_("委托方不存在"), field=field, code="not_found")


def _check_style(user, style: Style | None, *, field: str = "style") -> Style:
    if style is None or not scope_for(user).sees_client(style.client_id):
        raise BusinessError(_("款式不存在"), field=field, code="not_found")
    return style


def _not_future(day: date | None, *, field: str, label: str) -> date:
    if day is None:
        raise BusinessError(_("请填写%(label)s") % {"label": label}, field=field)
    if day > timezone.localdate():
        raise BusinessError(_("%(label)s不能晚于今天") % {"label": label}, field=field)
    return day


# --- suppliers and contacts ---------------------------------------------------------------------


@transaction.atomic
def create_supplier(*, user, client: Client | None = None, **fields) -> Supplier:
    require_perm(user, "suppliers.add_supplier")
    _check_client(user, client)
    unknown = set(fields) - set(SUPPLIER_FIELDS)
    if unknown:
        name = sorted(unknown)[0]
        raise BusinessError(_("字段 %(name)s 不能填写") % {"name": name}, field=name)
    supplier = Supplier(client=client, created_by=user, **fields)
    supplier.code = (supplier.code or "").strip()
    supplier.name = (supplier.name or "").strip()
    supplier.credit_code = (supplier.credit_code or "").strip().upper()
    if Supplier.objects.filter(code=supplier.code).exists():
        raise BusinessError(_("供应商编码“%(code)s”已被使用") % {"code": supplier.code}, field="code")
    validate_model(supplier)
    save_checked(supplier, user=user, duplicate=DUPLICATE)
    return supplier


@transaction.atomic
def update_supplier(supplier: Supplier, *, user, **changes) -> Supplier:
    require_perm(user, "suppliers.change_supplier")
    _check_supplier(user, supplier)
    supplier = Supplier.objects.select_for_update().get(pk=supplier.pk)
    if "client" in changes:
        new = changes.pop("client")
        if (new.pk if new is not None else None) != supplier.client_id:
            raise BusinessError(_("供应商登记后不能更改所属委托方"), field="client")
    changed = []
    for name, value in changes.items():
        if name not in SUPPLIER_FIELDS:
            raise BusinessError(_("字段 %(name)s 不能修改") % {"name": name}, field=name)
        if name in ("code", "name", "credit_code") and isinstance(value, str):
            value = value.strip().upper() if name == "credit_code" else value.strip()
        if getattr(supplier, name) != value:
            setattr(supplier, name, value)
            changed.append(name)
    if not changed:
        return supplier
    if "code" in changed and Supplier.objects.filter(code=supplier.code).exclude(pk=supplier.pk).exists():
        raise BusinessError(_("供应商编码“%(code)s”已被使用") % {"code": supplier.code}, field="code")
    validate_model(supplier)
    save_checked(supplier, user=user, reason=_("修改：%(fields)s") % {"fields": ", ".join(changed)},
                 duplicate=DUPLICATE)
    return supplier


def _clean_contact(contact: SupplierContact) -> None:
    contact.name = (contact.name or "").strip()
    contact.role = (contact.role or "").strip()
    contact.phone = re.sub(r"[\s-]", "", contact.phone or "")
    contact.email = (contact.email or "").strip()
    if contact.phone and not re.fullmatch(r"\+?\d{5,20}", contact.phone):
        raise BusinessError(_("电话只能包含数字（可带区号和 +）"), field="phone")
    validate_model(contact)


@transaction.atomic
def add_contact(supplier: Supplier, *, user, **fields) -> SupplierContact:
    require_perm(user, "suppliers.add_suppliercontact")
    _check_supplier(user, supplier)
    unknown = set(fields) - set(CONTACT_FIELDS)
    if unknown:
        name = sorted(unknown)[0]
        raise BusinessError(_("字段 %(name)s 不能填写") % {"name": name}, field=name)
    contact = SupplierContact(supplier=supplier, **fields)
    _clean_contact(contact)
    save_checked(contact, user=user, duplicate=DUPLICATE)
    return contact


@transaction.atomic
def update_contact(contact: SupplierContact, *, user, **changes) -> SupplierContact:
    require_perm(user, "suppliers.change_suppliercontact")
    _check_supplier(user, contact.supplier)
    contact = SupplierContact.objects.select_for_update().get(pk=contact.pk)
    for name, value in changes.items():
        if name not in CONTACT_FIELDS:
            raise BusinessError(_("字段 %(name)s 不能修改") % {"name": name}, field=name)
        setattr(contact, name, value)
    _clean_contact(contact)
    save_checked(contact, user=user, duplicate=DUPLICATE)
    return contact


# --- styles supplied ----------------------------------------------------------------------------


@transaction.atomic
def link_style(supplier: Supplier, style: Style, *, user, is_primary: bool = False, supplier_item_code: str = "",
               purchase_price=None) -> StyleSupplier:
    """Record that ``supplier`` supplies ``style`` (again: update the link). The style's client must be
    the supplier's, unless the supplier is shared."""
    require_perm(user, "suppliers.add_stylesupplier")
    _check_supplier(user, supplier)
    _check_style(user, style)
    if not supplier.serves(style.client_id):
        raise BusinessError(_("该供应商属于其他委托方，不能供应此款式"), field="style")
    if supplier.status != SupplierState.ACTIVE:
        raise BusinessError(_("供应商不在合作中，不能关联新款式"), field="supplier")
    price = parse_money(purchase_price, field="purchase_price", required=False)
    code = validate.text(supplier_item_code, field="supplier_item_code", label=_("供应商货号"), max_length=60)
    Style.objects.select_for_update().filter(pk=style.pk).first()  # serialise primary changes per style
    if is_primary:
        for other in StyleSupplier.objects.filter(style=style, is_primary=True).exclude(supplier=supplier):
            other.is_primary = False
            save_checked(other, user=user, reason=_("主供应商改为 %(code)s") % {"code": supplier.code},
                         duplicate=DUPLICATE)
    link = StyleSupplier.objects.filter(style=style, supplier=supplier).first() or StyleSupplier(
        style=style, supplier=supplier
    )
    link.is_primary, link.supplier_item_code, link.purchase_price = bool(is_primary), code, price
    save_checked(link, user=user, duplicate=DUPLICATE)
    return link


@transaction.atomic
def unlink_style(link: StyleSupplier, *, user) -> None:
    require_perm(user, "suppliers.delete_stylesupplier")
    _check_supplier(user, link.supplier)
    _check_style(user, link.style)
    delete_audited(link, user=user)


# --- quality agreements -------------------------------------------------------------------------


@transaction.atomic
def add_agreement(supplier: Supplier, *, user, signed_on: date | None, valid_from: date | None,
                  valid_to: date | None, terms: str, number: str = "", sampling_interval_days: int | None = None,
                  upload=None) -> QualityAgreement:
    require_perm(user, "suppliers.add_qualityagreement")
    _check_supplier(user, supplier)
    _not_future(signed_on, field="signed_on", label=_("签订日期"))
    if valid_from is None:
        raise BusinessError(_("请填写生效日期"), field="valid_from")
    if valid_to is None:
        raise BusinessError(_("请填写到期日期"), field="valid_to")
    if valid_to < valid_from:
        raise BusinessError(_("到期日期不能早于生效日期"), field="valid_to")
    if sampling_interval_days is not None and sampling_interval_days < 1:
        raise BusinessError(_("抽检周期须为正整数天"), field="sampling_interval_days")
    agreement = QualityAgreement(
        supplier=supplier, signed_on=signed_on, valid_from=valid_from, valid_to=valid_to,
        terms=validate.text(terms, field="terms", label=_("质量条款"), required=True, max_length=20000),
        number=validate.text(number, field="number", label=_("协议编号"), max_length=60),
        sampling_interval_days=sampling_interval_days, created_by=user,
    )
    if upload is not None:
        files.check_upload(upload, field="file")
        agreement.file = upload
        agreement.original_name = files.original_name(upload)
    validate_model(agreement)
    save_checked(agreement, user=user, duplicate=DUPLICATE)
    return agreement


# --- ratings ------------------------------------------------------------------------------------


def _score(value, *, field: str, required: bool) -> Decimal | None:
    if value is None or value == "":
        if required:
            raise BusinessError(_("请填写得分"), field=field)
        return None
    if isinstance(value, float):
        raise BusinessError(_("得分须为精确的十进制数"), field=field)
    try:
        score = Decimal(str(value).strip())
    except ArithmeticError:
        raise BusinessError(_("得分格式不正确"), field=field) from None
    if not score.is_finite() or score < 0 or score > 100:
        raise BusinessError(_("得分须在 0 到 100 之间"), field=field)
    if score != score.quantize(Decimal("0.01")):
        raise BusinessError(_("得分最多两位小数"), field=field)
    return score.quantize(Decimal("0.01"))


@transaction.atomic
def rate_supplier(supplier: Supplier, *, user, period: str, score, quality_score=None, delivery_score=None,
                  service_score=None, note: str = "") -> SupplierRating:
    """Add a rating. Ratings are history: an earlier rating is never changed; the latest is current."""
    require_perm(user, "suppliers.add_supplierrating")
    _check_supplier(user, supplier)
    period = validate.text(period, field="period", label=_("评价期间"), required=True, max_length=20).upper()
    if not PERIOD_RE.match(period):
        raise BusinessError(_("评价期间格式应为 2026、2026-H1、2026-Q3 或 2026-10"), field="period")
    values = {"score": score, "quality_score": quality_score, "delivery_score": delivery_score,
              "service_score": service_score}
    scores = {name: _score(values[name], field=name, required=name == "score") for name in SCORE_FIELDS}
    rating = SupplierRating(supplier=supplier, period=period, rated_by=user,
                            note=validate.text(note, field="note", label=_("评价说明"), max_length=500), **scores)
    validate_model(rating)
    save_checked(rating, user=user, duplicate=DUPLICATE)
    return rating


# --- sampling checks and recall cases -----------------------------------------------------------


def recall_owners(client_id: int) -> list:
    """Who handles a recall of that client's goods: staff holding the recall permission who see the
    client (granted it, or all clients); when there are none, the active superusers."""
    User = get_user_model()
    handlers = User.objects.with_perm(RECALL_PERM, include_superusers=False).filter(is_active=True)
    all_clients = User.objects.with_perm(ALL_CLIENTS_PERM, include_superusers=False).values("pk")
    granted = ClientGrant.objects.filter(client_id=client_id).values("user_id")
    found = list(
        handlers.filter(Q(pk__in=granted) | Q(pk__in=all_clients))
        .exclude(client_member__isnull=False)
        .order_by("pk")
    )
    if not found:
        found = list(User.objects.filter(is_superuser=True, is_active=True).order_by("pk"))
    return found


@transaction.atomic
def record_sampling(*, user, supplier: Supplier, style: Style, sampled_on: date | None, sample_size,
                    result: str, inspector: str, findings: str = "", sku: SKU | None = None,
                    store: Store | None = None, upload=None) -> SamplingCheck:
    """CAT-06: record a sampling check of goods on sale. A failed check opens the delist-and-recall case
    and its due items in the same transaction: both are there, or neither is."""
    require_perm(user, "suppliers.add_samplingcheck")
    _check_supplier(user, supplier)
    _check_style(user, style)
    if not supplier.serves(style.client_id):
        raise BusinessError(_("该供应商属于其他委托方，不能供应此款式"), field="supplier")
    if sku is not None and sku.style_id != style.pk:
        raise BusinessError(_("SKU 不属于所选款式"), field="sku")
    if store is not None and (store.client_id != style.client_id or not scope_for(user).sees_store(store.pk)):
        raise BusinessError(_("店铺不存在或不属于该款式的委托方"), field="store", code="not_found")
    _not_future(sampled_on, field="sampled_on", label=_("抽检日期"))
    if isinstance(sample_size, bool) or not isinstance(sample_size, int) or sample_size < 1:
        raise BusinessError(_("抽样数量须为正整数"), field="sample_size")
    if result not in SamplingResult.values:
        raise BusinessError(_("请选择抽检结果"), field="result")
    findings = validate.text(findings, field="findings", label=_("检验结论与问题"), max_length=5000)
    if result == SamplingResult.FAIL and not findings:
        raise BusinessError(_("抽检不合格时须写明不合格的问题"), field="findings")
    check = SamplingCheck(
        client_id=style.client_id, supplier=supplier, style=style, sku=sku, store=store, sampled_on=sampled_on,
        sample_size=sample_size, result=result, findings=findings,
        inspector=validate.text(inspector, field="inspector", label=_("检验人/检验机构"), required=True,
                                max_length=100),
        recorded_by=user,
    )
    if upload is not None:
        files.check_upload(upload, field="report")
        check.report = upload
        check.original_name = files.original_name(upload)
    validate_model(check)
    save_checked(check, user=user, duplicate=DUPLICATE)
    if check.failed:
        _open_recall(check, user=user)
    return check


def _open_recall(check: SamplingCheck, *, user) -> RecallCase:
    now = timezone.now()
    case = RecallCase(
        client_id=check.client_id, supplier=check.supplier, sampling_check=check, opened_by=user, opened_at=now,
        reason=_("抽检不合格（%(day)s，%(inspector)s）：%(findings)s")
        % {"day": check.sampled_on.isoformat(), "inspector": check.inspector, "findings": check.findings},
    )
    save_checked(case, user=user, reason=_("抽检不合格自动立案"), duplicate=DUPLICATE)
    case.styles.add(check.style)
    events.recall_moved(case, user=user, before="", after=RecallState.OPENED, note=_("抽检不合格自动立案"), at=now)
    title = _("抽检不合格，下架召回：%(style)s %(name)s（%(number)s）") % {
        "style": check.style.style_no, "name": check.style.name, "number": case.number}
    link = reverse("suppliers:recall_detail", args=[case.pk])
    # Due at once: CAT-06 wants the goods off sale as soon as the check fails.
    dues.raise_dues(kind=RECALL_DUE_KIND, owners=recall_owners(check.client_id), title=title, due_at=now,
                    source=case, clause="CAT-06", link=link, client=check.client)
    return case


def _check_recall(case: RecallCase, to_state: str) -> None:
    if not allowed(RECALL_FLOW, case.state, to_state):
        raise Conflict(
            _("召回单当前为“%(current)s”，不能改为“%(target)s”")
            % {"current": case.get_state_display(), "target": RecallState(to_state).label},
        )


@transaction.atomic
def move_recall(case: RecallCase, *, user, to_state: str, note: str = "") -> RecallCase:
    """Move a recall case one step along its flow; anything out of order is refused."""
    require_perm(user, RECALL_PERM)
    if not scope_for(user).sees_client(case.client_id):
        raise BusinessError(_("召回单不存在"), field="case", code="not_found")
    case = RecallCase.objects.select_for_update().get(pk=case.pk)
    if to_state not in RecallState.values:
        raise BusinessError(_("未知的状态"), field="to_state")
    _check_recall(case, to_state)
    note = validate.text(note, field="note", label=_("说明"), max_length=500)
    if to_state == RecallState.CLOSED:
        if not note:
            raise BusinessError(_("结案须写明处理结果"), field="note")
        if case.state == RecallState.DELISTED and case.affected_orders.exists():
            raise Conflict(_("已售出的商品须先召回，不能直接结案"))
        open_statuses = [AffectedOrderState.PENDING, AffectedOrderState.CONTACTED]
        if case.affected_orders.filter(status__in=open_statuses).exists():
            raise Conflict(_("还有涉及订单未处理完，不能结案"))
    now = timezone.now()
    from_state = transition(case, to_state, flow=RECALL_FLOW, user=user, check=_check_recall,
                            changes={"closed_at": now} if to_state == RecallState.CLOSED else {})
    if to_state == RecallState.DELISTED:
        # CAT-06: "delisted" means off sale: every published listing of the case's styles comes down in
        # this same transaction, each with a listing event naming the case.
        delisted = recall_hooks.delist(case, user=user)
        count = _("下架 %(n)d 个在售商品") % {"n": len(delisted)}
        note = f"{note}（{count}）" if note else count
    if to_state in (RecallState.DELISTED, RecallState.RECALL_IN_PROGRESS):
        # CAT-06: the orders that took the case's lots are listed as the case goes off sale.
        found = recall_hooks.register_orders(case, user=user)
        if found:
            count = _("登记涉及订单 %(n)d 笔") % {"n": found}
            note = f"{note}（{count}）" if note else count
    events.recall_moved(case, user=user, before=from_state, after=to_state, note=note, at=now)
    if to_state == RecallState.CLOSED:
        dues.complete_due(kind=RECALL_DUE_KIND, source=case, user=user, at=now)
    return case


@transaction.atomic
def add_affected_order(case: RecallCase, *, user, order_ref: str, store: Store | None = None, sku: SKU | None = None,
                       quantity: int = 1, order=None, note: str = "") -> RecallAffectedOrder:
    """For the orders issue: record an order in which the recalled goods were sold (once per case,
    store, order number and SKU). ``order`` is the order record once the orders app exists."""
    require_perm(user, "suppliers.add_recallaffectedorder")
    if not scope_for(user).sees_client(case.client_id):
        raise BusinessError(_("召回单不存在"), field="case", code="not_found")
    return record_affected_order(case, user=user, order_ref=order_ref, store=store, sku=sku, quantity=quantity,
                                 order=order, note=note)


def record_affected_order(case: RecallCase, *, user, order_ref: str, store: Store | None = None,
                          sku: SKU | None = None, quantity: int = 1, order=None, note: str = "") -> RecallAffectedOrder:
    """The recording itself, for callers that checked rights already (the case's own moves, which
    register the shipped orders of its lots: CAT-06)."""
    case = RecallCase.objects.select_for_update().get(pk=case.pk)
    if case.state == RecallState.CLOSED:
        raise Conflict(_("召回单已结案，不能再登记订单"))
    order_ref = validate.text(order_ref, field="order_ref", label=_("订单号"), required=True, max_length=64)
    if store is not None and store.client_id != case.client_id:
        raise BusinessError(_("店铺不属于该召回单的委托方"), field="store")
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        raise BusinessError(_("数量须为正整数"), field="quantity")
    row = RecallAffectedOrder.objects.filter(case=case, store=store, order_ref=order_ref, sku=sku).first()
    if row is not None:
        return row
    row = RecallAffectedOrder(case=case, store=store, order_ref=order_ref, sku=sku, quantity=quantity,
                              note=validate.text(note, field="note", label=_("备注"), max_length=500))
    if order is not None:
        row.order = order
    save_checked(row, user=user, duplicate=DUPLICATE)
    return row


@transaction.atomic
def set_affected_order_status(row: RecallAffectedOrder, *, user, status: str, note: str = "") -> RecallAffectedOrder:
    require_perm(user, RECALL_PERM)
    if not scope_for(user).sees_client(row.case.client_id):
        raise BusinessError(_("召回单不存在"), field="case", code="not_found")
    if row.case.state == RecallState.CLOSED:
        raise Conflict(_("召回单已结案，不能再修改"))
    if status not in AffectedOrderState.values:
        raise BusinessError(_("未知的处理状态"), field="status")
    if note:
        row.note = validate.text(note, field="note", label=_("备注"), max_length=500)
    if status == row.status:
        save_checked(row, user=user)
    else:
        transition(row, status, flow=AFFECTED_ORDER_FLOW, field="status", user=user)
    return row
