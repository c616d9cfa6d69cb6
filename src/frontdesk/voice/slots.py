"""Slot ids: short opaque tokens for an offered start, so the model never retypes a time.

A token names the service, the staff member and the start of one offered slot, and carries a
truncated HMAC over those plus the tenant id. Nothing is stored: the server re-derives and checks
the MAC, so a token the model garbled, invented or carried over from another tenant is refused.

Layout (15 bytes, base32 → 24 characters, prefixed ``s_``)::

    start minutes since epoch (4) | service tag (2) | staff tag (2) | flags (1) | MAC (6)

Service and staff tags are the first two bytes of SHA-256 of the id: the reader finds the
candidates in the branch's catalogue and the MAC decides (a tag collision cannot forge one).
A 48-bit MAC is plenty for tokens that only ever arrive through signed Retell requests.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import struct
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

PREFIX = "s_"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_BODY = struct.Struct(">I2s2sB")
_MAC_BYTES = 6
_PINNED = 0x01
_CONTEXT = b"frontdesk slot ids v1"


@dataclass(frozen=True, slots=True)
class SlotRef:
    """What a slot id stands for. ``staff_pinned``: the caller asked for this staff member,
    so booking must not fall back to a colleague."""

    service_id: uuid.UUID
    staff_id: uuid.UUID
    start: datetime
    staff_pinned: bool = False


def secret_from_key(key: str) -> bytes:
    """A slot-id secret derived from the tenant's verification key (domain-separated)."""
    return hmac.new(key.encode("utf-8"), _CONTEXT, hashlib.sha256).digest()


def _tag(value: uuid.UUID) -> bytes:
    return hashlib.sha256(value.bytes).digest()[:2]


def _mac(secret: bytes, tenant_id: uuid.UUID, ref: SlotRef, body: bytes) -> bytes:
    message = tenant_id.bytes + ref.service_id.bytes + ref.staff_id.bytes + body
    return hmac.new(secret, message, hashlib.sha256).digest()[:_MAC_BYTES]


def issue(secret: bytes, tenant_id: uuid.UUID, ref: SlotRef) -> str:
    """The slot id of ``ref`` for ``tenant_id``; starts are whole minutes."""
    minutes = int((ref.start - _EPOCH) // timedelta(minutes=1))
    flags = _PINNED if ref.staff_pinned else 0
    body = _BODY.pack(minutes, _tag(ref.service_id), _tag(ref.staff_id), flags)
    raw = body + _mac(secret, tenant_id, ref, body)
    return PREFIX + base64.b32encode(raw).decode("ascii").lower()


def read(
    secret: bytes,
    tenant_id: uuid.UUID,
    token: str,
    service_ids: Iterable[uuid.UUID],
    staff_ids: Iterable[uuid.UUID],
) -> SlotRef | None:
    """The slot ``token`` stands for, or ``None`` when it is not one of ours for this tenant."""
    text = token.strip().lower()
    if not text.startswith(PREFIX):
        return None
    try:
        raw = base64.b32decode(text[len(PREFIX) :].upper())
    except (binascii.Error, ValueError):
        return None
    if len(raw) != _BODY.size + _MAC_BYTES:
        return None
    body, mac = raw[: _BODY.size], raw[_BODY.size :]
    minutes, service_tag, staff_tag, flags = _BODY.unpack(body)
    start = _EPOCH + timedelta(minutes=minutes)
    services = [s for s in service_ids if _tag(s) == service_tag]
    people = [p for p in staff_ids if _tag(p) == staff_tag]
    for service_id in services:
        for staff_id in people:
            ref = SlotRef(service_id, staff_id, start, bool(flags & _PINNED))
            if hmac.compare_digest(_mac(secret, tenant_id, ref, body), mac):
                return ref
    return None
