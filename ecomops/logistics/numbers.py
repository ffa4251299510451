"""Electronic waybill numbers for orders (LOG-02, LAW-04): the carrier adapters and the two acts that
change numbers, ``assign`` and ``import_numbers``.

A carrier's numbers come through the adapter of its ``number_source``:

- ``PoolAdapter`` (号段): the next values of the carrier's ranges, in order, without gaps or reuse; the
  pool rows are locked (PostgreSQL ``SELECT … FOR UPDATE``; SQLite takes the write lock at BEGIN) and
  moved on with a conditional ``UPDATE``, so two workers never get the same number;
- ``ImportedAdapter`` (导入单号): numbers bought elsewhere and imported from a CSV file, the oldest
  first, each used once (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so parallel workers take different rows);
- ``HttpAdapter`` (接口取号): a network carrier API in the style of 菜鸟 / 快递100: ``POST`` JSON
  ``{"carrier", "count", "orders"}`` with ``Authorization: Bearer <key>`` (the key is read from the
  environment variable the carrier names, never stored, logged or shown), answering ``{"numbers": [...]}``.

Every failure is a ``BusinessError`` in Chinese naming the carrier. ``assign`` is all or nothing: one
order that may not have a number and no order gets one.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Protocol

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from ecomops.catalog.sheets import decode_text
from ecomops.core.errors import BusinessError
from ecomops.core.history import save_audited
from ecomops.orders import actions as order_actions
from ecomops.orders.enums import OrderState
from ecomops.orders.models import Order
from ecomops.org.actions import require_staff_perm
from ecomops.org.scoping import scope_for

from .models import TRACKING_NO_MAX, Carrier, NumberPool, NumberSource, TrackingNumber

ASSIGN_PERM = "logistics.assign_trackingnumber"
IMPORT_PERM = "logistics.add_trackingnumber"
POOL_PERM = "logistics.add_numberpool"
CHANGE_CARRIER_PERM = "logistics.change_carrier"
# Orders that may get a number: reviewed (stock reserved) or waiting to ship (printed, ORD-04/05).
ASSIGNABLE = (OrderState.REVIEWED, OrderState.AWAITING_SHIPMENT)
HTTP_TIMEOUT = 10  # seconds to wait for a carrier API
HTTP_MAX_BYTES = 1_000_000  # the largest answer read from a carrier API
NUMBER_RE = re.compile(r"^[A-Za-z0-9-]+$")
IMPORT_MAX_BYTES = 5_000_000
IMPORT_HEADER = "运单号"
ERRORS_SHOWN = 20  # bad rows named in one message


def valid_number(value: str) -> str | None:
    """Why ``value`` cannot be a tracking number, or None."""
    if not value:
        return _("运单号为空")
    if len(value) > TRACKING_NO_MAX:
        return _("运单号超过 %(n)s 个字符") % {"n": TRACKING_NO_MAX}
    if not NUMBER_RE.match(value):
        return _("运单号只能包含字母、数字和短横线")
    return None


# --- adapters ----------------------------------------------------------------------------------------


class NumberAdapter(Protocol):
    """Where a carrier's numbers come from. ``take`` runs inside the caller's transaction and returns
    ``len(orders)`` numbers for the orders in that order, or raises ``BusinessError``. ``creates_rows``:
    the numbers are new (the caller writes their ``TrackingNumber`` rows); else they are rows waiting."""

    creates_rows: bool

    def take(self, carrier: Carrier, orders: list[Order]) -> list[str]: ...


class PoolAdapter:
    creates_rows = True

    def take(self, carrier: Carrier, orders: list[Order]) -> list[str]:
        wanted = len(orders)
        pools = list(NumberPool.objects.select_for_update().filter(carrier=carrier, next_value__lte=F("last"))
                     .order_by("pk"))
        if sum(p.remaining for p in pools) < wanted:
            raise BusinessError(_("承运商“%(carrier)s”的号段已用完（需要 %(n)s 个，剩余 %(left)s 个），请先添加号段")
                                % {"carrier": carrier.name, "n": wanted, "left": sum(p.remaining for p in pools)},
                                field="carrier", code="pool_exhausted")
        numbers: list[str] = []
        for pool in pools:
            if len(numbers) == wanted:
                break
            count = min(pool.remaining, wanted - len(numbers))
            start = pool.next_value
            # Conditional: moves on only from the value read, so a stale read can never hand it out twice.
            moved = NumberPool.objects.filter(pk=pool.pk, next_value=start).update(next_value=start + count)
            if moved != 1:
                raise BusinessError(_("承运商“%(carrier)s”的号段正被他人使用，请重试") % {"carrier": carrier.name},
                                    field="carrier", code="conflict")
            numbers.extend(pool.format(value) for value in range(start, start + count))
        return numbers


class ImportedAdapter:
    creates_rows = False

    def take(self, carrier: Carrier, orders: list[Order]) -> list[str]:
        waiting = TrackingNumber.objects.filter(carrier=carrier, order__isnull=True).order_by("pk")
        if connection.features.has_select_for_update_skip_locked:
            waiting = waiting.select_for_update(skip_locked=True)
        numbers = list(waiting.values_list("number", flat=True)[:len(orders)])
        if len(numbers) < len(orders):
            raise BusinessError(_("承运商“%(carrier)s”的导入单号不足（需要 %(n)s 个，剩余 %(left)s 个），请先导入单号")
                                % {"carrier": carrier.name, "n": len(orders), "left": len(numbers)},
                                field="carrier", code="pool_exhausted")
        return numbers


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an error: following it would send the key to another address."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


# http(s) only (the address is checked before each call), no redirects, no proxy from the environment.
_OPENER = urllib.request.build_opener(_NoRedirect, urllib.request.ProxyHandler({}))


class HttpAdapter:
    creates_rows = True

    def __init__(self, timeout: float = HTTP_TIMEOUT):
        self.timeout = timeout

    def _refused(self, carrier: Carrier, why: str) -> BusinessError:
        return BusinessError(_("承运商“%(carrier)s”接口取号失败：%(why)s") % {"carrier": carrier.name, "why": why},
                             field="carrier", code="carrier_api")

    def take(self, carrier: Carrier, orders: list[Order]) -> list[str]:
        if not carrier.api_url.startswith(("http://", "https://")):
            raise self._refused(carrier, _("未配置接口地址"))
        key = os.environ.get(carrier.api_key_env) if carrier.api_key_env else None
        if not key:
            raise self._refused(carrier, _("未配置接口密钥（环境变量 %(name)s）")
                                % {"name": carrier.api_key_env or "—"})
        body = json.dumps({"carrier": carrier.code, "count": len(orders),
                           "orders": [order.platform_order_no for order in orders]}).encode()
        request = urllib.request.Request(carrier.api_url, data=body, method="POST", headers={  # noqa: S310
            "Content-Type": "application/json", "Accept": "application/json", "Authorization": f"Bearer {key}"})
        try:
            with _OPENER.open(request, timeout=self.timeout) as answer:
                raw = answer.read(HTTP_MAX_BYTES + 1)
        except urllib.error.HTTPError as error:
            raise self._refused(carrier, _("接口返回 HTTP %(status)s") % {"status": error.code}) from None
        except (urllib.error.URLError, OSError, ValueError):
            raise self._refused(carrier, _("无法连接接口")) from None
        if len(raw) > HTTP_MAX_BYTES:
            raise self._refused(carrier, _("接口返回的内容过大"))
        try:
            numbers = json.loads(raw.decode("utf-8"))["numbers"]
        except (UnicodeDecodeError, ValueError, KeyError, TypeError):
            raise self._refused(carrier, _("接口返回的内容无法识别")) from None
        if not isinstance(numbers, list) or not all(isinstance(n, str) for n in numbers):
            raise self._refused(carrier, _("接口返回的内容无法识别"))
        if len(numbers) != len(orders):
            raise self._refused(carrier, _("需要 %(n)s 个单号，接口返回 %(got)s 个")
                                % {"n": len(orders), "got": len(numbers)})
        numbers = [n.strip() for n in numbers]
        bad = next((n for n in numbers if valid_number(n)), None)
        if bad is not None or len(set(numbers)) != len(numbers):
            raise self._refused(carrier, _("接口返回的单号无效或重复"))
        return numbers


ADAPTERS: dict[str, type] = {NumberSource.POOL: PoolAdapter, NumberSource.IMPORTED: ImportedAdapter,
                             NumberSource.HTTP: HttpAdapter}


def adapter_for(carrier: Carrier) -> NumberAdapter:
    return ADAPTERS[carrier.number_source]()


# --- assigning ---------------------------------------------------------------------------------------


@dataclass
class Assigned:
    """What ``assign`` did: the orders given a number now, and those that kept the one they had."""

    given: dict[int, str] = field(default_factory=dict)  # order id → number
    kept: dict[int, str] = field(default_factory=dict)


def _carrier(carrier: Carrier, *, lock: bool = False) -> Carrier:
    carrier = (Carrier.objects.select_for_update() if lock else Carrier.objects).get(pk=carrier.pk)
    if not carrier.is_active:
        raise BusinessError(_("承运商“%(carrier)s”已停用") % {"carrier": carrier.name}, field="carrier")
    return carrier


def _refuse_order(order: Order, why: str) -> BusinessError:
    return BusinessError(_("订单 %(no)s %(why)s，未分配任何运单号") % {"no": order.platform_order_no, "why": why},
                         field="orders", code="wrong_state")


@transaction.atomic
def assign(orders, carrier: Carrier, *, user, adapter: NumberAdapter | None = None) -> Assigned:
    """Give each order (ids or orders) a number of ``carrier`` (LOG-02), all or nothing, in one transaction.

    Each order must be in the user's scope (else "not found") and reviewed or waiting to ship; an order
    that has a number already keeps it (a second run changes nothing). The rest get the adapter's numbers
    in the order given: the number and the carrier are set on the order, with an event in its history."""
    require_staff_perm(user, ASSIGN_PERM)
    ids = list(dict.fromkeys(o.pk if isinstance(o, Order) else int(o) for o in orders))
    if not ids:
        raise BusinessError(_("请选择订单"), field="orders")
    carrier = _carrier(carrier)
    scope = scope_for(user)
    # Locked in id order, like every act over several orders, so two clerks never deadlock.
    found = {o.pk: o for o in Order.objects.select_for_update(of=("self",)).filter(pk__in=ids).order_by("pk")}
    held = dict(TrackingNumber.objects.filter(order_id__in=ids).values_list("order_id", "number"))
    result, todo = Assigned(), []
    for pk in ids:
        order = found.get(pk)
        if order is None or not scope.sees_store(order.store_id):
            raise BusinessError(_("订单不存在"), field="orders", code="not_found")
        if pk in held or order.tracking_no:
            result.kept[pk] = held.get(pk) or order.tracking_no
            continue
        if order.state not in ASSIGNABLE:
            raise _refuse_order(order, _("当前为“%(state)s”，只有已审单或待发货的订单可以分配运单号")
                                % {"state": order.get_state_display()})
        todo.append(order)
    if not todo:
        return result
    adapter = adapter or adapter_for(carrier)
    numbers = adapter.take(carrier, todo)
    if len(numbers) != len(todo):  # an adapter's own promise; checked all the same
        raise BusinessError(_("承运商“%(carrier)s”返回的单号数量不对") % {"carrier": carrier.name}, field="carrier")
    now = timezone.now()
    try:
        with transaction.atomic():
            for order, number in zip(todo, numbers, strict=True):
                _record(carrier, order, number, adapter=adapter, user=user, at=now)
    except IntegrityError:
        raise BusinessError(_("承运商“%(carrier)s”的单号已被使用过，未分配任何运单号") % {"carrier": carrier.name},
                            field="carrier", code="conflict") from None
    for order, number in zip(todo, numbers, strict=True):
        order_actions.give_tracking_number(
            order, user=user, courier=carrier.code, tracking_no=number, perm=ASSIGN_PERM,
            note=_("分配运单号 %(no)s（%(carrier)s，%(source)s）")
            % {"no": number, "carrier": carrier.name, "source": carrier.get_number_source_display()},
            data={"source": carrier.number_source})
        result.given[order.pk] = number
    return result


def _record(carrier: Carrier, order: Order, number: str, *, adapter: NumberAdapter, user, at) -> None:
    if adapter.creates_rows:
        TrackingNumber.objects.create(carrier=carrier, number=number, order=order, source=carrier.number_source,
                                      assigned_at=at, assigned_by=user, created_by=user)
        return
    taken = TrackingNumber.objects.filter(carrier=carrier, number=number, order__isnull=True).update(
        order=order, assigned_at=at, assigned_by=user)
    if taken != 1:
        raise IntegrityError(f"number {number} was taken meanwhile")


@transaction.atomic
def set_active(carrier: Carrier, *, user, active: bool) -> Carrier:
    """Take a carrier out of use (no number is given or imported for it any more) or back in."""
    require_staff_perm(user, CHANGE_CARRIER_PERM)
    carrier = Carrier.objects.select_for_update().get(pk=carrier.pk)
    if carrier.is_active != active:
        carrier.is_active = active
        save_audited(carrier, user=user, update_fields=["is_active"])
    return carrier


# --- pools and imports -------------------------------------------------------------------------------


def check_pool(carrier: Carrier, *, prefix: str, first: int, last: int, width: int, exclude: int | None = None) -> None:
    """A range must run forwards, fit a tracking number and overlap no other range of the carrier with
    the same prefix (a number would be given twice)."""
    if first < 0 or last < first:
        raise BusinessError(_("号段的结束号不能小于起始号"), field="last")
    if prefix and not NUMBER_RE.match(prefix):
        raise BusinessError(_("前缀只能包含字母、数字和短横线"), field="prefix")
    if not 1 <= width <= 20 or len(prefix) + max(width, len(str(last))) > TRACKING_NO_MAX:
        raise BusinessError(_("位数无效"), field="width")
    others = NumberPool.objects.select_for_update().filter(carrier=carrier, prefix=prefix).exclude(pk=exclude)
    for other in others:
        if first <= other.last and other.first <= last:
            raise BusinessError(_("与已有号段 %(pool)s 重叠") % {"pool": other}, field="first")


@transaction.atomic
def add_pool(carrier: Carrier, *, user, first: int, last: int, prefix: str = "", width: int = 12) -> NumberPool:
    """A range of numbers the carrier assigned (号段), handed out from ``first``."""
    require_staff_perm(user, POOL_PERM)
    check_pool(carrier, prefix=prefix, first=first, last=last, width=width)
    pool = NumberPool(carrier=carrier, prefix=prefix, first=first, last=last, next_value=first, width=width)
    pool._history_user = user
    pool.save()
    return pool


@dataclass
class Imported:
    created: int = 0
    existing: int = 0  # imported before (a second import of the same file changes nothing)


def _rows(file) -> list[tuple[int, str]]:
    data = file.read(IMPORT_MAX_BYTES + 1) if hasattr(file, "read") else bytes(file)
    if isinstance(data, str):
        data = data.encode("utf-8")
    if len(data) > IMPORT_MAX_BYTES:
        raise BusinessError(_("文件过大"), field="file")
    reader = csv.reader(io.StringIO(decode_text(data)))  # what Excel saves: UTF-8 (BOM) or GBK
    header = next(reader, None)
    names = [cell.strip() for cell in header or []]
    if IMPORT_HEADER not in names:
        raise BusinessError(_("文件第 1 行应为表头“运单号”"), field="file")
    column = names.index(IMPORT_HEADER)
    rows = [(row_no, row[column].strip() if column < len(row) else "", any(cell.strip() for cell in row))
            for row_no, row in enumerate(reader, start=2)]
    while rows and not rows[-1][2]:  # blank lines at the end are no rows; a blank line between rows is
        rows.pop()
    return [(row_no, number) for row_no, number, _filled in rows]


@transaction.atomic
def import_numbers(file, carrier: Carrier, *, user) -> Imported:
    """Numbers bought elsewhere (CSV with the header 运单号, one number a row; UTF-8 with or without BOM,
    or GBK as Chinese Excel saves it). All or nothing: any bad row (empty, too long, bad characters, twice
    in the file, or used already) is named by its row number and nothing is written. A number imported
    before for this carrier and still waiting is left as it is, so importing the same file again
    changes nothing."""
    require_staff_perm(user, IMPORT_PERM)
    carrier = _carrier(carrier, lock=True)  # one import of a carrier at a time
    rows = _rows(file)
    if not rows:
        raise BusinessError(_("文件中没有运单号"), field="file")
    errors, seen = [], {}
    for row_no, number in rows:
        why = valid_number(number)
        if why is None and number in seen:
            why = _("运单号 %(no)s 与第 %(row)s 行重复") % {"no": number, "row": seen[number]}
        seen.setdefault(number, row_no)
        if why:
            errors.append((row_no, why))
    numbers = [n for _row, n in rows]
    present = {n: (source, order_id) for n, source, order_id in TrackingNumber.objects.filter(
        carrier=carrier, number__in=numbers).values_list("number", "source", "order_id")}
    for row_no, number in rows:
        if number in present and (present[number][0] != NumberSource.IMPORTED or present[number][1] is not None):
            errors.append((row_no, _("运单号 %(no)s 已使用过") % {"no": number}))
    if errors:
        errors.sort()
        shown = "；".join(_("第 %(row)s 行：%(why)s") % {"row": r, "why": w} for r, w in errors[:ERRORS_SHOWN])
        more = _("等 %(n)s 行") % {"n": len(errors)} if len(errors) > ERRORS_SHOWN else ""
        raise BusinessError(_("导入失败，未写入任何单号。%(rows)s%(more)s") % {"rows": shown, "more": more},
                            field="file", code="bad_rows")
    new = [n for n in dict.fromkeys(numbers) if n not in present]
    try:
        with transaction.atomic():
            TrackingNumber.objects.bulk_create([TrackingNumber(carrier=carrier, number=n, source=NumberSource.IMPORTED,
                                                               created_by=user) for n in new])
    except IntegrityError:
        raise BusinessError(_("导入失败：有单号正被他人同时导入，请重试"), field="file", code="conflict") from None
    return Imported(created=len(new), existing=len(numbers) - len(new))
