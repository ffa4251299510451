"""Raise, complete and cancel due items (DAT-04). Modules call these from their actions.

A due item of a client or a store (DAT-02, AGY-07) goes only to people who may see it: the store's
item to those who see the store, a client's own item (no store) to those who see the client whole —
the rule of ``DueItem``'s scope, the one its lists use. ``raise_dues`` skips every owner who may not
and falls back to someone who may (the module's fallback, else the active superusers); the client and
store are taken from the source record when the caller does not name them. Items of the company
itself (no client, no store) go to whoever they are given to. Lists show a person only the items
they may see (``DueItem.objects.of_user``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from ecomops.org.scoping import scope_for

from .models import DueItem


def _source_key(source: models.Model | None) -> dict:
    if source is None:
        return {"source_type": None, "source_id": ""}
    return {"source_type": ContentType.objects.get_for_model(source), "source_id": str(source.pk)}


def _follow(record: models.Model, path: str | None):
    """The record at the end of a scope path ("store", "order__store__client", "pk" for the record itself)."""
    if not path:
        return None
    if path == "pk":
        return record
    for name in path.split("__"):
        record = getattr(record, name, None)
        if record is None:
            return None
    return record


def anchor(source: models.Model | None, client=None, store=None) -> tuple:
    """(client, store) of a due item: as given, the client of a given store, or else the source's own
    client and store (through the scope paths its model declares)."""
    if client is None and store is None and source is not None:
        model = type(source)
        store = _follow(source, getattr(model, "scope_store_field", None))
        client = _follow(source, getattr(model, "scope_client_field", None))
    if client is None and store is not None:
        client = store.client
    return client, store


def may_see(user, *, client=None, store=None) -> bool:
    """DAT-02: may ``user`` see a due item of this client/store (the rule of ``DueItem``'s scope)?"""
    if client is None and store is None:
        return True
    scope = scope_for(user)
    if store is not None:
        return scope.sees_store(store.pk)
    return scope.sees_client(client.pk)


def superusers() -> list:
    return list(get_user_model().objects.filter(is_active=True, is_superuser=True).order_by("pk"))


def raise_dues(
    *,
    kind: str,
    owners: Iterable,
    title: str,
    due_at: datetime,
    source: models.Model | None = None,
    clause: str = "",
    link: str = "",
    client=None,
    store=None,
    fallback: Iterable | Callable[[], Iterable] | None = None,
) -> list[DueItem]:
    """Raise the item to every owner who may see it (DAT-02); when none may, to the ``fallback`` people
    who may (a list, or a function giving it), and else to the active superusers. Idempotent per source
    and owner. Returns the items."""
    client, store = anchor(source, client, store)
    chosen = _seeing(owners, client, store)
    if not chosen and fallback is not None:
        chosen = _seeing(fallback() if callable(fallback) else fallback, client, store)
    if not chosen:
        chosen = _seeing(superusers(), client, store)
    return [_raise_one(kind=kind, owner=owner, title=title, due_at=due_at, source=source, clause=clause, link=link,
                       client=client, store=store) for owner in chosen]


def _seeing(people: Iterable, client, store) -> list:
    chosen, seen = [], set()
    for person in people:
        if person is not None and person.pk not in seen and may_see(person, client=client, store=store):
            seen.add(person.pk)
            chosen.append(person)
    return chosen


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
    fallback: Iterable | Callable[[], Iterable] | None = None,
) -> DueItem | None:
    """Create the due item once; raising it again for the same source and owner changes nothing. An
    owner who may not see the item's client or store is skipped for the fallback (see ``raise_dues``);
    the first item raised is returned (None when nobody may see it)."""
    items = raise_dues(kind=kind, owners=[owner], title=title, due_at=due_at, source=source, clause=clause,
                       link=link, client=client, store=store, fallback=fallback)
    return items[0] if items else None


def _raise_one(*, kind, owner, title, due_at, source, clause, link, client, store) -> DueItem:
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


def complete_due(*, kind: str, source: models.Model, owner=None, user=None, at: datetime | None = None) -> int:
    """Mark the open due items of this kind and source as done; returns how many."""
    items = DueItem.objects.open().filter(kind=kind, **_source_key(source))
    if owner is not None:
        items = items.filter(owner=owner)
    return items.update(done_at=at or timezone.now(), done_by=user or owner)


def complete_dues_of(*, kind: str, model: type[models.Model], ids: Iterable, at: datetime | None = None) -> int:
    """Mark done the open items of this kind whose source is one of the ``ids`` of ``model``, done by
    nobody: what they asked for came right by itself (a failed job that ran well since)."""
    items = DueItem.objects.open().filter(kind=kind, source_type=ContentType.objects.get_for_model(model),
                                          source_id__in=[str(pk) for pk in ids])
    return items.update(done_at=at or timezone.now())


def open_due_exists(*, kind: str, source: models.Model, owner) -> bool:
    """Whether ``owner`` still has an open item of this kind and source."""
    return DueItem.objects.open().filter(kind=kind, owner=owner, **_source_key(source)).exists()


def cancel_due(*, kind: str, source: models.Model, owner=None) -> int:
    items = DueItem.objects.open().filter(kind=kind, **_source_key(source))
    if owner is not None:
        items = items.filter(owner=owner)
    return items.update(cancelled_at=timezone.now())
