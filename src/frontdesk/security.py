"""Secrets: API key generation and digests, password hashing. Pure functions.

API keys are long random tokens, so a fast SHA-256 digest is enough to store them (there is
nothing to brute-force); passwords are low-entropy and get argon2id (memory-hard, ADR 0019).
Hashes made before argon2 (``scrypt$salt$digest``) still verify; ``needs_rehash`` tells the
sign-in to replace them with argon2 after a successful login.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

API_KEY_PREFIX = "fd_"
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1
# argon2-cffi's defaults follow RFC 9106's second recommendation (argon2id, 64 MiB, t=3).
_ARGON2 = PasswordHasher()


def generate_api_key() -> str:
    return API_KEY_PREFIX + secrets.token_urlsafe(32)


def api_key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_key_display_prefix(key: str) -> str:
    """The first characters of a key, safe to show so people can tell their keys apart."""
    return key[:10]


def generate_password() -> str:
    return secrets.token_urlsafe(12)


def hash_password(password: str) -> str:
    return _ARGON2.hash(password)


def verify_password(password: str, stored: str) -> bool:
    if stored.startswith("$argon2"):
        try:
            return _ARGON2.verify(stored, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False
    return _verify_scrypt(password, stored)


def needs_rehash(stored: str) -> bool:
    """True for hashes of an older scheme or weaker parameters than today's."""
    if not stored.startswith("$argon2"):
        return True
    try:
        return _ARGON2.check_needs_rehash(stored)
    except InvalidHashError:
        return True


def _verify_scrypt(password: str, stored: str) -> bool:
    try:
        scheme, salt_b64, digest_b64 = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    expected = base64.b64decode(digest_b64)
    return hmac.compare_digest(_scrypt(password, base64.b64decode(salt_b64)), expected)


def legacy_scrypt_hash(password: str) -> str:
    """A hash in the pre-argon2 format, for migrating and testing stored logins."""
    salt = secrets.token_bytes(16)
    return "scrypt$" + "$".join(
        base64.b64encode(part).decode() for part in (salt, _scrypt(password, salt))
    )


def _scrypt(password: str, salt: bytes) -> bytes:
    return hashlib.scrypt(
        password.encode(), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P, dklen=32
    )
