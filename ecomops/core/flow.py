"""One way to change a document's state: check the step against the document's ``*_FLOW`` map, set
the state, save with the audit history (who, when, why) and write the event row.

Every stateful model has a ``*State`` enum and a ``*_FLOW`` map (state → the states allowed next,
Oscar's pipeline). An action that changes state calls :func:`transition`; a rule the map cannot say
(e.g. "not before it is paid") goes in ``check``, and what else the step sets (a timestamp, who
posted it) in ``changes``, so the state, the stamps and the history row are one save.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from .errors import BusinessError, Conflict
from .history import save_audited

Flow = Mapping[str, Iterable[str]]


def state_label(instance, value: str, *, field: str = "state") -> str:
    """The display name of ``value`` in the choices of ``instance``'s state field."""
    if not value:
        return ""
    choices = dict(instance._meta.get_field(field).flatchoices)
    return str(choices.get(value, value))


def allowed(flow: Flow, current: str, to: str) -> bool:
    return to in tuple(flow.get(current, ()))


def wrong_state(instance, to: str, *, field: str = "state") -> BusinessError:
    """The refusal of a step the map does not allow, naming the document and both states."""
    return BusinessError(
        _("%(doc)s“%(name)s”当前为“%(current)s”，不能变为“%(target)s”") % {
            "doc": instance._meta.verbose_name, "name": instance,
            "current": state_label(instance, getattr(instance, field), field=field),
            "target": state_label(instance, to, field=field),
        },
        field=field, code="wrong_state",
    )


def check_step(instance, to: str, *, flow: Flow, field: str = "state") -> None:
    if not allowed(flow, getattr(instance, field), to):
        raise wrong_state(instance, to, field=field)


def transition(instance, to: str, *, flow: Flow, user, reason: str = "", field: str = "state",
               check: Callable[[Any, str], None] | None = None, changes: Mapping[str, Any] | None = None,
               event: Callable[..., Any] | None = None, event_kwargs: Mapping[str, Any] | None = None,
               update_fields: Iterable[str] | None = None) -> str:
    """Move ``instance`` (already locked by the caller where concurrency matters) to ``to``.

    Refuses a step ``flow`` does not allow (``check`` replaces the map check when the document has
    rules of its own, and must raise a :class:`BusinessError`). Sets ``changes`` and the state, saves
    with ``user`` and ``reason`` on the history row (the reason defaults to the new state's name, so
    the audit trail reads in the user's language), then calls
    ``event(instance, before=..., after=..., user=..., note=reason, **event_kwargs)`` if given (a
    ``note`` in ``event_kwargs`` replaces the reason as the event's note).
    Returns the state the document left.
    """
    before = getattr(instance, field)
    if check is not None:
        check(instance, to)
    else:
        check_step(instance, to, flow=flow, field=field)
    for name, value in (changes or {}).items():
        setattr(instance, name, value)
    setattr(instance, field, to)
    save_kwargs = {}
    if update_fields is not None:
        save_kwargs["update_fields"] = [*update_fields, field, *(changes or {})]
    try:
        with transaction.atomic():
            save_audited(instance, user=user, reason=str(reason or state_label(instance, to, field=field)),
                         **save_kwargs)
    except IntegrityError:
        # A constraint the new state breaks is a clash like any other (core.validate.save_checked).
        raise Conflict(_("保存失败：与已有记录重复或不符合约束")) from None
    if event is not None:
        event(instance, **{"before": before, "after": to, "user": user, "note": reason, **(event_kwargs or {})})
    return before
