"""PER-14 in a real browser: a customer-service agent signs in, opens her own pay slip from "my slips",
sees every line with its Chinese explanation and the policy versions, and opens the slip's PDF (with the
embedded Chinese font) from the slip page."""

import re

import pytest

from ecomops.payroll import actions
from ecomops.payroll.enums import Metric
from ecomops.payroll.tests.conftest import MONTH, World

PASSWORD = "Browser-Passw0rd!"


@pytest.fixture
def pay(transactional_db, org):
    world = World(org)
    world.all_sales_targets("10000.00")
    world.order("11240.00")
    world.plan(Metric.RESPONSES, "1000", "800", department=world.cs_group)
    world.full_attendance(world.cs[0])
    run = actions.compute_run(MONTH, user=world.admin).run
    user = world.cs[0].user
    user.set_password(PASSWORD)
    user.save()
    return {"world": world, "run": run, "username": user.username}


@pytest.mark.browser
def test_agent_opens_her_slip_and_its_pdf(live_server, page, log_in, pay):
    log_in(pay["username"])

    # The module opens on the month's targets (she may see them); her slips are a tab away.
    page.click("nav[aria-label='主导航'] >> text=目标与薪资")
    page.wait_for_url(re.compile(r".*/payroll/targets/$"))
    page.click("[data-testid=payroll-tabs] >> text=我的工资单")
    page.wait_for_url(re.compile(r".*/payroll/my/$"))
    page.click("[data-testid=my-slips] >> text=" + f"{MONTH:%Y-%m}")
    page.wait_for_url(re.compile(r".*/payroll/slips/\d+/$"))
    lines = page.locator("[data-testid=slip-lines] tbody tr")
    assert lines.count() == 4  # base, performance, commission, full attendance
    commission = page.locator("[data-testid=slip-lines] tr[data-kind=commission]").inner_text()
    assert "销售完成率 112.40% → 客服组提成比例 1.5%（PER-08，政策版本 PER-08.commission_rates v1" in commission
    assert "¥56.20" in commission
    assert page.locator("[data-testid=slip-total]").inner_text() == "¥2,529.20"  # 2023 + 400 + 56.20 + 50
    assert "PER-13.full_attendance_bonus v1" in page.locator("[data-testid=slip-versions]").inner_text()

    href = page.locator("[data-testid=slip-pdf]").get_attribute("href")
    response = page.request.get(live_server.url + href)  # the browser's own session
    assert response.ok and response.headers["content-type"] == "application/pdf"
    body = response.body()
    assert body.startswith(b"%PDF") and b"NotoSansSC" in body
    # Another agent's slip does not exist for her (404, not 403).
    other = pay["run"].slips.exclude(staff=pay["world"].cs[0]).first()
    assert page.request.get(live_server.url + f"/payroll/slips/{other.pk}/").status == 404
