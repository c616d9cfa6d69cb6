"""What the call and customer pages share: the use cases' unit of work, local times, and the
``after`` cursor of a keyset page in the URL."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import Depends, Request

from frontdesk.api.errors import ProblemError
from frontdesk.api.rest.pagination import MAX_CURSOR, decode_cursor, encode_cursor
from frontdesk.api.web.errors import PageError
from frontdesk.booking.unit_of_work import UnitOfWork
from frontdesk.domain.paging import Cursor


async def get_records(request: Request) -> UnitOfWork:
    # The booking service's unit of work: the same sessions, clock and caches as every
    # other channel, so the pages read and write through the same use cases as voice and REST.
    uow: UnitOfWork = request.app.state.booking.uow
    return uow


RecordsDep = Annotated[UnitOfWork, Depends(get_records)]


def page_id(raw: str) -> uuid.UUID:
    """An id from the path; a malformed one is answered like an unknown one (404 page)."""
    try:
        return uuid.UUID(raw)
    except ValueError as exc:
        raise PageError(404, "error.not_found") from exc


def parse_after(raw: str | None) -> tuple[Cursor | None, bool]:
    """The page's start from ``after`` and whether the value was bad (then the first page)."""
    if not raw:
        return None, False
    if len(raw) > MAX_CURSOR:
        return None, True
    try:
        return decode_cursor(raw), False
    except ProblemError:
        return None, True


def next_after(position: Cursor | None) -> str | None:
    return encode_cursor(position) if position is not None else None


def local(instant: datetime, zone: str) -> datetime:
    """An instant in the business's zone (``t.time`` shows a datetime in its own zone)."""
    return instant.astimezone(ZoneInfo(zone))


def actor_of(user_id: uuid.UUID) -> str:
    """Who did it, for the audit trail (the settings use the same form)."""
    return f"user:{user_id}"
