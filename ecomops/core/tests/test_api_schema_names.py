"""OpenAPI components are keyed by class name: two schemas with one name would silently describe one
endpoint with the other's shape. Every schema class of the API has its own name."""

from collections import defaultdict

from ninja import Schema

import ecomops.api  # noqa: F401  (imports every app's router and its schemas)


def all_subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from all_subclasses(sub)


def test_schema_class_names_are_unique_across_apps():
    by_name = defaultdict(set)
    for cls in all_subclasses(Schema):
        if cls.__module__.startswith("ecomops."):
            by_name[cls.__name__].add(cls.__module__)
    clashes = {name: modules for name, modules in by_name.items() if len(modules) > 1}
    assert clashes == {}
