"""Opaque keyset cursors for list endpoints."""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from datetime import datetime
from typing import Annotated

from fastapi import Query

from frontdesk import untrusted
from frontdesk.api.errors import ProblemError
from frontdesk.domain import rules
from frontdesk.domain.errors import DomainError

Cursor = tuple[datetime, uuid.UUID]
# Ours are about 90 characters; anything much longer was not issued by this API.
MAX_CURSOR = 200
CursorParam = Annotated[
    str | None,
    Query(max_length=MAX_CURSOR, description="`next_cursor` of the previous page"),
]


def encode_cursor(position: Cursor) -> str:
    raw = json.dumps([position[0].isoformat(), str(position[1])]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(token: str | None) -> Cursor | None:
    if not token:
        return None
    try:
        padded = token + "=" * (-len(token) % 4)
        # Never json.loads a stranger's text unguarded: nesting raises RecursionError.
        parsed = untrusted.loads(base64.urlsafe_b64decode(padded))
        if not isinstance(parsed, list) or len(parsed) != 2:
            raise ValueError("not a cursor")
        stamp, ident = parsed
        if not isinstance(stamp, str) or not isinstance(ident, str):
            raise ValueError("not a cursor")
        return rules.instant(datetime.fromisoformat(stamp), "cursor"), uuid.UUID(ident)
    except (ValueError, TypeError, binascii.Error, DomainError) as exc:
        raise ProblemError(
            422, "validation_error", "Invalid request", "cursor is not one this API issued"
        ) from exc
