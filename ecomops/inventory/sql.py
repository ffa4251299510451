"""Prepared multi-row INSERTs for the warehouse's hot paths (posting, reserving).

Django's ``bulk_create`` prepares every value field by field, which costs more than the database
work for the small, plain rows written here thousands of times a minute. ``insert_returning`` writes
the rows of one model with a single ``INSERT … VALUES (…), (…) RETURNING id`` and sets their keys;
both SQLite (3.35+) and PostgreSQL return the ids in the order of the VALUES rows, which Django's own
``bulk_create`` relies on too. Only plain columns are supported: numbers, text, foreign-key ids,
dates and date-times (adapted here); anything else belongs in ``bulk_create``.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection, models

CHUNK = 400


def insert_returning(model: type[models.Model], objs: Sequence[models.Model]) -> None:
    if not objs:
        return
    ops = connection.ops
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    for field in fields:
        if getattr(field, "auto_now_add", False) or getattr(field, "auto_now", False):
            for obj in objs:
                field.pre_save(obj, add=True)
    columns = ", ".join(f'"{f.column}"' for f in fields)
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    adapt = []
    for field in fields:
        if isinstance(field, models.DateTimeField):
            adapt.append(ops.adapt_datetimefield_value)
        elif isinstance(field, models.DateField):
            adapt.append(ops.adapt_datefield_value)
        else:
            adapt.append(None)
    pk = model._meta.pk.column
    with connection.cursor() as cursor:
        for start in range(0, len(objs), CHUNK):
            chunk = objs[start : start + CHUNK]
            params = []
            for obj in chunk:
                for field, convert in zip(fields, adapt, strict=True):
                    value = getattr(obj, field.attname)
                    params.append(convert(value) if convert is not None and value is not None else value)
            sql = (
                f'INSERT INTO "{model._meta.db_table}" ({columns}) '  # noqa: S608 - our own table and columns
                f'VALUES {", ".join([one] * len(chunk))} RETURNING "{pk}"'
            )
            cursor.execute(sql, params)
            for obj, (key,) in zip(chunk, cursor.fetchall(), strict=True):
                obj.pk = key
                obj._state.adding = False
                obj._state.db = connection.alias
