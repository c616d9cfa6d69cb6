"""Opaque keyset cursors for list endpoints."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import datetime

from frontdesk.api.errors import ProblemError

Cursor = tuple[datetime, uuid.UUID]


def encode_cursor(position: Cursor) -> str:
    raw = json.dumps([position[0].isoformat(), str(position[1])]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(token: str | None) -> Cursor | None:
    if not token:
        return None
    try:
        padded = token + "=" * (-len(token) % 4)
        stamp, ident = json.loads(base64.urlsafe_b64decode(padded))
        return datetime.fromisoformat(stamp), uuid.UUID(ident)
    except (ValueError, TypeError) as exc:
        raise ProblemError(
            422, "validation_error", "Invalid request", "cursor is not one this API issued"
        ) from exc
