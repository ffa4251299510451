"""Pages of admission review and listing (CAT-01, CAT-03, LAW-02): scoped (DAT-02: another client's
listing is a 404), client users read only, hits highlighted, refusals shown with their reason."""

import pytest
from django.urls import reverse

from ecomops.listing import actions
from ecomops.listing.enums import ListingState

from .conftest import CLEAN, admit

pytestmark = pytest.mark.django_db


@pytest.fixture
def listing(lst):
    admit(lst.dress, opener=lst.user_a, reviewer=lst.reviewer)
    item = actions.create_listing(user=lst.user_a, store=lst.store_a1, style=lst.dress,
                                  **{**CLEAN, "title": "销量第一 真丝连衣裙"})
    return actions.submit_listing(item, user=lst.user_a)


def test_dat02_another_clients_listing_and_admission_are_404(client, lst, listing):
    client.force_login(lst.user_b)
    assert client.get(reverse("listing:listing_detail", args=[listing.pk])).status_code == 404
    review = lst.dress.admissions.get()
    assert client.get(reverse("listing:admission_detail", args=[review.pk])).status_code == 404
    assert client.post(reverse("listing:listing_step", args=[listing.pk, "approve"])).status_code == 404
    page = client.get(reverse("listing:listings"))
    assert page.status_code == 200 and "真丝连衣裙" not in page.content.decode()


def test_law02_hits_are_highlighted_on_the_listing_page(client, lst, listing):
    client.force_login(lst.reviewer)
    html = client.get(reverse("listing:listing_detail", args=[listing.pk])).content.decode()
    assert 'data-testid="hit-mark">销量第一</mark>' in html
    assert "第 1 字" in html and "合规检查命中 1 处" in html


def test_cat03_review_from_the_page_and_member_reads_only(client, lst, listing):
    client.force_login(lst.member_a)
    html = client.get(reverse("listing:listing_detail", args=[listing.pk])).content.decode()
    assert "approve-listing" not in html
    assert client.post(reverse("listing:listing_step", args=[listing.pk, "return"]),
                       {"comment": "x"}).status_code == 403
    client.force_login(lst.reviewer)
    response = client.post(reverse("listing:listing_step", args=[listing.pk, "approve"]), follow=True)
    assert "须写明理由" in response.content.decode()
    client.post(reverse("listing:listing_step", args=[listing.pk, "return"]), {"comment": "删掉销量第一"})
    listing.refresh_from_db()
    assert listing.status == ListingState.RETURNED


def test_cat01_admission_page_records_items_and_decides(client, lst):
    client.force_login(lst.user_a)
    response = client.post(reverse("listing:admission_open", args=[lst.longjing.pk]))
    review = lst.longjing.admissions.get()
    assert response.url == reverse("listing:admission_detail", args=[review.pk])
    client.force_login(lst.reviewer)
    response = client.post(reverse("listing:admission_item", args=[review.pk, "certificates"]),
                           {"certificates-result": "passed"})
    assert response.status_code == 200 and "覆盖该类目的有效许可证" in response.content.decode()
    response = client.post(reverse("listing:admission_step", args=[review.pk, "approve"]), follow=True)
    assert "还有未检查的项目" in response.content.decode()
    queue = client.get(reverse("listing:admissions")).content.decode()
    assert "T001" in queue
