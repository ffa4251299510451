"""A person opens EcomOps in a real browser, signs in and lands on the home page in Chinese, with
their due items (DAT-04) and the product's own styles, all served locally (no CDN)."""

from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from ecomops.org.actions import hire_staff
from ecomops.org.models import Department
from ecomops.policy.actions import create_regulation, publish_regulation

PASSWORD = "Browser-Passw0rd!"


@pytest.fixture
def staff_member(transactional_db):
    """A warehouse clerk who still has to sign the regulation version just announced (ORG-06)."""
    admin = get_user_model().objects.create_superuser("browser_admin", password=PASSWORD)
    regulation = create_regulation(
        code="2030-01",
        title="运营管理制度",
        announcement="第一条 ……",
        effective_from=timezone.localdate() + timedelta(days=7),
        user=admin,
    )
    publish_regulation(regulation, user=admin)
    return hire_staff(
        user=admin,
        username="wenyuan",
        name="孙文员",
        employee_no="B001",
        department=Department.objects.get(code="warehouse"),
        hired_on=date(2024, 3, 1),
        password=PASSWORD,
    )


@pytest.mark.browser
def test_sign_in_and_see_my_due_items_in_chinese(live_server, page, log_in, staff_member):
    requested = []
    page.on("request", lambda request: requested.append(request.url))

    page.goto(live_server.url + "/")
    assert page.url.startswith(live_server.url + "/login/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    log_in("wenyuan", open_page=False)

    assert page.title() == "首页 · EcomOps"
    assert page.locator("h1").inner_text() == "首页"
    due = page.locator("[data-testid=due-open]")
    assert "签署制度承诺书：2030-01 运营管理制度" in due.inner_text()
    assert "我的待办" in page.locator("main").inner_text()
    assert page.locator("[data-testid=user-menu]").inner_text().strip() == "孙文员"

    # Bootstrap and the product's stylesheet really applied: computed styles, not just <link> tags.
    styles = page.evaluate("""() => {
        const css = (selector, property) => getComputedStyle(document.querySelector(selector))[property];
        return {
            counterDisplay: css('.eo-counter', 'display'),
            primaryButton: css('.btn-outline-primary', 'border-top-color'),
            topbar: css('.eo-topbar', 'background-color'),
        };
    }""")
    assert styles == {
        "counterDisplay": "flex",
        "primaryButton": "rgb(13, 110, 253)",
        "topbar": "rgb(31, 78, 121)",
    }
    page.evaluate("document.fonts.ready")
    assert page.evaluate("document.fonts.check('16px bootstrap-icons')")

    # Everything came from the product itself: no CDN, no other host.
    assert requested and all(url.startswith(live_server.url) for url in requested)
