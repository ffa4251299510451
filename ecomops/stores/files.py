"""Uploaded scans (STO-02 documents, STO-04 certificates, STO-03 logos): size and type limits.

A file is accepted only when its extension is allowed AND its first bytes are those of that type, so
a renamed executable is refused. Files are stored under a random name; the original name is kept on
the record for display only.
"""

from __future__ import annotations

import uuid
from pathlib import PurePath

from django.conf import settings
from django.utils.translation import gettext as _

from ecomops.core.errors import BusinessError

# A technical limit of the upload, not a business rule: a deployment may change it in settings.
MAX_UPLOAD_BYTES: int = getattr(settings, "ECOMOPS_UPLOAD_MAX_BYTES", 10 * 1024 * 1024)

_SIGNATURES = {
    "pdf": (b"%PDF-",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
}
DOCUMENT_TYPES = ("pdf", "jpg", "jpeg", "png")
IMAGE_TYPES = ("jpg", "jpeg", "png")


def _size_text(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB" if size >= 1024 * 1024 else f"{size // 1024} KB"


def check_upload(upload, *, field: str, allowed: tuple[str, ...] = DOCUMENT_TYPES) -> str:
    """Refuse an upload that is empty, too large or not of an allowed type; returns its extension."""
    if upload is None:
        raise BusinessError(_("请选择要上传的文件"), field=field)
    name = PurePath(getattr(upload, "name", "") or "").name
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    size = getattr(upload, "size", None) or 0
    if size <= 0:
        raise BusinessError(_("文件“%(name)s”是空文件") % {"name": name}, field=field)
    if size > MAX_UPLOAD_BYTES:
        raise BusinessError(
            _("文件“%(name)s”过大（%(size)s），最大 %(limit)s")
            % {"name": name, "size": _size_text(size), "limit": _size_text(MAX_UPLOAD_BYTES)},
            field=field,
        )
    kinds = "、".join(kind.upper() for kind in allowed if kind != "jpeg")
    if extension not in allowed:
        raise BusinessError(
            _("文件“%(name)s”的类型不支持，只能上传 %(kinds)s 文件") % {"name": name, "kinds": kinds}, field=field
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(signature) for signature in _SIGNATURES[extension]):
        raise BusinessError(
            _("文件“%(name)s”的内容不是有效的 %(kind)s 文件") % {"name": name, "kind": extension.upper()},
            field=field,
        )
    return extension


def original_name(upload) -> str:
    return PurePath(getattr(upload, "name", "") or "").name[:200]


def _random_name(folder: str, filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"{folder}/{uuid.uuid4().hex}.{extension}"


def application_document_path(instance, filename: str) -> str:
    return _random_name(f"stores/applications/{instance.application.store_id}", filename)


def qualification_path(instance, filename: str) -> str:
    return _random_name("stores/qualifications", filename)


def logo_path(instance, filename: str) -> str:
    return _random_name(f"stores/logos/{instance.store_id}", filename)
