"""Base classes for request bodies, and small reference schemas shared by several apps."""

from __future__ import annotations

from typing import Any, ClassVar

from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import ConfigDict, ValidationInfo, field_validator


class InputSchema(Schema):
    """A request body: unknown fields are refused, so a typo is an error and not silently ignored."""

    model_config = ConfigDict(extra="forbid")


def document_nulls(schema: dict[str, Any], model: type) -> None:
    """In the OpenAPI schema, ``null`` is allowed only where the API accepts it (``NULLABLE``): an
    optional field may be left out, which is not the same as sending null (and a query string cannot
    carry a null at all)."""
    nullable = getattr(model, "NULLABLE", frozenset())
    for name, prop in schema.get("properties", {}).items():
        choices = prop.get("anyOf")
        if name in nullable or not choices:
            continue
        kept = [choice for choice in choices if choice.get("type") != "null"]
        if len(kept) == 1:
            del prop["anyOf"]
            prop.update(kept[0])
        else:
            prop["anyOf"] = kept
        if prop.get("default", 0) is None:
            del prop["default"]


class PatchSchema(InputSchema):
    """A partial update: only the fields sent change. ``null`` is accepted only for the fields listed
    in ``NULLABLE`` (those that may be emptied); elsewhere it is a 422 naming the field."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=document_nulls)
    NULLABLE: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="before")
    @classmethod
    def _refuse_null(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name not in cls.NULLABLE:
            raise ValueError(_("不能为空"))
        return value

    def changes(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True)


class Ref(Schema):
    """Another record, named: its id, code and name."""

    id: int
    code: str
    name: str
