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
import io
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


# --- files at rest --------------------------------------------------------------------------------
#
# Uploaded files holding personal data (order exports: buyers' names, phones, addresses) are stored
# encrypted, streamed in constant memory, and read back through a seekable file object, so a CSV is
# decoded and an .xlsx unzipped straight from the ciphertext (a zip archive needs to seek).
#
# Layout: MAGIC, a 2-byte length and a Fernet token (with the field keys above, so rotation works the
# same) wrapping a random per-file AES-256 key and an 8-byte nonce prefix; then the body in chunks of
# FILE_CHUNK plain bytes, each sealed with AES-GCM (16-byte tag) under the nonce prefix + the chunk's
# index, the last chunk marked in the associated data so a cut-off file does not pass for a whole one.

FILE_MAGIC = b"ECOMOPS-ENC1\n"
FILE_CHUNK = 64 * 1024
_FILE_TAG = 16
_SEALED_CHUNK = FILE_CHUNK + _FILE_TAG


def _chunk_nonce(prefix: bytes, index: int) -> bytes:
    return prefix + index.to_bytes(4, "big")


def _chunk_aad(index: int, last: bool) -> bytes:
    return index.to_bytes(4, "big") + (b"\x01" if last else b"\x00")


def encrypt_stream(source, target) -> int:
    """Read ``source`` (binary, any size) to its end and write it encrypted to ``target``; returns the
    number of plain bytes. Memory: two chunks."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    key, prefix = AESGCM.generate_key(bit_length=256), os.urandom(8)
    sealed_key = _cipher(_configured_secrets()).encrypt(key + prefix)
    target.write(FILE_MAGIC + len(sealed_key).to_bytes(2, "big") + sealed_key)
    aead = AESGCM(key)
    total, index = 0, 0
    current = _read_full(source, FILE_CHUNK)
    while True:
        following = _read_full(source, FILE_CHUNK) if len(current) == FILE_CHUNK else b""
        last = not following
        target.write(aead.encrypt(_chunk_nonce(prefix, index), current, _chunk_aad(index, last)))
        total += len(current)
        if last:
            return total
        index, current = index + 1, following


def _read_full(source, size: int) -> bytes:
    """``size`` bytes, fewer only at the end (a pipe or an upload may return short reads)."""
    parts, got = [], 0
    while got < size:
        part = source.read(size - got)
        if not part:
            break
        parts.append(part)
        got += len(part)
    return b"".join(parts)


def is_encrypted_file(handle) -> bool:
    """Does the binary file ``handle`` start like ``encrypt_stream``'s output? (Rewinds it.)"""
    handle.seek(0)
    head = handle.read(len(FILE_MAGIC))
    handle.seek(0)
    return head == FILE_MAGIC


class DecryptingReader(io.RawIOBase):
    """The plain bytes of an encrypted file, readable and seekable; one chunk is held at a time.
    Raises ``DecryptionError`` on a wrong key or a changed or cut-off file."""

    def __init__(self, handle):
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        super().__init__()
        self._handle = handle
        handle.seek(0)
        if handle.read(len(FILE_MAGIC)) != FILE_MAGIC:
            raise DecryptionError("not an encrypted EcomOps file")
        length = int.from_bytes(handle.read(2), "big")
        try:
            opened = _cipher(_configured_secrets()).decrypt(handle.read(length))
        except (InvalidToken, ValueError):
            raise DecryptionError("the file's key cannot be decrypted with the configured keys") from None
        if len(opened) != 40:
            raise DecryptionError("damaged file header")
        self._aead, self._prefix = AESGCM(opened[:32]), opened[32:]
        self._body = len(FILE_MAGIC) + 2 + length
        handle.seek(0, io.SEEK_END)
        body = handle.tell() - self._body
        self._chunks = max(1, -(-body // _SEALED_CHUNK))
        self._size = body - self._chunks * _FILE_TAG
        if self._size < 0:
            raise DecryptionError("damaged file: cut off")
        self._position = 0
        self._cached: tuple[int, bytes] | None = None

    @property
    def size(self) -> int:
        return self._size

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self._size}[whence]
        if base + offset < 0:
            raise ValueError("negative seek position")
        self._position = base + offset
        return self._position

    def _chunk(self, index: int) -> bytes:
        if self._cached is not None and self._cached[0] == index:
            return self._cached[1]
        from cryptography.exceptions import InvalidTag

        self._handle.seek(self._body + index * _SEALED_CHUNK)
        sealed = self._handle.read(_SEALED_CHUNK)
        try:
            plain = self._aead.decrypt(_chunk_nonce(self._prefix, index), sealed,
                                       _chunk_aad(index, index == self._chunks - 1))
        except InvalidTag:
            raise DecryptionError("the encrypted file was changed or cut off") from None
        self._cached = (index, plain)
        return plain

    def readinto(self, buffer) -> int:
        if self._position >= self._size:
            return 0
        index, offset = divmod(self._position, FILE_CHUNK)
        data = self._chunk(index)[offset:offset + len(buffer)]
        buffer[:len(data)] = data
        self._position += len(data)
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self._handle.close()
        super().close()


def open_decrypted(handle) -> io.BufferedReader:
    """A buffered, seekable reader of the plain bytes of the encrypted binary file ``handle`` (which
    it closes when closed)."""
    return io.BufferedReader(DecryptingReader(handle), buffer_size=FILE_CHUNK)
