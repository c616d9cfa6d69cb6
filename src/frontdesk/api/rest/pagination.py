"""Opaque keyset cursors for list endpoints, and a use case's page as the response's page."""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, TypeVar

from fastapi import Query

from frontdesk import untrusted
from frontdesk.api.errors import ProblemError
from frontdesk.api.rest import schemas
from frontdesk.domain import rules
from frontdesk.domain.errors import DomainError
from frontdesk.domain.paging import Cursor, Page

T = TypeVar("T")
R = TypeVar("R")
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


def page_out(page: Page[T], out: Callable[[T], R]) -> schemas.Page[R]:
    """The response page: each item through ``out``, and the cursor of the next page."""
    return schemas.Page(
        items=[out(item) for item in page.items],
        next_cursor=encode_cursor(page.next) if page.next is not None else None,
    )
