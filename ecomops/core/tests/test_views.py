"""The shell of the product: sign-in with throttling (DAT-02, OWASP ASVS 2.2.1), the home page with
"my due items" (DAT-04), the navigation, the language switch, and the front-end files it serves."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import timezone

from ecomops.audit import throttle
from ecomops.audit.models import AuthEvent, AuthEventKind, DueItem
from ecomops.policy import registry

WRONG = "not-the-password"


def throttle_message() -> str:
    minutes = math.ceil(registry.value(throttle.WINDOW).total_seconds() / 60)
    return f"登录失败次数过多，请 {minutes} 分钟后再试"


# --- Sign in and out ---------------------------------------------------------------------------


def test_pages_need_a_signed_in_user(client, org):
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_login_page_is_chinese_by_default(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in response.text
    assert "登录" in response.text and "电商运营管理系统" in response.text


def test_sign_in_through_the_form_records_one_login(client, org):
    response = client.post(reverse("login"), {"username": "user_a", "password": org.password})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert list(AuthEvent.objects.values_list("kind", "username")) == [(AuthEventKind.LOGIN, "user_a")]


def test_wrong_password_is_one_failure_with_a_message_that_names_nothing(client, org):
    response = client.post(reverse("login"), {"username": "user_a", "password": WRONG})
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.text
    assert list(AuthEvent.objects.values_list("kind", flat=True)) == [AuthEventKind.FAILED]


@pytest.mark.parametrize("username", ["user_a", "no_such_account"])
def test_too_many_failures_throttle_the_login_dat02(client, org, username):
    """DAT-02: after the policy's number of failures the login waits for the policy's window, and the
    message is the same whether the account exists or not."""
    limit = registry.value(throttle.MAX_PER_ACCOUNT_ADDRESS)
    for _ in range(limit - 1):
        response = client.post(reverse("login"), {"username": username, "password": WRONG})
        assert throttle_message() not in response.text
    reaching = client.post(reverse("login"), {"username": username, "password": WRONG})
    assert throttle_message() in reaching.text  # the failure that reaches the limit already says so
    password = org.password if username == "user_a" else WRONG
    refused = client.post(reverse("login"), {"username": username, "password": password})
    assert refused.status_code == 200 and throttle_message() in refused.text
    assert "_auth_user_id" not in client.session
    kinds = list(AuthEvent.objects.order_by("at", "pk").values_list("kind", flat=True))
    assert kinds == [AuthEventKind.FAILED] * limit + [AuthEventKind.THROTTLED]  # nothing counted twice


def test_throttle_lifts_after_the_window(client, org, monkeypatch):
    limit = registry.value(throttle.MAX_PER_ACCOUNT_ADDRESS)
    window = registry.value(throttle.WINDOW)
    for _ in range(limit):
        client.post(reverse("login"), {"username": "user_a", "password": WRONG})
    later = timezone.now() + window + timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    response = client.post(reverse("login"), {"username": "user_a", "password": org.password})
    assert response.status_code == 302


def test_logout_is_a_post_and_is_recorded(client, org):
    client.force_login(org.user_a)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert AuthEvent.objects.filter(kind=AuthEventKind.LOGOUT, user=org.user_a).count() == 1


# --- Home: my due items (DAT-04) ---------------------------------------------------------------


def _due(owner, title, due_at, **extra):
    item = DueItem.objects.create(
        kind="test.kind", owner=owner, title=title, due_at=due_at, clause="DAT-04", source_id=title, **extra
    )
    return item


def test_home_lists_my_open_items_first_late_ones_marked(client, org):
    now = timezone.now()
    _due(org.user_a, "逾期的事项", now - timedelta(hours=2))
    _due(org.user_a, "明天的事项", now + timedelta(days=1))
    _due(org.user_a, "已完成的事项", now - timedelta(days=1), done_at=now - timedelta(minutes=5))
    _due(org.user_a, "已取消的事项", now + timedelta(days=1), cancelled_at=now)
    _due(org.user_b, "别人的事项", now + timedelta(days=1))
    client.force_login(org.user_a)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    text = response.text
    assert "我的待办" in text
    assert text.index("逾期的事项") < text.index("明天的事项")
    assert "已逾期" in text.split("逾期的事项")[1].split("</tr>")[0]
    assert "已完成的事项" in text.split("最近完成")[1]
    assert "已取消的事项" not in text and "别人的事项" not in text
    assert response.context["counters"] == {"open": 2, "late": 1, "done_week": 1}


def test_due_times_are_shown_in_shanghai_time(client, org):
    _due(org.user_a, "跨日的事项", datetime(2031, 1, 1, 16, 30, tzinfo=UTC))
    client.force_login(org.user_a)
    row = client.get(reverse("home")).text.split("跨日的事项")[1].split("</tr>")[0]
    assert "2031-01-02 00:30" in row


def test_unacknowledged_regulation_is_a_due_item_linking_to_it(client, org):
    from ecomops.org.actions import hire_staff
    from ecomops.policy.actions import create_regulation, publish_regulation

    regulation = create_regulation(
        code="R-1",
        title="运营管理制度",
        announcement="……",
        effective_from=timezone.localdate() + timedelta(days=10),
        user=org.admin,
    )
    publish_regulation(regulation, user=org.admin)
    staff = hire_staff(
        user=org.admin,
        username="newbie",
        name="新同事",
        employee_no="N001",
        department=org.department,
        hired_on=timezone.localdate(),
    )
    client.force_login(staff.user)
    text = client.get(reverse("home")).text
    link = reverse("policy:regulation_detail", args=[regulation.pk])
    assert f'href="{link}"' in text and "签署制度承诺书：R-1 运营管理制度" in text


def test_week_counter_counts_only_this_week(client, org):
    from ecomops.org.home_views import start_of_week

    monday = start_of_week(timezone.now())
    _due(org.user_a, "上周完成", monday, done_at=monday - timedelta(minutes=1))
    _due(org.user_a, "本周完成", monday, done_at=monday + timedelta(minutes=1))
    client.force_login(org.user_a)
    assert client.get(reverse("home")).context["counters"]["done_week"] == 1


# --- Navigation, language, front-end files ---------------------------------------------------


def test_navigation_shows_only_what_the_user_may_open(client, org):
    client.force_login(org.member_a)
    labels = [str(item["label"]) for item in client.get(reverse("home")).context["nav_items"]]
    assert labels == ["首页", "委托方与店铺"]
    client.force_login(org.admin)
    labels = [str(item["label"]) for item in client.get(reverse("home")).context["nav_items"]]
    assert {"组织架构", "员工", "政策参数", "制度与承诺书", "审计日志"} <= set(labels)


def test_language_switch_to_english(client, org):
    client.force_login(org.user_a)
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("home")}, follow=True)
    assert response.status_code == 200
    assert '<html lang="en">' in response.text
    assert "My to-do list" in response.text and "我的待办" not in response.text
    back = client.post(reverse("set_language"), {"language": "zh-hans", "next": reverse("home")}, follow=True)
    assert "我的待办" in back.text


def test_english_login_page_and_throttle_message(client, org):
    client.cookies["django_language"] = "en"
    assert "Sign in" in client.get(reverse("login")).text
    limit = registry.value(throttle.MAX_PER_ACCOUNT_ADDRESS)
    for _ in range(limit):
        response = client.post(reverse("login"), {"username": "user_a", "password": WRONG})
    minutes = math.ceil(registry.value(throttle.WINDOW).total_seconds() / 60)
    assert f"Too many failed sign-ins. Please try again in {minutes} minutes" in response.text


def test_front_end_files_are_served_locally_never_from_a_cdn(client, org):
    client.force_login(org.user_a)
    text = client.get(reverse("home")).text
    assets = re.findall(r'(?:src|href)="/static/([^"]+)"', text)
    assert {
        "vendor/bootstrap/css/bootstrap.min.css",
        "vendor/bootstrap-icons/bootstrap-icons.min.css",
        "vendor/bootstrap/js/bootstrap.bundle.min.js",
        "ecomops/css/ecomops.css",
    } <= set(assets)
    assert any(path.startswith("django_htmx/htmx") for path in assets)
    for path in assets:
        assert finders.find(path), path
    assert "https://" not in text and "//cdn" not in text
    assert "hx-headers" in text and "X-CSRFToken" in text  # htmx requests carry the CSRF token


def test_error_pages_are_in_the_product_layout(client, org):
    client.force_login(org.user_a)
    response = client.get("/org/clients/999999/")
    assert response.status_code == 404 and "页面不存在" in response.text
