"""Seed the onboarding document types of the STO-01 platforms: created when missing, never overwritten."""

from __future__ import annotations

import tomllib
from pathlib import Path

from django.db import transaction

SEED_FILE = Path(__file__).with_name("platform_documents.toml")
REGIONS = ("domestic", "cross_border")


def load_documents() -> list[dict]:
    with SEED_FILE.open("rb") as handle:
        return tomllib.load(handle)["document"]


@transaction.atomic
def seed_document_types() -> int:
    """Create each platform's missing document types; returns how many were created."""
    from ecomops.org.models import Platform
    from ecomops.stores.models import PlatformDocumentType

    platforms = list(Platform.objects.order_by("sort_order", "code"))
    existing = set(PlatformDocumentType.objects.values_list("platform_id", "code"))
    created = 0
    for order, row in enumerate(load_documents(), start=1):
        names = set(row["platforms"])
        for platform in platforms:
            if platform.code not in names and platform.region not in names:
                continue
            if (platform.pk, row["code"]) in existing:
                continue
            PlatformDocumentType.objects.create(
                platform=platform,
                code=row["code"],
                name=row["name"],
                name_en=row.get("name_en", ""),
                description=row.get("description", ""),
                is_required=row.get("required", True),
                sort_order=order * 10,
            )
            existing.add((platform.pk, row["code"]))
            created += 1
    return created
