"""A sample export held against a format (ORD-02): which header went to which of our fields, which
fields found no header, and which headers were left out, so an administrator adds an alias without
guessing. Only the header and the first few rows are read; nothing is stored (the upload stays in
memory for this request). Personal data in the examples is masked (LAW-04); the left-out headers are
listed by name only, as they may hold anything (an ID number …)."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from ecomops.audit.masking import mask_address, mask_name, mask_phone
from ecomops.core.errors import BusinessError

from . import reader
from .actions import MAX_BYTES, file_kind
from .enums import FIELDS, REQUIRED_FIELDS
from .models import ImportFormat

SAMPLE_ROWS = 3  # rows shown as examples under each mapped header
MASKED = {"receiver_name": mask_name, "receiver_phone": mask_phone, "receiver_address": mask_address}


@dataclass
class FieldRow:
    field: str
    label: str
    header: str  # "" when the file has none of the format's headers for it
    wanted: str  # the format's headers for it, as an administrator reads them
    required: bool
    examples: list[str] = field(default_factory=list)


@dataclass
class SampleReport:
    encoding: str
    header_row: int
    headers: list[str]
    fields: list[FieldRow]
    left_out: list[str]  # headers of the file no field uses

    @property
    def mapped(self) -> list[FieldRow]:
        return [f for f in self.fields if f.header]

    @property
    def missing(self) -> list[FieldRow]:
        return [f for f in self.fields if not f.header]

    @property
    def missing_required(self) -> list[FieldRow]:
        return [f for f in self.missing if f.required]

    def as_dict(self) -> dict:
        return {"encoding": self.encoding, "header_row": self.header_row, "headers": self.headers,
                "mapped": [{"field": f.field, "label": f.label, "header": f.header, "examples": f.examples}
                           for f in self.mapped],
                "missing": [{"field": f.field, "label": f.label, "wanted": f.wanted, "required": f.required}
                            for f in self.missing],
                "left_out": self.left_out}


def _wanted(spec) -> str:
    if isinstance(spec, dict):
        return " + ".join(spec.get("join") or spec.get("sum") or [])
    return " / ".join([spec] if isinstance(spec, str) else list(spec or []))


def describe(fmt: ImportFormat, upload, *, name: str = "") -> SampleReport:
    """Read the sample's header and first rows against ``fmt``; a file it cannot read is a
    ``BusinessError`` with the reason (naming the file)."""
    from .engine import FIELD_LABELS, _delimiter, map_header

    name = (name or getattr(upload, "name", "") or "").strip()
    kind = file_kind(name)
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise BusinessError(_("文件超过 %(n)d MB") % {"n": MAX_BYTES // (1024 * 1024)}, field="file")
    if not data:
        raise BusinessError(_("文件是空的"), field="file")
    try:
        sheet = reader.open_sheet(lambda: io.BytesIO(data), kind, delimiter=_delimiter(fmt))
        mapping = map_header(sheet.header, fmt, strict=False)
        rows = []
        for _row_no, cells in sheet.rows:
            if any(reader.clean(c) for c in cells):
                rows.append(cells)
            if len(rows) >= SAMPLE_ROWS:
                break
    except BusinessError as error:
        raise BusinessError(_("文件 %(file)s：%(reason)s") % {"file": name, "reason": error.message},
                            field="file") from None
    used = {index for indexes in mapping.columns.values() for index in indexes}
    fields = []
    for field_name, spec in (fmt.columns or {}).items():
        if field_name not in FIELDS:
            continue
        header = mapping.headers.get(field_name, "")
        examples = []
        if header:
            mask = MASKED.get(field_name, str)
            examples = [mask(mapping.get(cells, field_name)) for cells in rows]
        fields.append(FieldRow(field=field_name, label=str(FIELD_LABELS.get(field_name, field_name)), header=header,
                               wanted=_wanted(spec), required=field_name in (*REQUIRED_FIELDS, "placed_at"),
                               examples=examples))
    left_out = [h for index, h in enumerate(sheet.header) if h and index not in used]
    return SampleReport(encoding=sheet.encoding, header_row=sheet.header_row, headers=[h for h in sheet.header if h],
                        fields=fields, left_out=left_out)
