"""The platform export formats EcomOps knows out of the box (``seed/formats.toml``). Created when
missing; a format that exists is updated to a newer seed only while it is exactly as a seed wrote it
(its content still hashes to ``seed_hash``): whatever an administrator changed is left alone."""

from __future__ import annotations

import hashlib
import json
import tomllib
from pathlib import Path

SEED = Path(__file__).with_name("seed") / "formats.toml"
CONTENT = ("name", "platform", "delimiter", "columns", "line_columns", "statuses", "datetime_formats", "aggregate",
           "note")


def load_formats() -> list[dict]:
    with SEED.open("rb") as handle:
        return tomllib.load(handle)["format"]


def content_hash(values: dict) -> str:
    """One digest of what a format says (``CONTENT``; the platform by its code). Frozen: migration
    0003 computed the earlier seeds' digests with the same rule."""
    payload = {
        "name": values.get("name", ""), "platform": values.get("platform") or "",
        "delimiter": values.get("delimiter") or ",", "columns": values.get("columns") or {},
        "statuses": values.get("statuses") or {}, "datetime_formats": values.get("datetime_formats") or [],
        "aggregate": values.get("aggregate") or {}, "note": values.get("note") or "",
    }
    if values.get("line_columns"):  # two-file formats only, so a one-file format keeps its earlier digest
        payload["line_columns"] = values["line_columns"]
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def format_values(fmt) -> dict:
    return {"name": fmt.name, "platform": fmt.platform.code if fmt.platform_id else "", "delimiter": fmt.delimiter,
            "columns": fmt.columns, "line_columns": getattr(fmt, "line_columns", None) or {},
            "statuses": fmt.statuses, "datetime_formats": fmt.datetime_formats, "aggregate": fmt.aggregate,
            "note": fmt.note}


def seed_formats() -> int:
    """Create the missing formats and update the unedited ones; the number created or updated."""
    from ecomops.org.models import Platform

    from .models import ImportFormat

    platforms = {p.code: p for p in Platform.objects.all()}
    existing = {f.code: f for f in ImportFormat.objects.select_related("platform")}
    made = 0
    for row in load_formats():
        values = {"name": row["name"], "platform": row.get("platform", ""), "delimiter": row.get("delimiter", ","),
                  "columns": row["columns"], "line_columns": row.get("line_columns", {}), "statuses": row["statuses"],
                  "datetime_formats": row.get("datetime_formats", []), "aggregate": row.get("aggregate", {}),
                  "note": row.get("note", "")}
        digest = content_hash(values)
        fmt = existing.get(row["code"])
        if fmt is not None:
            unedited = bool(fmt.seed_hash) and content_hash(format_values(fmt)) == fmt.seed_hash
            if not unedited or fmt.seed_hash == digest:
                continue
        else:
            fmt = ImportFormat(code=row["code"])
        for name in CONTENT:
            setattr(fmt, name, platforms.get(values["platform"]) if name == "platform" else values[name])
        fmt.seed_hash = digest
        fmt.save()
        made += 1
    return made
