"""Seed the compliance lists (LAW-02): the terms of LAW-02.barred_terms with their categories and
reasons, English variants and a few cleared phrases, from library.toml.

Runs after every migrate (``ComplianceConfig.seed_reference_data``, called by
``ecomops.core.apps.seed_everything``), after the policy registry is seeded. What is missing is
created (compared by folded form, so "No.1" is the existing "NO.1"); nothing that exists is
changed, so the compliance owner's edits and switched-off entries stay.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from django.db import transaction

LIBRARY_FILE = Path(__file__).with_name("library.toml")


def load_library() -> dict:
    with LIBRARY_FILE.open("rb") as handle:
        return tomllib.load(handle)


@transaction.atomic
def seed_library() -> dict[str, int]:
    from ..actions import import_policy_terms, seed_phrase, seed_term
    from ..folding import skeleton
    from ..models import AllowedPhrase, BarredTerm

    data = load_library()
    reasons = {code: entry["reason"] for code, entry in data["category"].items()}
    rows = {row["term"]: row for row in data.get("term", [])}
    created = {"terms": len(import_policy_terms(user=None, rows=rows, reasons=reasons)), "phrases": 0}
    existing = set(BarredTerm.objects.values_list("key", flat=True))
    for row in data.get("variant", []):
        if skeleton(row["term"]) in existing:
            continue
        seed_term(
            term=row["term"],
            category=row["category"],
            reason=row.get("reason") or reasons[row["category"]],
            severity=row.get("severity", "high"),
        )
        existing.add(skeleton(row["term"]))
        created["terms"] += 1
    existing = set(AllowedPhrase.objects.filter(client__isnull=True).values_list("key", flat=True))
    for row in data.get("allowed", []):
        if skeleton(row["phrase"]) in existing:
            continue
        seed_phrase(phrase=row["phrase"], kind=row["kind"], note=row.get("note", ""))
        existing.add(skeleton(row["phrase"]))
        created["phrases"] += 1
    return created
