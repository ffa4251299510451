"""Issue 15: people are shown by name (周静怡), not by login, in pickers, sign-offs and the greeting;
a select's blank choice says 请选择, not Django's "---------"."""

from __future__ import annotations

from datetime import date

import pytest
from django import forms
from django.contrib.auth import get_user_model
from django.template import Context, Template
from django.test import Client as HttpClient
from django.utils import translation

from ecomops.core.forms import StyledFormMixin
from ecomops.core.users import person_name
from ecomops.org.actions import add_client_member, hire_staff
from ecomops.org.models import Department

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture
def people(org):
    staff = hire_staff(user=org.admin, username="zhuguan_t", name="周静怡", employee_no="T001",
                       department=Department.objects.get(code="warehouse"), hired_on=date(2024, 3, 1),
                       password="Passw0rd-Test!")
    member = add_client_member(user=org.admin, client=org.client_a, username="kehu_t", name="沈清",
                               password="Passw0rd-Test!")
    bare = User.objects.create_user("bare_login")
    return staff.user, member.user, bare


def test_person_is_the_staff_name_else_the_full_name_else_the_login(people):
    staff, member, bare = people
    assert [person_name(u) for u in (staff, member, bare)] == ["周静怡", "沈清", "bare_login"]
    assert person_name(None) == "" and person_name("系统") == "系统"
    rendered = Template("{% load ecomops_ui %}{{ a|person }}/{{ b|person }}/{{ c|person }}/{{ d|person|default:'—' }}")
    assert rendered.render(Context({"a": staff, "b": member, "c": bare, "d": None})) == "周静怡/沈清/bare_login/—"


class _Form(StyledFormMixin, forms.Form):
    who = forms.ModelChoiceField(queryset=User.objects.order_by("pk"))
    kind = forms.ChoiceField(choices=[("", "---------"), ("a", "甲")], required=False)
    own = forms.ModelChoiceField(queryset=User.objects.order_by("pk"), empty_label="全部", required=False)


def test_user_pickers_show_names_and_selects_say_please_choose(people):
    staff, member, bare = people
    with translation.override("zh-hans"):
        html = str(_Form()["who"]) + str(_Form()["kind"]) + str(_Form()["own"])
    assert "---------" not in html and html.count("请选择") == 2 and "全部" in html
    assert f'value="{staff.pk}">周静怡<' in html and f'value="{member.pk}">沈清<' in html
    assert "zhuguan_t" not in html
    # The blank choice still means "nothing chosen": a required picker refuses it.
    form = _Form({"who": "", "kind": ""})
    assert not form.is_valid() and "who" in form.errors and "kind" not in form.errors


def test_the_client_users_greeting_and_menu_use_the_name(people):
    _staff, member, _bare = people
    http = HttpClient()
    http.force_login(member)
    html = http.get("/").content.decode()
    assert "你好，沈清" in html and "你好，kehu_t" not in html
