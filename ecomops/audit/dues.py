"""Raise, complete and cancel due items (DAT-04). Modules call these from their actions."""

from __future__ import annotations

from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from .models import DueItem


def _source_key(source: models.Model | None) -> dict:
    if source is None:
        return {"source_type": None, "source_id": ""}
    return {"source_type": ContentType.objects.get_for_model(source), "source_id": str(source.pk)}


def raise_due(
    *,
    kind: str,
    owner,
    title: str,
    due_at: datetime,
    source: models.Model | None = None,
    clause: str = "",
    link: str = "",
    client=None,
    store=None,
) -> DueItem:
    """Create the due item once; raising it again for the same source and owner changes nothing."""
    item, _created = DueItem.objects.get_or_create(
        kind=kind,
        owner=owner,
        **_source_key(source),
        defaults={
            "title": title[:200],
            "due_at": due_at,
            "clause": clause,
            "link": link,
            "client": client,
            "store": store,
        },
    )
    return item


def complete_due(*, kind: str, source: models.Model, owner=None, by=None, at: datetime | None = None) -> int:
    """Mark the open due items of this kind and source as done; returns how many."""
    items = DueItem.objects.open().filter(kind=kind, **_source_key(source))
    if owner is not None:
        items = items.filter(owner=owner)
    return items.update(done_at=at or timezone.now(), done_by=by or owner)


def cancel_due(*, kind: str, source: models.Model, owner=None) -> int:
    items = DueItem.objects.open().filter(kind=kind, **_source_key(source))
    if owner is not None:
        items = items.filter(owner=owner)
    return items.update(cancelled_at=timezone.now())
