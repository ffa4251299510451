"""Checks every app's actions share (issue 14: one home instead of private helpers imported across
apps). Each turns a problem into a ``BusinessError`` naming the field, so pages, the API and the CLI
report it the same way."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.utils.translation import gettext as _

from .errors import BusinessError


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
