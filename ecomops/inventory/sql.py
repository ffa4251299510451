"""Prepared multi-row INSERTs for the warehouse's hot paths (posting, reserving): the shared
``core.bulk.insert_rows``, which writes one model's rows with ``INSERT … VALUES (…), (…) RETURNING id``
and sets their keys (see there why ``bulk_create`` is not used on these paths)."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import models

from ecomops.core.bulk import insert_rows


def insert_returning(model: type[models.Model], objs: Sequence[models.Model]) -> None:
    insert_rows(model, objs, returning=True)
