"""The platform export formats EcomOps knows out of the box (``seed/formats.toml``). Created when
missing; a format that exists (and whatever an administrator changed in it) is left alone."""

from __future__ import annotations

import tomllib
from pathlib import Path

SEED = Path(__file__).with_name("seed") / "formats.toml"


def load_formats() -> list[dict]:
    with SEED.open("rb") as handle:
        return tomllib.load(handle)["format"]


def seed_formats() -> int:
    from ecomops.org.models import Platform

    from .models import ImportFormat

    platforms = {p.code: p for p in Platform.objects.all()}
    existing = set(ImportFormat.objects.values_list("code", flat=True))
    made = 0
    for row in load_formats():
        if row["code"] in existing:
            continue
        ImportFormat.objects.create(
            code=row["code"], name=row["name"], platform=platforms.get(row.get("platform", "")),
            delimiter=row.get("delimiter", ","), columns=row["columns"], line_columns=row.get("line_columns", {}),
            statuses=row["statuses"],
            datetime_formats=row.get("datetime_formats", []), note=row.get("note", ""),
        )
        made += 1
    return made
