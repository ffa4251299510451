"""Checks every app's actions share (issue 14: one home instead of private helpers imported across
apps). Each turns a problem into a ``BusinessError`` naming the field, so pages, the API and the CLI
report it the same way."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from .errors import BusinessError, Conflict
from .history import save_audited

FEN = Decimal("0.01")
# The largest amount a DecimalField(max_digits=12, decimal_places=2) holds.
MONEY_MAX = Decimal("9999999999.99")


def validate_model(instance) -> None:
    """Run the model's validation; the first problem becomes a BusinessError naming the field."""
    try:
        instance.full_clean()
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        if field == "__all__":
            raise BusinessError(messages[0]) from None
        try:
            label = str(instance._meta.get_field(field).verbose_name)
        except FieldDoesNotExist:
            label = field
        raise BusinessError(f"{label}：{messages[0]}", field=field) from None


def apply_changes(instance, changes: dict, allowed: Iterable[str]) -> list[str]:
    """Set ``changes`` on ``instance`` (only the ``allowed`` fields); the names that really changed."""
    changed = []
    for name, value in changes.items():
        if name not in allowed:
            raise BusinessError(_("字段 %(name)s 不能修改") % {"name": name}, field=name)
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed.append(name)
    return changed


def parse_money(value, *, field: str, required: bool = True) -> Decimal | None:
    """A non-negative amount in yuan with at most two decimals (fen); never a float."""
    if value is None or value == "":
        if required:
            raise BusinessError(_("请填写金额"), field=field)
        return None
    if isinstance(value, float):
        raise BusinessError(_("金额须为精确的十进制数"), field=field)
    try:
        amount = Decimal(str(value).strip())
    except ArithmeticError:
        raise BusinessError(_("金额格式不正确"), field=field) from None
    if not amount.is_finite():
        raise BusinessError(_("金额格式不正确"), field=field)
    if amount < 0:
        raise BusinessError(_("金额不能为负数"), field=field)
    if amount != amount.quantize(Decimal("0.01")):
        raise BusinessError(_("金额最多两位小数（精确到分）"), field=field)
    if amount >= Decimal("10000000000"):
        raise BusinessError(_("金额过大"), field=field)
    return amount.quantize(Decimal("0.01"))


def text(value, *, field: str, label: str, max_length: int | None = None, required: bool = False,
         single_line: bool = False) -> str:
    """A piece of text stripped of surrounding spaces; ``required`` refuses it empty, ``max_length``
    too long, ``single_line`` with a line break or another control character."""
    result = ("" if value is None else str(value)).strip()
    if required and not result:
        raise BusinessError(_("请填写%(label)s") % {"label": label}, field=field)
    if max_length is not None and len(result) > max_length:
        raise BusinessError(_("%(label)s最多 %(n)d 个字符") % {"label": label, "n": max_length}, field=field)
    if single_line and any(unicodedata.category(ch) == "Cc" for ch in result):
        raise BusinessError(_("%(label)s不能包含换行或控制字符") % {"label": label}, field=field)
    return result


def count(value, *, field: str, label: str, maximum: int, minimum: int = 1) -> int:
    """A whole number of things (units, parcels, cartons) typed or sent, from ``minimum`` to ``maximum``;
    a float, a boolean or text that is not a whole number is refused naming the field."""
    if isinstance(value, bool | float):
        raise BusinessError(_("%(label)s须为整数") % {"label": label}, field=field)
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise BusinessError(_("%(label)s须为整数") % {"label": label}, field=field) from None
    if number < minimum or number > maximum:
        raise BusinessError(_("%(label)s须在 %(min)d 到 %(max)d 之间")
                            % {"label": label, "min": minimum, "max": maximum}, field=field)
    return number


def money(value, *, field: str, label: str, minimum: Decimal | None = None, allow_negative: bool = False,
          maximum: Decimal = MONEY_MAX) -> Decimal:
    """An exact amount in yuan with at most two decimals (fen), never a float; not negative unless
    ``allow_negative``, at least ``minimum`` when given, at most ``maximum`` in size."""
    if isinstance(value, float):
        raise BusinessError(_("%(label)s不是有效金额") % {"label": label}, field=field)
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, TypeError, ValueError):
        raise BusinessError(_("%(label)s不是有效金额") % {"label": label}, field=field) from None
    if not amount.is_finite():
        raise BusinessError(_("%(label)s不是有效金额") % {"label": label}, field=field)
    if amount != amount.quantize(FEN):
        raise BusinessError(_("%(label)s最多两位小数（精确到分）") % {"label": label}, field=field)
    if abs(amount) > maximum:
        raise BusinessError(_("%(label)s过大") % {"label": label}, field=field)
    if not allow_negative and amount < 0:
        raise BusinessError(_("%(label)s不能为负") % {"label": label}, field=field)
    if minimum is not None and amount < minimum:
        raise BusinessError(_("%(label)s不能小于 %(min)s") % {"label": label, "min": minimum}, field=field)
    return amount.quantize(FEN)


def save_checked(instance, *, user, reason: str = "", duplicate: str | None = None, field: str | None = None,
                 validate: bool = False) -> None:
    """Save ``instance`` with its history entry, in a savepoint. A clash with a unique field or another
    constraint (two people saving the same code at once) is a ``Conflict`` (409): ``duplicate`` is its
    message and ``field`` the input it names, when the caller knows which. ``validate`` runs the
    model's own validation first."""
    if validate:
        validate_model(instance)
    try:
        with transaction.atomic():
            save_audited(instance, user=user, reason=reason)
    except IntegrityError:
        raise Conflict(str(duplicate or _("保存失败：与已有记录重复或不符合约束")), field=field) from None
