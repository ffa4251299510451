"""Issue 15 on a 390 px phone screen (a scanner's size): the menu waits behind the top bar's button
and opens from it; a list's table scrolls sideways instead of wrapping one character per line."""

from datetime import date

import pytest
from django.contrib.auth import get_user_model

from ecomops.org.actions import hire_staff
from ecomops.org.models import Department

PASSWORD = "Browser-Passw0rd!"


@pytest.fixture
def people(transactional_db):
    admin = get_user_model().objects.create_superuser("browser_admin", password=PASSWORD)
    for number, (username, name) in enumerate((("wenyuan", "孙文员"), ("cangguan", "欧阳仓管员")), start=1):
        hire_staff(user=admin, username=username, name=name, employee_no=f"B00{number}",
                   department=Department.objects.get(code="warehouse"), hired_on=date(2024, 3, 1),
                   password=PASSWORD)
    return admin


@pytest.mark.browser
def test_at_390_px_the_menu_is_behind_a_button_and_tables_scroll(live_server, page, log_in, people):
    page.set_viewport_size({"width": 390, "height": 844})
    log_in("browser_admin")
    sidebar = page.locator("[data-testid=sidebar]")
    toggle = page.locator("[data-testid=menu-toggle]")
    assert toggle.is_visible()
    assert not sidebar.is_visible()
    main = page.locator("#main").bounding_box()
    assert main["x"] < 5 and main["width"] > 380  # the content has the whole width
    toggle.click()
    page.wait_for_selector("[data-testid=sidebar].show")
    staff_link = sidebar.locator("a.nav-link[href='/org/staff/']")
    assert staff_link.is_visible()
    staff_link.click()
    page.wait_for_url(live_server.url + "/org/staff/")
    assert not page.locator("[data-testid=sidebar]").is_visible()

    table = page.locator("#main table.table").first
    header_heights = table.locator("thead th").evaluate_all("cells => cells.map(c => c.getBoundingClientRect().height)")
    cell_heights = table.locator("tbody td").evaluate_all("cells => cells.map(c => c.getBoundingClientRect().height)")
    line = page.evaluate("parseFloat(getComputedStyle(document.body).lineHeight) || 22")
    # A cell three lines high or more is a column squeezed to a character or two per line.
    assert header_heights and max(header_heights) < 2.5 * line, header_heights
    assert cell_heights and max(cell_heights) < 2.5 * line, cell_heights
    # Nothing spills out of the page sideways: the table scrolls inside it.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # On a wide screen the menu is the ordinary sidebar again, without the button.
    page.set_viewport_size({"width": 1280, "height": 800})
    assert page.locator("[data-testid=sidebar]").is_visible() and not toggle.is_visible()
