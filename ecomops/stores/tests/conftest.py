"""Fixtures of the store onboarding and qualification tests: people with the positions' rights, granted
client A (so client B's records are out of their scope), and small valid scans."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient

from ecomops.org.models import ClientGrant

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32

ONBOARDING = ("org.view_client", "org.view_store", "org.change_store", "stores.view_platformdocumenttype",
              "stores.view_storeapplication", "stores.add_storeapplication", "stores.change_storeapplication")
REVIEW = ("org.view_client", "org.view_store", "stores.view_storeapplication", "stores.review_storeapplication")
APPROVE = ("org.view_client", "org.view_store", "org.change_store", "stores.view_storeapplication",
           "stores.approve_storeapplication")
QUALIFICATIONS = ("org.view_client", "org.view_store", "org.change_store", "stores.view_qualification",
                  "stores.add_qualification", "stores.change_qualification")
PROFILE = ("org.view_client", "org.view_store", "org.change_store", "stores.view_profilechangerequest",
           "stores.add_profilechangerequest", "stores.view_storeprofile")
DECIDE = ("org.view_client", "org.view_store", "org.change_store", "stores.view_profilechangerequest",
          "stores.decide_profilechangerequest", "stores.view_storeprofile")


def make_user(username: str, *perms: str, client=None):
    user = get_user_model().objects.create_user(username=username, password="x")
    for perm in perms:
        app, codename = perm.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app, codename=codename))
    if client is not None:
        ClientGrant.objects.create(user=user, client=client)
    return get_user_model().objects.get(pk=user.pk)


def pdf(name: str = "licence.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def png(name: str = "logo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def people(org):
    """Everybody works for client A: an applicant (account manager), a reviewer, an approver, a
    qualification clerk, a profile requester and a profile approver; plus the same roles for B."""

    class People:
        pass

    p = People()
    p.applicant = make_user("applicant_a", *ONBOARDING, client=org.client_a)
    p.reviewer = make_user("reviewer_a", *REVIEW, client=org.client_a)
    p.approver = make_user("approver_a", *APPROVE, client=org.client_a)
    p.clerk = make_user("clerk_a", *QUALIFICATIONS, client=org.client_a)
    p.requester = make_user("requester_a", *PROFILE, client=org.client_a)
    p.decider = make_user("decider_a", *DECIDE, client=org.client_a)
    p.applicant_b = make_user("applicant_b", *ONBOARDING, *APPROVE, *REVIEW, *QUALIFICATIONS, client=org.client_b)
    return p


class Api:
    """JSON calls to /api/v1 with a user's session."""

    def __init__(self, user):
        self.http = HttpClient()
        if user is not None:
            self.http.force_login(user)

    def _url(self, path: str) -> str:
        return path if path.startswith("/") else f"/api/v1/{path}"

    def get(self, path, params=None):
        return self.http.get(self._url(path), params or {})

    def post(self, path, body=None):
        return self.http.post(self._url(path), json.dumps(body or {}), content_type="application/json")

    def patch(self, path, body=None):
        return self.http.patch(self._url(path), json.dumps(body or {}), content_type="application/json")


@pytest.fixture
def api():
    return Api
