"""DAT-02 (issue 12): people change their own password, and an administrator can require a change at
the next sign-in. Django's password validators apply; the change ends the account's other sessions,
keeps the current one, and is recorded (AuthEvent with the address, history of the flag)."""

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client as HttpClient
from django.urls import reverse

from ecomops.apiutil.tokens import issue_token
from ecomops.audit.models import AuthEvent, AuthEventKind
from ecomops.core.errors import NotAllowed
from ecomops.core.models import APIToken
from ecomops.org import actions
from ecomops.org.actions import hire_staff, must_change_password, require_password_change
from ecomops.org.models import Department, PasswordState

NEW = "Qiu-feng-2031!"
PAGE = "/me/password/"


def change(client, old, new1, new2=None, **extra):
    return client.post(PAGE, {"old_password": old, "new_password1": new1, "new_password2": new2 or new1}, **extra)


@pytest.fixture
def clerk(org):
    person = hire_staff(user=org.admin, username="wenyuan", name="孙文员", employee_no="P001",
                        department=Department.objects.get(code="warehouse"), hired_on=date(2024, 3, 1),
                        password=org.password)
    return person


def signed_in(username, password, **extra) -> HttpClient:
    http = HttpClient(**extra)
    assert http.post(reverse("login"), {"username": username, "password": password}).status_code == 302
    return http


# --- changing one's own password -------------------------------------------------------------------


def test_the_user_menu_leads_to_the_change_page(client, org):
    client.force_login(org.user_a)
    home = client.get(reverse("home")).text
    assert f'href="{PAGE}"' in home and "修改密码" in home
    page = client.get(PAGE)
    assert page.status_code == 200
    assert 'name="old_password"' in page.text and 'name="new_password2"' in page.text
    assert "password-change-required" not in page.text


def test_the_page_needs_a_signed_in_person(client):
    response = client.get(PAGE)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_change_keeps_this_session_ends_the_others_and_is_recorded(org):
    here = signed_in("user_a", org.password, REMOTE_ADDR="198.51.100.7")
    elsewhere = signed_in("user_a", org.password, REMOTE_ADDR="203.0.113.9")
    assert elsewhere.get(reverse("home")).status_code == 200

    response = change(here, org.password, NEW, REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 302 and response["Location"] == reverse("home")

    assert here.get(reverse("home")).status_code == 200  # this session goes on
    gone = elsewhere.get(reverse("home"))  # the other one has ended
    assert gone.status_code == 302 and gone["Location"].startswith(reverse("login"))
    user = get_user_model().objects.get(pk=org.user_a.pk)
    assert user.check_password(NEW) and not user.check_password(org.password)
    event = AuthEvent.objects.get(kind=AuthEventKind.PASSWORD_CHANGED)
    assert (event.user, event.username, event.ip_address) == (user, "user_a", "198.51.100.7")
    assert NEW not in str(list(AuthEvent.objects.values()))
    assert PasswordState.objects.get(user=user).changed_at is not None
    assert signed_in("user_a", NEW)


@pytest.mark.parametrize(("old", "new1", "new2", "field", "message"), [
    ("wrong-password", NEW, NEW, "old_password", "原密码不正确"),
    (None, NEW, NEW + "x", "new_password2", "两次输入的新密码不一致"),
    (None, None, None, "new_password1", "新密码不能与原密码相同"),
    (None, "short1!", "short1!", "new_password1", "至少需要 10 个字符"),  # settings: at least 10, in Chinese
    (None, "12345678901", "12345678901", "new_password1", "只包含数字"),
    (None, "user_a_2031", "user_a_2031", "new_password1", "太相似"),
])
def test_refusals_name_the_field_and_change_nothing(client, org, old, new1, new2, field, message):
    client.force_login(org.user_a)
    response = change(client, old or org.password, new1 or org.password, new2 or new1 or org.password)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors and any(message in error for error in errors[field]), errors
    assert get_user_model().objects.get(pk=org.user_a.pk).check_password(org.password)
    assert not AuthEvent.objects.filter(kind=AuthEventKind.PASSWORD_CHANGED).exists()


def test_wrong_old_passwords_count_as_failed_sign_ins(client, org):
    """DAT-02: a borrowed session cannot be used to guess the password without limit."""
    from ecomops.audit import throttle
    from ecomops.policy import registry

    client.force_login(org.user_a)
    for n in range(registry.value(throttle.MAX_PER_ACCOUNT_ADDRESS)):
        change(client, f"guess-{n}", NEW)
    refused = change(client, org.password, NEW)
    assert "密码错误次数过多" in refused.text
    assert get_user_model().objects.get(pk=org.user_a.pk).check_password(org.password)
    assert AuthEvent.objects.filter(kind=AuthEventKind.FAILED, channel="password").count() == 5


def test_a_safe_next_is_followed_and_a_foreign_one_is_not(client, org):
    client.force_login(org.user_a)
    response = client.post(PAGE, {"old_password": org.password, "new_password1": NEW, "new_password2": NEW,
                                  "next": "https://evil.example/"})
    assert response["Location"] == reverse("home")
    client.force_login(org.user_b)
    response = client.post(PAGE, {"old_password": org.password, "new_password1": NEW, "new_password2": NEW,
                                  "next": reverse("tokens")})
    assert response["Location"] == reverse("tokens")


def test_the_admin_sites_own_change_page_leads_here(client, org):
    client.force_login(org.admin)
    response = client.get("/admin/password_change/")
    assert response.status_code in (301, 302) and response["Location"] == PAGE


# --- a change required by an administrator ---------------------------------------------------------


def test_an_administrator_requires_a_change_from_the_staff_page(client, org, clerk):
    client.force_login(org.admin)
    page = client.get(reverse("org:staff_detail", args=[clerk.pk])).text
    assert 'data-testid="require-password-change"' in page
    response = client.post(reverse("org:staff_require_password_change", args=[clerk.pk]), {"required": "1"})
    assert response.status_code == 302
    state = PasswordState.objects.get(user=clerk.user)
    assert state.must_change and state.required_by == org.admin and state.required_at is not None
    history = state.history.order_by("history_date").last()
    assert history.history_user == org.admin and history.must_change
    page = client.get(reverse("org:staff_detail", args=[clerk.pk])).text
    assert 'data-testid="must-change-password"' in page and 'data-testid="withdraw-password-change"' in page

    client.post(reverse("org:staff_require_password_change", args=[clerk.pk]), {"required": "0"})
    assert not PasswordState.objects.get(user=clerk.user).must_change


def test_only_account_administrators_may_require_it(client, org, clerk):
    viewer = get_user_model().objects.create_user("hr_viewer", password=org.password)
    viewer.user_permissions.add(Permission.objects.get(content_type__app_label="org", codename="view_staff"))
    client.force_login(viewer)
    assert 'require-password-change' not in client.get(reverse("org:staff_detail", args=[clerk.pk])).text
    response = client.post(reverse("org:staff_require_password_change", args=[clerk.pk]), {"required": "1"})
    assert response.status_code == 403
    with pytest.raises(NotAllowed):
        require_password_change(clerk.user, user=get_user_model().objects.get(pk=viewer.pk))
    assert not must_change_password(get_user_model().objects.get(pk=clerk.user_id))


def test_until_the_change_every_page_leads_to_the_change_page(org, clerk):
    http = signed_in("wenyuan", org.password)
    require_password_change(clerk.user, user=org.admin)

    response = http.get(reverse("org:clients") + "?q=x")
    assert response.status_code == 302
    assert response["Location"] == PAGE + "?next=%2Forg%2Fclients%2F%3Fq%3Dx"
    assert http.get(reverse("home"))["Location"].startswith(PAGE)
    # a form posted elsewhere is not acted on
    assert http.post(reverse("tokens"), {"name": "脚本"})["Location"] == PAGE
    assert not APIToken.objects.filter(user=clerk.user).exists()
    # htmx requests are sent there too
    hx = http.get(reverse("home"), HTTP_HX_REQUEST="true")
    assert hx.status_code == 204 and hx["HX-Redirect"] == PAGE
    page = http.get(PAGE + "?next=/org/clients/")
    assert page.status_code == 200 and 'data-testid="password-change-required"' in page.text
    # signing out and switching language still work
    assert http.post(reverse("set_language"), {"language": "en", "next": PAGE}).status_code == 302

    done = http.post(PAGE, {"old_password": org.password, "new_password1": NEW, "new_password2": NEW,
                            "next": "/org/clients/"})
    assert done["Location"] == "/org/clients/"
    assert not PasswordState.objects.get(user=clerk.user).must_change  # the flag clears on the change
    assert http.get(reverse("home")).status_code == 200


def test_until_the_change_api_tokens_and_sessions_are_refused_clearly(client, org, clerk):
    plain = issue_token(user=clerk.user, name="脚本").plain
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {plain}"}
    assert client.get("/api/v1/me", **bearer).status_code == 200
    require_password_change(clerk.user, user=org.admin)

    refused = client.get("/api/v1/me", **bearer)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "password_change_required"
    assert "修改密码" in refused.json()["error"]["message"]
    session = signed_in("wenyuan", org.password)
    assert session.get("/api/v1/me").json()["error"]["code"] == "password_change_required"

    actions.change_own_password(get_user_model().objects.get(pk=clerk.user_id), old_password=org.password,
                                new_password=NEW)
    assert client.get("/api/v1/me", **bearer).status_code == 200


def test_the_admin_site_sets_and_withdraws_the_requirement(client, org, clerk):
    client.force_login(org.admin)
    changelist = reverse("admin:auth_user_changelist")
    response = client.post(changelist, {"action": "require_password_change", "_selected_action": [clerk.user_id]})
    assert response.status_code == 302
    assert must_change_password(get_user_model().objects.get(pk=clerk.user_id))
    assert PasswordState.objects.get(user=clerk.user).required_by == org.admin
    listing = client.get(changelist).text
    assert "须修改密码" in listing
    assert client.get(reverse("admin:auth_user_change", args=[clerk.user_id])).status_code == 200
    client.post(changelist, {"action": "withdraw_password_change", "_selected_action": [clerk.user_id]})
    assert not must_change_password(get_user_model().objects.get(pk=clerk.user_id))
