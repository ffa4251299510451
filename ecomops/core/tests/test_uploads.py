"""DAT-02 / LAW-04: uploaded files are served only through views that check permission and scope, in
development (``make run``, DEBUG) as in production; every FileField of the project has its rule."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.test import Client as HttpClient
from django.urls import clear_url_caches

from ecomops.core import uploads


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def debug_urls(settings):
    """The URLs as ``make run`` builds them (DEBUG on), put back afterwards."""
    import ecomops.urls

    settings.DEBUG = True
    importlib.reload(ecomops.urls)
    clear_url_caches()
    yield
    settings.DEBUG = False
    importlib.reload(ecomops.urls)
    clear_url_caches()


def test_every_file_field_has_a_download_rule_or_is_never_served():
    fields = [(f"{m._meta.app_label}.{m._meta.object_name}", f.name) for m in apps.get_models()
              for f in m._meta.get_fields() if isinstance(f, models.FileField)]
    assert len(fields) >= 8
    assert sorted(fields) == sorted((r.model, r.field) for r in uploads.RULES)
    assert uploads.rule_for(apps.get_model("orderimport.ImportJob"), "file").visible is None
    for rule in uploads.RULES:
        if rule.visible is not None:
            assert rule.perms, rule  # a downloadable file always needs a permission too


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["anonymous", "staff", "superuser"])
def test_dat02_no_open_media_directory_in_development(org, debug_urls, who):
    """Under DEBUG the whole MEDIA_ROOT used to be served to anyone who knew (or guessed) a name."""
    name = default_storage.save("order-imports/2026/03/SL-TB-20260302.csv", ContentFile("王小二,13812345678"))
    http = HttpClient()
    if who != "anonymous":
        http.force_login(org.admin if who == "superuser" else org.user_a)
    response = http.get(f"/media/{name}")
    assert response.status_code in ((302,) if who == "anonymous" else (404,))
    assert b"13812345678" not in b"".join(getattr(response, "streaming_content", [response.content]))


@pytest.mark.django_db
def test_a_file_no_record_holds_is_404_even_for_a_superuser(org):
    name = default_storage.save("stores/qualifications/orphan.pdf", ContentFile(b"%PDF-1.4"))
    http = HttpClient()
    http.force_login(org.admin)
    assert http.get(f"/media/{name}").status_code == 404
    assert http.get("/media/../../etc/passwd").status_code == 404


@pytest.mark.django_db
def test_only_pdfs_and_images_open_in_the_browser_anything_else_downloads(tmp_path):
    class Field:
        def __init__(self, name):
            self.name = default_storage.save(name, ContentFile(b"<script>alert(1)</script>"))

        def __bool__(self):
            return True

        def open(self, mode):
            return default_storage.open(self.name, mode)

    page = uploads.serve_field(Field("payroll/evidence/x.html"), "证明.html")
    assert page["Content-Type"] == "application/octet-stream" and page["Content-Disposition"].startswith("attachment")
    assert page["Content-Security-Policy"] == "sandbox" and page["Cache-Control"] == "private, no-store"
    scan = uploads.serve_field(Field("payroll/evidence/y.pdf"), "证明.pdf")
    assert scan["Content-Type"] == "application/pdf" and scan["Content-Disposition"].startswith("inline")
    disguised = uploads.serve_field(Field("payroll/evidence/z.pdf"), "证明.html")  # the stored type rules
    assert disguised["Content-Type"] == "application/pdf"


def test_random_name_keeps_only_the_extension():
    upload = uploads.random_name(SimpleUploadedFile("张三病假证明.PDF", b"%PDF"))
    assert upload.name.endswith(".pdf") and "张三" not in upload.name and len(upload.name) == 36
