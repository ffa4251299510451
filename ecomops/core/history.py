"""One way to attach the audit history to a model: ``history = audited()``, and to save with it.

Each historical row keeps who (history_user), when (history_date), what (history_type and a full copy
of the row, so before/after is the difference to the previous row) and the address it came from.
It lives in ``core`` (the bottom layer) because every app's models use it; the audit app reads it.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class HistoryContext(models.Model):
    """Abstract base for every historical table: where the change came from."""

    ip_address = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)

    class Meta:
        abstract = True


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
