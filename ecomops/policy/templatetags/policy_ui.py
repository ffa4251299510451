"""Policy citations on the pages in words (issue 15): a stored label such as ``commission_rates v2（…）``
is shown as its clause and Chinese name, ``PER-08 提成比例 版本 v2（…）``, not as the raw key."""

from __future__ import annotations

import re

from django import template
from django.utils.translation import gettext as _

from ecomops.core.templatetags.ecomops_ui import loc
from ecomops.policy.models import PolicyParameter

register = template.Library()

VERSION_LABEL = re.compile(r"([A-Za-z][A-Za-z0-9_.\-]*) v(\d+)\b")  # a key (STO-04.renewal_days) and its version


def _parameters(keys) -> dict[str, PolicyParameter]:
    found = PolicyParameter.objects.filter(key__in=set(keys)).only("key", "clause", "name", "name_en")
    return {parameter.key: parameter for parameter in found}


@register.filter
def policy_key(key) -> str:
    """A parameter's key as its clause and name (``PER-08 提成比例``); an unknown key as it is."""
    parameter = _parameters([str(key)]).get(str(key))
    return f"{parameter.clause} {loc(parameter)}" if parameter else str(key)


@register.filter
def policy_label(text) -> str:
    """Every ``key vN`` in a citation becomes ``[clause] name 版本 vN`` (the clause only when the text
    does not already name it)."""
    text = "" if text is None else str(text)
    found = VERSION_LABEL.findall(text)
    if not found:
        return text
    parameters = _parameters(key for key, _number in found)

    def words(match: re.Match) -> str:
        parameter = parameters.get(match.group(1))
        if parameter is None:
            return match.group(0)
        clause = "" if parameter.clause in text.replace(parameter.key, "") else f"{parameter.clause} "
        return _("%(clause)s%(name)s 版本 v%(n)s") % {"clause": clause, "name": loc(parameter), "n": match.group(2)}

    return VERSION_LABEL.sub(words, text)
