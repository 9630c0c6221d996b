"""HMAC signatures and base64url, the fake's only cryptography (all secrets stay server side)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Decode base64url with or without padding; ValueError on anything else."""
    if not text or any(c not in _B64URL for c in text):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


_B64URL = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def new_secret() -> bytes:
    return secrets.token_bytes(32)


class Signer:
    """Signs text with one secret; signatures are base64url HMAC-SHA256."""

    def __init__(self, secret: bytes | None = None) -> None:
        self.secret = secret or new_secret()

    def sign(self, text: str) -> str:
        return b64url_encode(hmac.new(self.secret, text.encode(), hashlib.sha256).digest())

    def verify(self, text: str, signature: str) -> bool:
        return hmac.compare_digest(self.sign(text), signature)
