"""One way to attach the audit history to a model: ``history = audited()``.

Each historical row keeps who (history_user), when (history_date), what (history_type and a full copy
of the row, so before/after is the difference to the previous row) and the address it came from.
"""

from simple_history.models import HistoricalRecords

from .models import HistoryContext


def audited(**kwargs) -> HistoricalRecords:
    kwargs.setdefault("bases", [HistoryContext])
    return HistoricalRecords(**kwargs)


def save_audited(instance, *, user, reason: str = "", **save_kwargs) -> None:
    """Save with the acting user (and a reason) on the history row, also outside a web request."""
    instance._history_user = user
    if reason:
        instance._change_reason = reason[:100]
    instance.save(**save_kwargs)


def delete_audited(instance, *, user, reason: str = "") -> None:
    instance._history_user = user
    if reason:
        instance._change_reason = reason[:100]
    instance.delete()
