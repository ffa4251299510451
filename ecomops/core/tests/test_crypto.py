"""CRM-03 / LAW-04: the field cipher and keyed hashes of ecomops.core.crypto."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from ecomops.core import crypto


def test_crm03_encrypt_is_random_and_round_trips():
    a, b = crypto.encrypt("13812345678"), crypto.encrypt("13812345678")
    assert a != b and a.startswith(crypto.TOKEN_PREFIX) and "1381234" not in a
    assert crypto.decrypt(a) == crypto.decrypt(b) == "13812345678"
    assert crypto.encrypt("") == "" and crypto.decrypt("") == ""


def test_crm03_keys_come_from_settings_and_rotate(settings):
    settings.ECOMOPS_FIELD_KEY = Fernet.generate_key().decode()
    token = crypto.encrypt("杭州市西湖区")
    settings.ECOMOPS_FIELD_KEY = "new passphrase, " + settings.ECOMOPS_FIELD_KEY
    assert crypto.decrypt(token) == "杭州市西湖区"
    settings.ECOMOPS_FIELD_KEY = "unrelated"
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token)


def test_crm03_keys_derive_from_secret_key_without_a_field_key(settings, monkeypatch):
    monkeypatch.delenv("ECOMOPS_FIELD_KEY", raising=False)
    settings.ECOMOPS_FIELD_KEY = None
    token = crypto.encrypt("x")
    settings.SECRET_KEY = "another-secret-key-" + "y" * 40
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token)


def test_crm03_keyed_hash_is_stable_normalised_and_keyed(settings):
    h = crypto.keyed_hash("138 1234-5678", normalise=crypto.digits_only)
    assert h == crypto.keyed_hash("13812345678", normalise=crypto.digits_only) and len(h) == 64
    assert crypto.keyed_hash(" 文三路 100号 ") == crypto.keyed_hash("文三路100号")
    assert crypto.keyed_hash("") == ""
    settings.ECOMOPS_FIELD_KEY = "other key"
    assert crypto.keyed_hash("13812345678", normalise=crypto.digits_only) != h
