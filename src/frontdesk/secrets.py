"""Sealing secrets we must be able to read back (a tenant's Cal.com API key) before they are
stored.

With ``FRONTDESK_SECRET_KEY`` set (a Fernet key; ``new_key()`` makes one, see README)
values are encrypted and authenticated (AES-128-CBC + HMAC-SHA256); a database dump alone does
not reveal them. Without it (the embedded demo) they are stored as they are, marked ``plain:``,
and ``frontdesk doctor``/``calcom status`` say so. A value sealed with one key cannot be opened
with another: rotating the key means connecting again. Sealed values are never logged.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken
from pydantic import SecretStr

ENCRYPTED = "fernet:"
PLAIN = "plain:"


class SecretUnreadable(Exception):
    """A sealed value cannot be opened: wrong or missing ``FRONTDESK_SECRET_KEY``."""


def new_key() -> str:
    return Fernet.generate_key().decode()


def seal(value: SecretStr, key: SecretStr | None) -> str:
    """``value`` as stored: encrypted when a key is configured, else marked plain."""
    raw = value.get_secret_value()
    if key is None:
        return PLAIN + raw
    return ENCRYPTED + Fernet(key.get_secret_value().encode()).encrypt(raw.encode()).decode()


def unseal(stored: str, key: SecretStr | None) -> SecretStr:
    """The value ``seal`` stored; ``SecretUnreadable`` when the key does not open it."""
    if stored.startswith(PLAIN):
        return SecretStr(stored.removeprefix(PLAIN))
    if not stored.startswith(ENCRYPTED):
        raise SecretUnreadable("stored secret has an unknown format")
    if key is None:
        raise SecretUnreadable("FRONTDESK_SECRET_KEY is not set; the stored key is encrypted")
    try:
        token = stored.removeprefix(ENCRYPTED).encode()
        return SecretStr(Fernet(key.get_secret_value().encode()).decrypt(token).decode())
    except (InvalidToken, ValueError) as exc:
        raise SecretUnreadable("FRONTDESK_SECRET_KEY does not open the stored key") from exc


def opened(stored: str | None, key: SecretStr | None) -> str | None:
    """A sealed value opened for use (e.g. a tenant's Retell key), None when nothing is stored."""
    return None if stored is None else unseal(stored, key).get_secret_value()


def is_encrypted(stored: str) -> bool:
    return stored.startswith(ENCRYPTED)
