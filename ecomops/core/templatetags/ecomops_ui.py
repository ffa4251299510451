"""Small template helpers of the EcomOps pages."""

from django import template
from django.utils.translation import get_language

from ecomops.core.users import person_name

register = template.Library()


def _get(obj, field: str):
    return obj.get(field, "") if isinstance(obj, dict) else getattr(obj, field, "")


@register.filter
def loc(obj, field: str = "name"):
    """The English variant of a field (``name_en``, ``title_en`` …) when the page is in English and
    the record has one; the Chinese field otherwise. Reference data carries both (ORG-01, ORG-02)."""
    if obj is None:
        return ""
    if (get_language() or "").startswith("en"):
        english = _get(obj, f"{field}_en")
        if english:
            return english
    return _get(obj, field)


@register.filter
def loc_path(department) -> str:
    """A department with the departments above it, e.g. "仓储部 / 发货部" (ORG-01), in the page's language."""
    if department is None:
        return ""
    return " / ".join(loc(d) for d in [*department.ancestors(), department])


@register.filter
def opens_for(path: str, user) -> bool:
    """``{% if href|opens_for:user %}<a href="{{ href }}">…`` — the viewer may open the page (issue 15)."""
    from ecomops.core.access import may_open

    return may_open(user, path)


@register.filter
def person(user) -> str:
    """A user as a person: the staff name, else the full name, else the login (``{{ x.approved_by|person }}``)."""
    return person_name(user)


@register.filter
def loc_other(obj, field: str = "name") -> str:
    """The name in the other language as a page's second line: the Chinese name under the English one
    on an English page; nothing on a Chinese page (no English in the Chinese UI, issue 15)."""
    if obj is None or not (get_language() or "").startswith("en") or not _get(obj, f"{field}_en"):
        return ""
    return _get(obj, field)
