"""DAT-02 / CAT-06: agreement scans and sampling reports are served only to users who may see their
supplier or check (404 for another client's, exactly like an unknown file), through the links on the
supplier's page; there is no open media directory."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from ecomops.suppliers import actions

from .conftest import PDF, make_user, pdf


def _http(user=None):
    http = HttpClient()
    if user is not None:
        http.force_login(user)
    return http


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_dat02_agreement_scans_and_sampling_reports_follow_the_supplier_scope(sup, org):
    today = timezone.localdate()
    agreement = actions.add_agreement(sup.supplier_a, user=sup.clerk, signed_on=today, valid_from=today,
                                      valid_to=today + timedelta(days=365), terms="质量条款",
                                      upload=pdf("协议-杭州茶叶.pdf"))
    check = actions.record_sampling(user=sup.clerk, supplier=sup.supplier_a, style=sup.style_a, sampled_on=today,
                                    sample_size=2, result="pass", inspector="质检部", upload=pdf("报告.pdf"))
    no_rights = make_user("no_rights", client=org.client_a)
    page = _http(sup.clerk).get(reverse("suppliers:supplier_detail", args=[sup.supplier_a.pk])).content.decode()
    for field in (agreement.file, check.report):
        assert f'href="{field.url}"' in page and field.url.startswith("/media/")
        assert "协议" not in field.name and "报告" not in field.name  # stored under a random name
        mine = _http(sup.clerk).get(field.url)
        assert mine.status_code == 200 and _body(mine) == PDF and mine["Content-Type"] == "application/pdf"
        assert _http(sup.member).get(field.url).status_code == 200  # client A's own user reads A's files
        assert _http(sup.clerk_b).get(field.url).status_code == 404  # another client's: as if unknown
        assert _http(no_rights).get(field.url).status_code == 404
        assert _http().get(field.url).status_code == 302  # signed out: the login page
    assert 'filename*=utf-8' in _http(sup.clerk).get(agreement.file.url)["Content-Disposition"]
    assert _http(sup.clerk).get(agreement.file.url.replace(".pdf", "x.pdf")).status_code == 404
