"""Encryption at rest for either engine (Fernet: AES-128-CBC with HMAC-SHA256, keys from DATA_KEYS)."""

from __future__ import annotations

from .base import KeyMismatch

FERNET_PREFIX = b"gAAAAA"  # how every Fernet token starts: tells encrypted data from plain


class Cipher:
    """The first key encrypts; every key can decrypt, so a key can be rotated by putting the new one first."""

    def __init__(self, keys: tuple[str, ...]):
        from cryptography.fernet import Fernet, MultiFernet

        self._fernet = MultiFernet([Fernet(k.encode()) for k in keys])

    def encrypt(self, payload: bytes) -> bytes:
        return self._fernet.encrypt(payload)

    def decrypt(self, token: bytes) -> bytes:
        from cryptography.fernet import InvalidToken

        try:
            return self._fernet.decrypt(token)
        except InvalidToken as exc:
            raise KeyMismatch("the data was encrypted with a different key: check DATA_KEYS") from exc

    def rotate(self, token: bytes) -> bytes:
        """The same data, encrypted with the first (newest) key."""
        from cryptography.fernet import InvalidToken

        try:
            return self._fernet.rotate(token)
        except InvalidToken as exc:
            raise KeyMismatch("some data was encrypted with a key that is not in DATA_KEYS") from exc
