"""Read the audit trail (DAT-02): every tracked model's history, merged, filtered and scoped.

django-simple-history keeps a full copy of a row at each change (bulk operations included, through
``bulk_create_with_history`` / ``bulk_update_with_history``). Before/after is the difference between
a historical row and the one before it. Nothing here writes: the trail is read-only in the product.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db import models
from django.utils.translation import gettext as _

from ecomops.audit import masking
from ecomops.org.scoping import is_client_member, scope_for, scope_q

ACTIONS = {"+": "create", "~": "update", "-": "delete"}
ACTION_CODES = {v: k for k, v in ACTIONS.items()}
# Personal data is shown masked in the trail; the change itself stays visible (who changed it, when).
MASKED_FIELDS = {"phone": masking.mask_phone, "contact_phone": masking.mask_phone,
                 "address": masking.mask_address, "id_number": lambda v: masking.MASK * len(v)}
HISTORY_FIELDS = {"history_id", "history_date", "history_change_reason", "history_type", "history_user",
                  "history_user_id", "ip_address", "history_relation"}


def action_display(action: str) -> str:
    return {"create": _("新增"), "update": _("修改"), "delete": _("删除")}[action]


@dataclass
class Entry:
    at: datetime
    user: Any
    ip: str | None
    action: str
    model_label: str
    model_name: str
    object_id: str
    object_repr: str
    reason: str = ""
    changes: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def action_display(self) -> str:
        return action_display(self.action)


@dataclass
class Page:
    entries: list[Entry]
    page: int
    page_size: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def _tracked() -> list[type[models.Model]]:
    found = [m for m in apps.get_models() if hasattr(m._meta, "simple_history_manager_attribute")]
    return sorted(found, key=lambda m: m._meta.label_lower)


def _history_model(model):
    return getattr(model, model._meta.simple_history_manager_attribute).model


def tracked_models() -> list[tuple[str, str]]:
    return [(m._meta.label_lower, str(m._meta.verbose_name)) for m in _tracked()]


def _scoped_history(model, user):
    """The historical rows of ``model`` the user may read, or None when none."""
    history = _history_model(model)._default_manager.all()
    scope = scope_for(user)
    if scope.all:
        return history
    scoped = hasattr(model, "scope_store_field") or hasattr(model, "scope_client_field")
    if not scoped:
        # Internal records (organisation, policy): for staff with the audit permission, not clients.
        return None if is_client_member(user) else history
    condition = scope_q(model, scope)
    pk_name = model._meta.pk.attname

    def rename(q):  # "pk" on the live table is the original id column on the historical table
        q.children = [
            rename(child) if isinstance(child, models.Q)
            else (child[0].replace("pk__", f"{pk_name}__", 1) if child[0].startswith("pk__") else child[0], child[1])
            for child in q.children
        ]
        return q

    return history.filter(rename(condition))


def search(user, *, model_label: str | None = None, actor_id: int | None = None, since: datetime | None = None,
           until: datetime | None = None, object_id: str | None = None, action: str | None = None,
           page: int = 1, page_size: int = 50) -> Page:
    page = max(int(page), 1)
    page_size = min(max(int(page_size), 1), 200)
    wanted = page * page_size + 1
    streams = []
    for model in _tracked():
        if model_label and model._meta.label_lower != model_label:
            continue
        rows = _scoped_history(model, user)
        if rows is None:
            continue
        if actor_id:
            rows = rows.filter(history_user_id=actor_id)
        if since:
            rows = rows.filter(history_date__gte=since)
        if until:
            rows = rows.filter(history_date__lt=until)
        if action:
            rows = rows.filter(history_type=ACTION_CODES.get(action, "?"))
        if object_id:
            try:
                rows = rows.filter(**{model._meta.pk.attname: model._meta.pk.to_python(object_id)})
            except Exception:  # noqa: S112 - an id that cannot belong to this model matches nothing
                continue
        top = rows.order_by("-history_date", "-history_id").values_list("history_date", "history_id")[:wanted]
        streams.append([(-at.timestamp(), -hid, model) for at, hid in top])
    merged = list(heapq.merge(*streams, key=lambda row: (row[0], row[1])))
    start = (page - 1) * page_size
    window = merged[start:start + page_size]
    return Page([_entry(model, -hid) for _, hid, model in window], page, page_size, len(merged) > start + page_size)


def _entry(model, history_id: int) -> Entry:
    history = _history_model(model)
    record = history._default_manager.select_related("history_user").get(history_id=history_id)
    action = ACTIONS[record.history_type]
    previous = record.prev_record if action == "update" else None
    changes = _changes(model, record, previous, action)
    describe = EXTRA.get(model._meta.label_lower)
    if describe is not None:
        changes = describe(record) + changes
    try:
        object_repr = str(record.instance)
    except Exception:  # a related row may have gone
        object_repr = f"#{getattr(record, model._meta.pk.attname)}"
    return Entry(
        at=record.history_date,
        user=record.history_user,
        ip=getattr(record, "ip_address", None),
        action=action,
        model_label=model._meta.label_lower,
        model_name=str(model._meta.verbose_name),
        object_id=str(getattr(record, model._meta.pk.attname)),
        object_repr=object_repr[:200],
        reason=record.history_change_reason or "",
        changes=changes,
    )


def _fields(model):
    return [f for f in model._meta.concrete_fields if f.name not in HISTORY_FIELDS and not f.primary_key]


def _changes(model, record, previous, action) -> list[tuple[str, str, str]]:
    out = []
    for f in _fields(model):
        after = getattr(record, f.attname, None)
        before = getattr(previous, f.attname, None) if previous is not None else None
        if action == "update" and before == after:
            continue
        if action == "create" and after in (None, ""):
            continue
        if action == "delete":
            before, after = after, None
            if before in (None, ""):
                continue
        out.append((str(f.verbose_name), show(f, before), show(f, after)))
    return out


def show(f, value) -> str:
    if value is None or value == "":
        return "—"
    if f.name in MASKED_FIELDS:
        return MASKED_FIELDS[f.name](str(value))
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(f, models.BooleanField):
        return _("是") if value else _("否")
    if isinstance(f, models.ForeignKey):
        related = f.related_model._default_manager.filter(pk=value).first()
        return str(related) if related is not None else f"#{value}"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        from django.utils import timezone

        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")
    text = value if isinstance(value, str) else str(value)
    return text if len(text) <= 300 else text[:300] + "…"


def _policy_version_before(record) -> list[tuple[str, str, str]]:
    """A new policy version: show what was in force before next to the new value (POL-01)."""
    from ecomops.policy.kinds import display
    from ecomops.policy.models import PolicyParameter, PolicyVersion

    if record.history_type != "+":
        return []
    parameter = PolicyParameter.objects.filter(pk=record.parameter_id).first()
    if parameter is None:
        return []
    earlier = (
        PolicyVersion.objects.filter(parameter=parameter, number__lt=record.number,
                                     effective_from__lte=record.effective_from)
        .order_by("-effective_from", "-number").first()
    )
    before = display(parameter.kind, earlier.value, parameter.options) if earlier else "—"
    after = display(parameter.kind, record.value, parameter.options)
    return [(_("取值（%(key)s）") % {"key": parameter.key}, before, after)]


EXTRA = {"policy.policyversion": _policy_version_before}
