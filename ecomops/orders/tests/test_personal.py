"""CRM-03 / LAW-04: receiver data encrypted at rest, masked unless revealed by a user with the right,
every reveal logged; the address change keeps masked values only."""

from __future__ import annotations

import pytest
from django.db import connection

from ecomops.audit.models import PersonalDataAccess
from ecomops.core import crypto
from ecomops.core.errors import NotAllowed
from ecomops.orders import actions
from ecomops.orders.enums import OrderEventKind
from ecomops.orders.models import Order
from ecomops.orders.queries import receiver_view


def _raw(order, column):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM orders_order WHERE id = %s", [order.pk])  # noqa: S608
        return cursor.fetchone()[0]


def test_crm03_receiver_is_encrypted_at_rest_and_plain_in_python(od):
    for column, plain in (("receiver_phone", "13812345678"), ("receiver_name", "张三丰"),
                          ("receiver_address", "文三路 100 号 3 单元 502 室")):
        raw = _raw(od.a1, column)
        assert plain not in raw and "138" not in raw and raw.startswith(crypto.TOKEN_PREFIX)
    order = Order.objects.get(pk=od.a1.pk)
    assert order.receiver_phone == "13812345678"
    # the keyed hash finds the order by phone without decrypting; it is not the phone either
    assert order.phone_hash == crypto.keyed_hash("138 1234 5678", normalise=crypto.digits_only)
    assert "13812345678" not in order.phone_hash
    assert Order.objects.filter(phone_hash=crypto.keyed_hash("13812345678", normalise=crypto.digits_only)).count() == 3


def test_crm03_audit_history_keeps_no_personal_data(od):
    history = od.a1.history.model
    names = {f.name for f in history._meta.fields}
    assert not names & {"receiver_name", "receiver_phone", "receiver_address"}


def test_crm03_field_key_from_the_environment_and_key_rotation(od, monkeypatch, settings):
    from cryptography.fernet import Fernet

    old = Fernet.generate_key().decode()
    settings.ECOMOPS_FIELD_KEY = old
    token = crypto.encrypt("13900000000")
    assert crypto.decrypt(token) == "13900000000"
    settings.ECOMOPS_FIELD_KEY = "a new passphrase," + old  # the new key encrypts, the old still decrypts
    assert crypto.decrypt(token) == "13900000000"
    settings.ECOMOPS_FIELD_KEY = "someone else's key"
    with pytest.raises(crypto.DecryptionError) as error:
        crypto.decrypt(token)
    assert "139" not in str(error.value)


def test_law04_receiver_is_masked_by_default_for_everybody(od):
    view = receiver_view(od.cs, od.a1)
    assert view.masked and view.phone == "138******78" and view.name == "张*丰"
    assert "502" not in view.address and "3 单元" not in view.address
    assert not PersonalDataAccess.objects.exists()


def test_crm03_reveal_needs_the_right_and_is_logged_without_values(od):
    with pytest.raises(NotAllowed):
        receiver_view(od.clerk, od.a1, reveal=True)
    assert not PersonalDataAccess.objects.exists()
    view = receiver_view(od.cs, od.a1, reveal=True, purpose="确认订单")
    assert not view.masked and view.phone == "13812345678"
    log = PersonalDataAccess.objects.get()
    assert log.user == od.cs and log.object_id == str(od.a1.pk)
    assert log.fields == "receiver_name,receiver_phone,receiver_address"
    assert "13812345678" not in log.fields + log.purpose


def test_crm03_reveal_is_refused_out_of_scope(od):
    from ecomops.core.errors import BusinessError

    with pytest.raises(BusinessError):
        actions.reveal_receiver(od.a2, user=od.store_clerk)  # store-only grantee of A1


def test_ord08_address_change_reencrypts_and_keeps_only_masked_values_in_the_event(od):
    before_hash = od.a1.receiver_hash
    order = actions.change_address(od.a1, user=od.clerk, receiver_name="李四", receiver_phone="13900001111",
                                   receiver_address="学院路 8 号 2 栋 301 室", province="浙江省", city="杭州市",
                                   reason="买家改地址")
    assert "13900001111" not in _raw(order, "receiver_phone")
    assert order.receiver_hash != before_hash
    event = order.events.get(kind=OrderEventKind.ADDRESS_CHANGED)
    text = str(event.data) + event.note
    for secret in ("13812345678", "13900001111", "502", "301", "张三丰", "李四"):
        assert secret not in text
    assert event.data["after"]["phone"] == "139******11"
