"""Encryption of personal data at rest (CRM-03, LAW-04 art. 51) and keyed hashes for looking it up.

    class Order(models.Model):
        receiver_phone = EncryptedTextField(_("收货人手机"), blank=True)
        receiver_phone_hash = models.CharField(max_length=64, db_index=True, blank=True)

    order.receiver_phone = "13812345678"           # plain in Python
    order.receiver_phone_hash = keyed_hash(order.receiver_phone, normalise=digits_only)
    # the database column holds a Fernet token ("gAAAAA..."), never the phone

Keys: ``settings.ECOMOPS_FIELD_KEY`` or the environment variable ``ECOMOPS_FIELD_KEY`` when set: one
or more keys separated by commas, the first encrypts and all decrypt (rotation). Each is either a
Fernet key (32 url-safe base64 bytes) or any passphrase, stretched with HKDF. Without it the keys are
derived from ``SECRET_KEY`` with HKDF-SHA256 (a separate key for the hashes). Fernet tokens are
random, so equality lookups go through the keyed hash column, never the encrypted one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import models

TOKEN_PREFIX = "gAAAAA"  # every Fernet token starts so (version byte 0x80 + timestamp)
_ENCRYPT_INFO = b"ecomops.field-encryption.v1"
_HASH_INFO = b"ecomops.field-hash.v1"


class DecryptionError(Exception):
    """A stored value could not be decrypted with any configured key (the value is never shown)."""


def _configured_secrets() -> tuple[str, ...]:
    raw = getattr(settings, "ECOMOPS_FIELD_KEY", None) or os.environ.get("ECOMOPS_FIELD_KEY", "")
    return _parse_secrets(str(raw), settings.SECRET_KEY)


@lru_cache(maxsize=8)
def _parse_secrets(raw: str, fallback: str) -> tuple[str, ...]:
    # Asked for every value encrypted or hashed: parsed once per configuration (a bulk import encrypts
    # tens of thousands of fields), and still following a changed setting.
    keys = tuple(part.strip() for part in raw.split(",") if part.strip())
    return keys or (fallback,)


def _hkdf(secret: str, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"ecomops", info=info).derive(secret.encode())


def _fernet_key(secret: str) -> bytes:
    try:
        Fernet(secret.encode())  # already a Fernet key
        return secret.encode()
    except (ValueError, TypeError):
        return base64.urlsafe_b64encode(_hkdf(secret, _ENCRYPT_INFO))


@lru_cache(maxsize=8)
def _cipher(secrets: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(_fernet_key(secret)) for secret in secrets])


@lru_cache(maxsize=8)
def _hash_key(secret: str) -> bytes:
    return _hkdf(secret, _HASH_INFO)


def encrypt(value: str) -> str:
    """The Fernet token of ``value`` ("" stays "")."""
    if value in (None, ""):
        return ""
    return _cipher(_configured_secrets()).encrypt(str(value).encode()).decode("ascii")


def decrypt(token: str) -> str:
    if token in (None, ""):
        return ""
    try:
        return _cipher(_configured_secrets()).decrypt(str(token).encode("ascii")).decode()
    except (InvalidToken, UnicodeError, ValueError):
        raise DecryptionError("stored personal data cannot be decrypted with the configured keys") from None


def digits_only(value: str) -> str:
    return re.sub(r"\D", "", value or "")


def squeeze(value: str) -> str:
    """Whitespace and case do not make two addresses different."""
    return re.sub(r"\s+", "", value or "").casefold()


def keyed_hash(value: str, *, normalise=squeeze) -> str:
    """HMAC-SHA256 (hex) of the normalised value with the current hash key; "" for an empty value.
    Equal inputs give equal hashes, so the column can be indexed, compared and grouped."""
    text = normalise(value or "")
    if not text:
        return ""
    return hmac.new(_hash_key(_configured_secrets()[0]), text.encode(), hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """A text column stored as a Fernet token; Python code sees the plain text.

    Not searchable, not orderable in the database: keep a ``keyed_hash`` column next to it for lookups."""

    description = "Text encrypted at rest (Fernet)"

    def from_db_value(self, value, expression, connection):
        return decrypt(value) if value else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return encrypt(value)
