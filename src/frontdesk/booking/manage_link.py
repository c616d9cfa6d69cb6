"""Manage links: the signed, expiring URL every customer message carries (ADR 0026).

A token names one appointment of one tenant *at one start time* and carries an HMAC-SHA256
over exactly those bytes. Nothing is stored: the server re-derives the MAC, so a token nobody
issued, a changed byte or a token of appointment A presented for B is refused before any
database read. Binding the start (not the row's ``version``, which also moves on calendar-sync
bookkeeping and note edits) makes a link from before a move or after a cancellation "used";
the start is also the expiry — after it nothing can be cancelled or moved.

Layout (53 bytes, base64url without padding → 71 characters)::

    format (1) | tenant id (16) | appointment id (16) | start, minutes since epoch (4) | MAC (16)

A 128-bit MAC: links travel by SMS and e-mail to anyone, so guessing must be hopeless, not only
unrewarding.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import struct
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import Protocol

from pydantic import SecretStr

from frontdesk.observability.logging import get_logger

log = get_logger(__name__)

PATH_PREFIX = "/m/"
_FORMAT = 1
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_BODY = struct.Struct(">B16s16sI")
_MAC_BYTES = 16
TOKEN_BYTES = _BODY.size + _MAC_BYTES
TOKEN_CHARS = (TOKEN_BYTES * 4 + 2) // 3  # base64 without padding
_KEY_CONTEXT = b"frontdesk manage links v1"
_FORM_CONTEXT = b"frontdesk manage link form v1"


class LinkSettings(Protocol):
    """What link signing needs of ``frontdesk.settings.Settings`` (which satisfies it)."""

    @property
    def base_url(self) -> str: ...

    @property
    def secret_key(self) -> SecretStr | None: ...

    @property
    def link_key(self) -> SecretStr | None: ...


@dataclass(frozen=True, slots=True)
class LinkRef:
    """What a valid token stands for. ``starts_at`` is whole minutes, UTC."""

    tenant_id: uuid.UUID
    appointment_id: uuid.UUID
    starts_at: datetime


class LinkState(StrEnum):
    VALID = "valid"
    INVALID = "invalid"  # not ours: malformed, tampered, or signed with another key
    EXPIRED = "expired"  # ours, but the appointment's start has passed


@dataclass(frozen=True, slots=True)
class LinkCheck:
    state: LinkState
    ref: LinkRef | None = None  # set for VALID and EXPIRED


def link_key(settings: LinkSettings) -> bytes:
    """The signing key: derived from ``FRONTDESK_LINK_KEY``, else ``FRONTDESK_SECRET_KEY``
    (domain-separated, so a link MAC never equals any other use of that key — the reminders'
    unsubscribe links derive theirs from the same setting); without either, a random key for
    this process."""
    return derive_link_key(settings.link_key or settings.secret_key)


def derive_link_key(secret: SecretStr | None) -> bytes:
    """The manage links' key from a configured secret (``None``: this process's own)."""
    if secret is None:
        return _process_key()
    return hmac.new(secret.get_secret_value().encode(), _KEY_CONTEXT, hashlib.sha256).digest()


@lru_cache(maxsize=1)
def _process_key() -> bytes:
    # The embedded default (one process: API and worker) has no configured secret. Links then
    # last until the process restarts; the warning says how to make them last.
    log.warning("manage_links_process_key", hint="set FRONTDESK_SECRET_KEY to keep links valid")
    return secrets.token_bytes(32)


def _minutes(instant: datetime) -> int:
    return int((instant - _EPOCH) // timedelta(minutes=1))


def _mac(key: bytes, body: bytes) -> bytes:
    return hmac.new(key, body, hashlib.sha256).digest()[:_MAC_BYTES]


def issue(key: bytes, ref: LinkRef) -> str:
    """The token for ``ref`` (URL-safe, 71 characters)."""
    body = _BODY.pack(
        _FORMAT, ref.tenant_id.bytes, ref.appointment_id.bytes, _minutes(ref.starts_at)
    )
    return base64.urlsafe_b64encode(body + _mac(key, body)).decode("ascii").rstrip("=")


def read(key: bytes, token: str) -> LinkRef | None:
    """What ``token`` stands for, or None when it is not one this key issued."""
    if len(token) != TOKEN_CHARS or not token.isascii():
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=")
    except (binascii.Error, ValueError):
        return None
    if len(raw) != TOKEN_BYTES:
        return None
    body, mac = raw[: _BODY.size], raw[_BODY.size :]
    if not hmac.compare_digest(mac, _mac(key, body)):
        return None
    fmt, tenant, appointment, minutes = _BODY.unpack(body)
    if fmt != _FORMAT or issue(key, _ref(tenant, appointment, minutes)) != token:
        # The canonical encoding only: base64 tolerates variants of the last character, and a
        # link must have exactly one spelling.
        return None
    return _ref(tenant, appointment, minutes)


def _ref(tenant: bytes, appointment: bytes, minutes: int) -> LinkRef:
    start = _EPOCH + timedelta(minutes=minutes)
    return LinkRef(uuid.UUID(bytes=tenant), uuid.UUID(bytes=appointment), start)


def verify(key: bytes, token: str, now: datetime) -> LinkCheck:
    """Valid, expired (the appointment's start has passed) or invalid."""
    ref = read(key, token)
    if ref is None:
        return LinkCheck(LinkState.INVALID)
    if now >= ref.starts_at:
        return LinkCheck(LinkState.EXPIRED, ref)
    return LinkCheck(LinkState.VALID, ref)


def form_token(key: bytes, token: str) -> str:
    """The value the page's forms send back: bound to the link, so the forms need no session
    or cookie (ADR 0026)."""
    digest = hmac.new(key, _FORM_CONTEXT + token.encode("ascii"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:16]).decode("ascii").rstrip("=")


def form_token_ok(key: bytes, token: str, sent: str | None) -> bool:
    if not sent or not token.isascii() or not sent.isascii():
        return False
    return hmac.compare_digest(sent.encode("ascii"), form_token(key, token).encode("ascii"))


def manage_path(key: bytes, ref: LinkRef) -> str:
    return PATH_PREFIX + issue(key, ref)


def manage_url(
    settings: LinkSettings,
    tenant_id: uuid.UUID,
    appointment_id: uuid.UUID,
    starts_at: datetime,
) -> str:
    """The public manage link of an appointment starting at ``starts_at`` (its current start),
    e.g. ``https://salon.example/m/AQxx…``; what a message to the customer carries."""
    ref = LinkRef(tenant_id, appointment_id, starts_at)
    return settings.base_url.rstrip("/") + manage_path(link_key(settings), ref)
