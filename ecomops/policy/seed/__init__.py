"""Seed the policy registry from parameters.toml (POL-02): every bold number of the clauses.

A parameter that is missing is created with version 1; one that exists is left alone, so an owner's
later versions are never overwritten by a deployment.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

from django.db import transaction

from ..kinds import PolicyValueError, normalise

PARAMETERS_FILE = Path(__file__).with_name("parameters.toml")


def load_parameters() -> dict:
    with PARAMETERS_FILE.open("rb") as handle:
        return tomllib.load(handle)


def clause_group(clause: str) -> str:
    return clause.split("-", 1)[0]


@transaction.atomic
def seed_parameters() -> int:
    from ecomops.org.models import Department

    from ..models import PolicyParameter, PolicyVersion

    data = load_parameters()
    baseline: dt.date = data["meta"]["effective_from"]
    existing = set(PolicyParameter.objects.values_list("key", flat=True))
    departments = dict(Department.objects.values_list("code", "pk"))
    created = 0
    for order, row in enumerate(data["parameter"], start=1):
        if row["key"] in existing:
            continue
        options = row.get("options", {})
        try:
            stored = normalise(row["kind"], row["value"], options, human=True)
        except PolicyValueError as error:  # a typo in parameters.toml must name the parameter
            raise ValueError(f"{PARAMETERS_FILE.name}: {row['key']}: {error}") from None
        parameter = PolicyParameter.objects.create(
            key=row["key"],
            clause=row["clause"],
            group=clause_group(row["clause"]),
            kind=row["kind"],
            name=row["name"],
            name_en=row["name_en"],
            description=row.get("description", ""),
            description_en=row.get("description_en", ""),
            unit=row.get("unit", ""),
            options=options,
            owner_id=departments.get(row.get("owner", "")),
            owner_code=row.get("owner", ""),
            is_decision=row.get("decision", False),
            sort_order=order,
        )
        PolicyVersion.objects.create(
            parameter=parameter,
            number=1,
            value=stored,
            effective_from=row.get("effective_from", baseline),
            reason="初始值（制度原文）",
        )
        created += 1
    return created
