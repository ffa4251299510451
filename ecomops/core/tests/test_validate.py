"""The shared checks of ``core.validate`` and the button helper of ``core.outcome`` (issue 14)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory

from ecomops.core.errors import BusinessError, Conflict, NotAllowed
from ecomops.core.outcome import run_action
from ecomops.core.validate import money, save_checked, text
from ecomops.org.models import Client


@pytest.mark.django_db
def test_save_checked_turns_a_unique_clash_into_one_409_conflict(django_user_model):
    user = django_user_model.objects.create_user("saver", password="x-123456789")
    save_checked(Client(code="C1", name="甲"), user=user)
    with pytest.raises(Conflict) as refused:
        save_checked(Client(code="C1", name="乙"), user=user, duplicate="编码已存在", field="code")
    assert (refused.value.status, refused.value.code) == (409, "conflict")
    assert (refused.value.message, refused.value.field) == ("编码已存在", "code")
    assert Client.objects.filter(code="C1").count() == 1  # the savepoint kept the outer transaction usable
    with pytest.raises(Conflict, match="保存失败：与已有记录重复或不符合约束"):
        save_checked(Client(code="C1", name="丙"), user=user)


@pytest.mark.django_db
def test_save_checked_validates_the_model_when_asked(django_user_model):
    user = django_user_model.objects.create_user("saver", password="x-123456789")
    with pytest.raises(BusinessError) as refused:
        save_checked(Client(code="C2", name=""), user=user, validate=True)
    assert refused.value.status == 400 and refused.value.field == "name"


def test_text_strips_and_checks_length_and_presence():
    assert text("  羽绒服 ", field="name", label="名称", max_length=10) == "羽绒服"
    assert text(None, field="note", label="备注") == ""
    with pytest.raises(BusinessError, match="^名称最多 3 个字符$") as refused:
        text("羽绒服装", field="name", label="名称", max_length=3)
    assert refused.value.field == "name"
    with pytest.raises(BusinessError, match="^请填写名称$"):
        text("  ", field="name", label="名称", required=True)
    with pytest.raises(BusinessError, match="^名称不能包含换行或控制字符$"):
        text("羽绒\n服", field="name", label="名称", single_line=True)
    assert text("羽绒\n服", field="name", label="名称") == "羽绒\n服"


def test_money_is_exact_in_fen_and_within_its_bounds():
    assert money("12.5", field="amount", label="金额") == Decimal("12.50")
    assert money(Decimal("-3"), field="amount", label="金额", allow_negative=True) == Decimal("-3.00")
    cases = [
        (dict(value="-0.01"), "金额不能为负"),
        (dict(value="0", minimum=Decimal("0.01")), "金额不能小于 0.01"),
        (dict(value="1.005"), "金额最多两位小数（精确到分）"),
        (dict(value="10000000000"), "金额过大"),
        (dict(value="1001", maximum=Decimal("1000")), "金额过大"),
        (dict(value="abc"), "金额不是有效金额"),
        (dict(value=0.1), "金额不是有效金额"),
        (dict(value="NaN"), "金额不是有效金额"),
    ]
    for kwargs, message in cases:
        with pytest.raises(BusinessError) as refused:
            money(field="amount", label="金额", **kwargs)
        assert (refused.value.message, refused.value.field) == (message, "amount")


def _request():
    request = RequestFactory().post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def test_run_action_reports_the_outcome_as_a_message():
    request = _request()
    assert run_action(request, lambda n, *, by: n * by, 2, by=3, done=lambda result: f"得 {result}") == 6

    def refuse(**kwargs):
        raise BusinessError("不行", field="x")

    assert run_action(request, refuse, request=None, done="不会显示") is None
    assert [(m.level_tag, m.message) for m in get_messages(request)] == [("success", "得 6"), ("error", "不行")]


def test_run_action_refuses_lack_of_rights_with_403_unless_asked_to_flash_it():
    def forbid():
        raise NotAllowed("无权限")

    with pytest.raises(PermissionDenied):
        run_action(_request(), forbid)
    request = _request()
    assert run_action(request, forbid, flash_forbidden=True) is None
    assert [m.message for m in get_messages(request)] == ["无权限"]
