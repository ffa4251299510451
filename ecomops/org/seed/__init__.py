"""Seed the reference data of ORG-01, ORG-02 and STO-01: created when missing, never overwritten."""

from __future__ import annotations

import tomllib
from pathlib import Path

from django.contrib.auth.models import Group, Permission
from django.db import transaction

REFERENCE_FILE = Path(__file__).with_name("reference.toml")


def role_group(code: str) -> Group:
    """The Django group of a seeded role (e.g. "client_user"), created when missing."""
    row = next(r for r in load_reference().get("role", []) if r["code"] == code)
    group, created = Group.objects.get_or_create(name=row["group"])
    if created:
        group.permissions.set(_permissions(row.get("permissions", [])))
    return group


def load_reference() -> dict:
    with REFERENCE_FILE.open("rb") as handle:
        return tomllib.load(handle)


def _permissions(names: list[str]) -> list[Permission]:
    wanted = [tuple(name.split(".", 1)) for name in names]
    found = {
        (p.content_type.app_label, p.codename): p
        for p in Permission.objects.filter(codename__in=[c for _, c in wanted]).select_related("content_type")
    }
    missing = [f"{a}.{c}" for a, c in wanted if (a, c) not in found]
    if missing:
        raise LookupError(f"unknown permissions in org/seed/reference.toml: {', '.join(missing)}")
    return [found[key] for key in wanted]


@transaction.atomic
def seed_reference() -> dict[str, int]:
    from ecomops.org.models import Department, Platform, Position

    data = load_reference()
    created = {"departments": 0, "positions": 0, "platforms": 0}
    existing = set(Department.objects.values_list("code", flat=True))
    for order, row in enumerate(data["department"], start=1):
        if row["code"] in existing:
            continue
        Department.objects.create(
            code=row["code"],
            name=row["name"],
            name_en=row.get("name_en", ""),
            parent=Department.objects.get(code=row["parent"]) if row.get("parent") else None,
            is_group=row.get("is_group", False),
            sort_order=order * 10,
        )
        created["departments"] += 1
    existing = set(Position.objects.values_list("code", flat=True))
    for order, row in enumerate(data["position"], start=1):
        if row["code"] in existing:
            continue
        group, group_created = Group.objects.get_or_create(name=f"岗位:{row['name']}")
        if group_created:
            group.permissions.set(_permissions(row.get("permissions", [])))
        Position.objects.create(
            code=row["code"],
            name=row["name"],
            name_en=row.get("name_en", ""),
            duties=row.get("duties", ""),
            department_hint=row.get("department", ""),
            group=group,
            sort_order=order * 10,
        )
        created["positions"] += 1
    for row in data.get("role", []):
        group, group_created = Group.objects.get_or_create(name=row["group"])
        if group_created:
            group.permissions.set(_permissions(row.get("permissions", [])))
    existing = set(Platform.objects.values_list("code", flat=True))
    for order, row in enumerate(data["platform"], start=1):
        if row["code"] in existing:
            continue
        Platform.objects.create(
            code=row["code"], name=row["name"], name_en=row.get("name_en", ""), region=row["region"],
            sort_order=order * 10,
        )
        created["platforms"] += 1
    return created


@transaction.atomic
def sync_default_permissions() -> dict[str, list[str]]:
    """Give every seeded position and role group the default permissions it lacks (added, never removed).

    Groups get their defaults when first created; a later release that adds permissions (a new module)
    reaches an existing installation only through this, run on purpose by an administrator, because it
    would also give back a permission an administrator had taken away.
    """
    from ecomops.org.models import Position

    data = load_reference()
    groups = {p.code: p.group for p in Position.objects.select_related("group")}
    wanted = [(groups.get(row["code"]), row.get("permissions", [])) for row in data["position"]]
    for row in data.get("role", []):
        wanted.append((Group.objects.filter(name=row["group"]).first(), row.get("permissions", [])))
    added: dict[str, list[str]] = {}
    for group, names in wanted:
        if group is None:
            continue
        have = set(group.permissions.values_list("pk", flat=True))
        new = [p for p in _permissions(names) if p.pk not in have]
        if new:
            group.permissions.add(*new)
            added[group.name] = sorted(f"{p.content_type.app_label}.{p.codename}" for p in new)
    return added
