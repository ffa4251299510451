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


# --- files at rest (LAW-04: uploaded order exports) -------------------------------------------------


def _seal(data: bytes) -> bytes:
    import io

    out = io.BytesIO()
    assert crypto.encrypt_stream(io.BytesIO(data), out) == len(data)
    return out.getvalue()


def _open(sealed: bytes):
    import io

    return crypto.open_decrypted(io.BytesIO(sealed))


@pytest.mark.parametrize("size", [0, 1, crypto.FILE_CHUNK - 1, crypto.FILE_CHUNK, crypto.FILE_CHUNK + 1,
                                  3 * crypto.FILE_CHUNK + 17])
def test_law04_files_round_trip_and_seek_at_any_size(size):
    import os

    data = os.urandom(size)
    sealed = _seal(data)
    assert sealed.startswith(crypto.FILE_MAGIC) and (size < 64 or data[:64] not in sealed)
    with _open(sealed) as plain:
        assert plain.read() == data
        for at in (0, size // 2, max(size - 5, 0)):
            plain.seek(at)
            assert plain.read(100) == data[at:at + 100]
        assert plain.seek(0, 2) == size


def test_law04_a_changed_or_cut_off_file_is_refused():
    import os

    data = os.urandom(3 * crypto.FILE_CHUNK)
    sealed = bytearray(_seal(data))
    sealed[-100] ^= 1
    with pytest.raises(crypto.DecryptionError), _open(bytes(sealed)) as plain:
        plain.read()
    whole = _seal(data)
    cut = whole[:len(whole) - (crypto.FILE_CHUNK + 16)]  # one whole chunk off: still whole-looking chunks
    with pytest.raises(crypto.DecryptionError), _open(cut) as plain:
        plain.read()
    with pytest.raises(crypto.DecryptionError):
        _open(b"not encrypted at all")


def test_law04_file_keys_are_the_field_keys_and_rotate(settings):
    settings.ECOMOPS_FIELD_KEY = "first passphrase"
    sealed = _seal(b"buyer,13812345678")
    settings.ECOMOPS_FIELD_KEY = "second passphrase, first passphrase"
    with _open(sealed) as plain:
        assert plain.read() == b"buyer,13812345678"
    settings.ECOMOPS_FIELD_KEY = "second passphrase"
    with pytest.raises(crypto.DecryptionError):
        _open(sealed)
