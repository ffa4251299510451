"""The buyer message of a logistics case as text with named placeholders (LOG-02).

A text names what it needs in curly braces: ``{订单号}``, ``{快递公司}``, ``{运单号}``. Filling it is a
plain replacement of those names by the case's values, never ``str.format`` or ``%`` on the text, so
an edited text can reach nothing but these three values; a name that is not one of them is left as
written (and refused when the text is saved, like a stray brace).

The built-in texts below are the defaults: seeded as ``BuyerMessageTemplate`` rows (``seed.py``) and
used whenever the kind has no active template. They are Chinese business content sent to Chinese
buyers, not UI text, so they are not translated. This module imports no model (models import it).
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

ORDER_NO, COURIER, TRACKING_NO = "订单号", "快递公司", "运单号"
# The placeholders a text may use, with what each becomes (shown on the page and in the help text).
PLACEHOLDERS = {
    ORDER_NO: gettext_lazy("平台订单号"),
    COURIER: gettext_lazy("快递公司名称"),
    TRACKING_NO: gettext_lazy("快递运单号"),
}
TOKEN = re.compile(r"\{([^{}]*)\}")

# By CaseKind value (models.CaseKind; this module cannot import it).
DEFAULT_TEXTS = {
    "delayed": "您好，您的订单 {订单号}（{快递公司} {运单号}）配送比承诺时间晚了，我们已联系快递加急处理，"
               "给您带来不便非常抱歉。",
    "lost": "您好，您的订单 {订单号}（{快递公司} {运单号}）在运输途中丢失，我们将为您补发或退款，"
            "请告诉我们您的选择。",
    "damaged": "您好，您的订单 {订单号}（{快递公司} {运单号}）运输中发生破损，请拍照联系我们，"
               "我们将为您补发或退款。",
    "returned": "您好，您的订单 {订单号}（{快递公司} {运单号}）被快递退回，请确认收货地址和电话，"
                "我们将重新为您发出。",
}

# The example order a text is previewed against on the page and in the API.
EXAMPLE = {ORDER_NO: "TB2026110100001", COURIER: "中通快递", TRACKING_NO: "ZT7800000000001"}


def placeholder_names() -> str:
    """``{订单号}、{快递公司}、{运单号}``: for messages."""
    return "、".join(f"{{{name}}}" for name in PLACEHOLDERS)


def problem(text: str) -> str | None:
    """Why ``text`` cannot be used as a buyer message template (None: it can)."""
    unknown = [name for name in TOKEN.findall(text) if name not in PLACEHOLDERS]
    if unknown:
        return _("未知的占位符 %(names)s，可用的占位符：%(known)s") % {
            "names": "、".join(f"{{{name}}}" for name in dict.fromkeys(unknown)), "known": placeholder_names()}
    if "{" in TOKEN.sub("", text) or "}" in TOKEN.sub("", text):
        return _("花括号只能用于占位符（%(known)s），请检查是否缺少“{”或“}”") % {"known": placeholder_names()}
    return None


def validate_placeholders(text: str) -> None:
    """Model validator of ``BuyerMessageTemplate.text``."""
    why = problem(text or "")
    if why:
        raise ValidationError(why, code="placeholder")


def fill(text: str, values: dict[str, str]) -> str:
    """``text`` with each known placeholder replaced by its value; anything else stays as written.
    One pass: a value that itself looks like a placeholder is not replaced again."""
    return TOKEN.sub(lambda match: str(values.get(match.group(1), match.group(0))), text)
