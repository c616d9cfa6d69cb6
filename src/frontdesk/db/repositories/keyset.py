"""The one keyset-pagination helper every listing uses (``domain.paging``)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, TypeVar, cast

from sqlalchemy import Select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from frontdesk.domain.paging import Cursor, Page

M = TypeVar("M")
# The listing's order: a time column, then the id that breaks ties.
Key = tuple[InstrumentedAttribute[datetime], InstrumentedAttribute[uuid.UUID]]


async def page_of(
    session: AsyncSession,
    stmt: Select[M],
    key: Key,
    *,
    after: Cursor | None,
    limit: int,
    newest_first: bool = False,
) -> Page[M]:
    """Up to ``limit`` rows of ``stmt`` ordered by ``key`` (ascending, or descending with
    ``newest_first``), starting after the position ``after``.

    One statement: it reads one row more than the page to know whether another page follows.
    """
    at, ident = key
    position = tuple_(at, ident)
    if after is not None:
        stmt = stmt.where(position < tuple_(*after) if newest_first else position > tuple_(*after))
    order = (at.desc(), ident.desc()) if newest_first else (at, ident)
    rows = list((await session.execute(stmt.order_by(*order).limit(limit + 1))).scalars())
    if len(rows) <= limit:
        return Page(rows)
    rows = rows[:limit]
    last: Any = rows[-1]
    return Page(rows, cast(Cursor, (getattr(last, at.key), getattr(last, ident.key))))
