"""Uploaded agreement scans and sampling reports: the checks are those of the store documents
(``ecomops.stores.files.check_upload``); only the folders differ."""

from __future__ import annotations

import uuid

from ecomops.stores.files import DOCUMENT_TYPES, check_upload, original_name

__all__ = ["DOCUMENT_TYPES", "agreement_path", "check_upload", "original_name", "sampling_report_path"]


def _random_name(folder: str, filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"{folder}/{uuid.uuid4().hex}.{extension}"


def agreement_path(instance, filename: str) -> str:
    return _random_name(f"suppliers/{instance.supplier_id}/agreements", filename)


def sampling_report_path(instance, filename: str) -> str:
    return _random_name(f"suppliers/{instance.supplier_id}/sampling", filename)
