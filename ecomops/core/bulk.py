"""Prepared multi-row INSERTs for the hot paths (stock postings, order imports), with their history.

Django's ``bulk_create`` prepares every value through the full field machinery, which costs far more
than the database work for the many plain rows written here. ``insert_rows`` writes the rows of one
model with ``INSERT … VALUES (…), (…) [RETURNING id]`` and sets their keys; both SQLite (3.35+) and
PostgreSQL return the ids in the order of the VALUES rows, which Django's own ``bulk_create`` relies
on too. Plain columns (numbers, text, decimals, booleans, foreign-key ids) go in as they are; dates
and date-times are adapted by the backend; any other field (JSON, encrypted text…) is prepared by the
field itself, so what is stored is exactly what ``save()`` would store.

``insert_history`` writes the simple-history rows of newly inserted objects the same way (who, when,
reason, a copy of the tracked fields): bulk work leaves the same audit trail as ``save()``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from django.db import connection, models
from django.utils import timezone

CHUNK = 400
# Field classes whose Python value is already what the database driver takes (exact types only: a
# subclass such as an encrypted text field prepares its own value).
PLAIN = {models.CharField, models.TextField, models.SlugField, models.IntegerField, models.BigIntegerField,
         models.SmallIntegerField, models.PositiveIntegerField, models.PositiveSmallIntegerField,
         models.PositiveBigIntegerField, models.BooleanField, models.DecimalField, models.ForeignKey}


def _memo(adapt: Callable) -> Callable:
    """Dates and times repeat a lot within one insert (a chunk's "now", a day's timestamps): each distinct
    value is adapted once."""
    seen: dict = {}

    def adapted(value):
        found = seen.get(value, seen)
        if found is seen:
            found = seen[value] = adapt(value)
        return found

    return adapted


def _adapter(field) -> Callable | None:
    ops = connection.ops
    if type(field) is models.DateTimeField:
        return _memo(ops.adapt_datetimefield_value)
    if type(field) is models.DateField:
        return _memo(ops.adapt_datefield_value)
    if type(field) in PLAIN:
        return None
    return lambda value, f=field: f.get_db_prep_save(value, connection)


def insert_rows(model: type[models.Model], objs: Sequence, *, returning: bool = True) -> None:
    """Insert ``objs``: model instances (their keys are set when ``returning``), or plain dicts by
    attribute name (cheaper to build; missing attributes take the field's default)."""
    if not objs:
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    if isinstance(objs[0], dict):
        now = timezone.now()
        defaults = {f.attname: (now if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
                                else f.get_default()) for f in fields}
        unknown = set().union(*(row.keys() for row in objs)) - defaults.keys()
        if unknown:
            # A misspelt or renamed attribute would otherwise be dropped without a word.
            raise ValueError(f"{model.__name__} has no attribute(s) {', '.join(sorted(unknown))}")
        objs = [_Row({**defaults, **row}) for row in objs]
        returning = False
    for field in fields:
        if getattr(field, "auto_now_add", False) or getattr(field, "auto_now", False):
            for obj in objs:
                if not isinstance(obj, _Row):
                    field.pre_save(obj, add=True)
    columns = ", ".join(f'"{f.column}"' for f in fields)
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    adapt = [_adapter(f) for f in fields]
    attnames = [f.attname for f in fields]
    pk = model._meta.pk.column
    tail = f' RETURNING "{pk}"' if returning else ""
    with connection.cursor() as cursor:
        for start in range(0, len(objs), CHUNK):
            chunk = objs[start : start + CHUNK]
            params = []
            for obj in chunk:
                get = obj.__getitem__ if isinstance(obj, _Row) else obj.__getattribute__
                for attname, convert in zip(attnames, adapt, strict=True):
                    value = get(attname)
                    params.append(convert(value) if convert is not None and value is not None else value)
            sql = (
                f'INSERT INTO "{model._meta.db_table}" ({columns}) '  # noqa: S608 - our own table and columns
                f'VALUES {", ".join([one] * len(chunk))}{tail}'
            )
            cursor.execute(sql, params)
            if returning:
                for obj, (key,) in zip(chunk, cursor.fetchall(), strict=True):
                    obj.pk = key
                    obj._state.adding = False
                    obj._state.db = connection.alias


class _Row(dict):
    __getattr__ = dict.__getitem__


def insert_history(model: type[models.Model], objs: Sequence[models.Model], *, user, reason: str = "",
                   at: datetime | None = None, kind: str = "+") -> None:
    """The history rows of ``objs`` (already saved, keys set) as simple-history's own would be."""
    history = model.history.model
    when = at or timezone.now()
    tracked = [f.attname for f in history.tracked_fields]
    user_id = getattr(user, "pk", None)
    base = {"history_date": when, "history_user_id": user_id, "history_change_reason": (reason or "")[:100],
            "history_type": kind}
    insert_rows(history, [{**base, **{name: getattr(obj, name) for name in tracked}} for obj in objs],
                returning=False)
