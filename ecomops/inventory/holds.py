"""Customer holds by sales staff (销售留货, WMS-11): create, extend with a note, release, and the daily
clean-up that gives expired holds back to normal sale.

A hold reserves stock through ``reservations.reserve`` under ``DocRef("hold", hold.pk, hold.number)``,
so held goods are not available to orders, and every release goes through ``reservations.release``.
The lifetime is the policy value ``WMS-11.reservation_expires_after`` (7 days) in force on the day the
hold is made or extended.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ecomops.catalog.models import SKU
from ecomops.core.errors import BusinessError, Conflict, NotAllowed
from ecomops.core.flow import transition
from ecomops.core.history import save_audited
from ecomops.org.actions import require_perm
from ecomops.org.scoping import is_client_member, scope_for
from ecomops.policy import registry

from . import actions, reservations
from .enums import HOLD_DOC_KIND, HOLD_FLOW, HoldState
from .ledger import DocRef
from .models import CustomerHold, CustomerHoldExtension, Warehouse

CREATE_PERM = "inventory.add_customerhold"
CHANGE_PERM = "inventory.change_customerhold"
LIFETIME_KEY = "WMS-11.reservation_expires_after"
PREFIX = "LH"


def lifetime(on=None):
    """How long a hold lasts (WMS-11), as a timedelta from the policy registry."""
    return registry.value(LIFETIME_KEY, on=on or timezone.localdate())


def doc_of(hold: CustomerHold) -> DocRef:
    return DocRef(kind=HOLD_DOC_KIND, id=str(hold.pk), number=hold.number)


def _check_scope(user, client_id: int) -> None:
    if is_client_member(user):
        raise NotAllowed(_("委托方用户不能执行此操作"))
    if not scope_for(user).sees_client(client_id, whole=False):
        raise NotAllowed(_("您无权操作该委托方的库存"))


@transaction.atomic
def create_hold(*, user, sku: SKU, warehouse: Warehouse, quantity: int, customer: str, note: str = "") -> CustomerHold:
    """Hold ``quantity`` of ``sku`` in ``warehouse`` for a customer (WMS-11); refused when not enough is
    available (the message names the SKU and what is available)."""
    require_perm(user, CREATE_PERM)
    _check_scope(user, sku.client_id)
    if not isinstance(quantity, int) or quantity < 1:
        raise BusinessError(_("留货数量必须是正整数"), field="quantity")
    customer = (customer or "").strip()
    if not customer:
        raise BusinessError(_("请填写客户"), field="customer")
    if not warehouse.is_active:
        raise BusinessError(_("仓库 %(wh)s 已停用") % {"wh": warehouse.code}, field="warehouse")
    now = timezone.now()
    hold = CustomerHold(
        number=actions.next_number(PREFIX),
        client_id=sku.client_id,
        warehouse=warehouse,
        sku=sku,
        quantity=quantity,
        customer=customer[:100],
        note=(note or "").strip()[:200],
        staff=user,
        expires_at=now + lifetime(timezone.localdate(now)),
    )
    save_audited(hold, user=user)
    reservations.reserve(
        doc=doc_of(hold), lines=[(sku.pk, quantity)], warehouse=warehouse, user=user, expires_at=hold.expires_at,
        note=_("客户留货：%(customer)s") % {"customer": hold.customer},
    )
    return hold


def _locked_active(hold: CustomerHold) -> CustomerHold:
    locked = CustomerHold.objects.select_for_update().get(pk=hold.pk)
    if locked.state != HoldState.ACTIVE:
        raise Conflict(_("留货单 %(number)s 已不在留货中") % {"number": hold.number})
    return locked


@transaction.atomic
def extend_hold(hold: CustomerHold, *, user, note: str, until: datetime | None = None) -> CustomerHold:
    """Extend an active hold (WMS-11): a note is required; the new expiry is ``until`` or the policy
    period counted from now, and must be later than the current one."""
    require_perm(user, CHANGE_PERM)
    _check_scope(user, hold.client_id)
    note = (note or "").strip()
    if not note:
        raise BusinessError(_("延期必须填写说明（WMS-11）"), field="note")
    locked = _locked_active(hold)
    now = timezone.now()
    new_expiry = until or now + lifetime(timezone.localdate(now))
    if new_expiry <= max(now, locked.expires_at):
        raise BusinessError(_("新的到期时间必须晚于当前到期时间"), field="until")
    CustomerHoldExtension.objects.create(
        hold=locked, note=note[:200], old_expires_at=locked.expires_at, new_expires_at=new_expiry, by=user, at=now
    )
    locked.expires_at = new_expiry
    save_audited(locked, user=user, reason=_("延期"))
    for reservation in reservations.reserved_for(doc_of(locked)):
        reservation.expires_at = new_expiry
        save_audited(reservation, user=user, reason=_("延期"))
    hold.expires_at = new_expiry
    return locked


def _close(hold: CustomerHold, *, user, state: str, reason: str) -> CustomerHold:
    reservations.release(doc=doc_of(hold), user=user, reason=reason)
    closed_by = user if getattr(user, "pk", None) else None
    transition(hold, state, flow=HOLD_FLOW, user=closed_by,
               changes={"closed_at": timezone.now(), "closed_by": closed_by, "close_reason": reason[:200]})
    return hold


@transaction.atomic
def release_hold(hold: CustomerHold, *, user, reason: str = "") -> CustomerHold:
    """Give the held goods back to normal sale before the expiry."""
    require_perm(user, CHANGE_PERM)
    _check_scope(user, hold.client_id)
    locked = _locked_active(hold)
    released = _close(locked, user=user, state=HoldState.RELEASED, reason=(reason or "").strip() or _("手工释放"))
    hold.state, hold.closed_at = released.state, released.closed_at
    return released


def release_expired(*, now: datetime | None = None, user=None) -> list[CustomerHold]:
    """The daily clean-up (WMS-11): every active hold whose expiry has passed is released and marked
    expired; the goods return to normal sale. Idempotent: a second run finds nothing more to do.
    Each hold is its own transaction, so one failure does not keep the others held."""
    now = now or timezone.now()
    done = []
    due = CustomerHold.objects.filter(state=HoldState.ACTIVE, expires_at__lte=now).order_by("pk")
    ids = list(due.values_list("pk", flat=True))
    for pk in ids:
        with transaction.atomic():
            hold = CustomerHold.objects.select_for_update().get(pk=pk)
            if hold.state != HoldState.ACTIVE or hold.expires_at > now:
                continue  # extended or released meanwhile
            done.append(_close(hold, user=user, state=HoldState.EXPIRED, reason=_("留货到期自动释放（WMS-11）")))
    return done
