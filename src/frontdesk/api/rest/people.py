"""Customers and calls of the tenant."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from frontdesk.api.auth import TenantId
from frontdesk.api.deps import QueriesDep
from frontdesk.api.rest.pagination import CursorParam, decode_cursor, encode_cursor
from frontdesk.api.rest.schemas import PROBLEMS, CallOut, CustomerOut, Page, SearchText
from frontdesk.domain import rules

router = APIRouter(tags=["customers and calls"], responses=PROBLEMS)
Limit = Annotated[int, Query(ge=1, le=200)]


@router.get("/customers", summary="Customers", response_model=Page[CustomerOut])
async def list_customers(
    tenant_id: TenantId,
    queries: QueriesDep,
    q: Annotated[
        SearchText | None,
        Query(max_length=rules.MAX_SEARCH_TEXT, description="Name or phone contains"),
    ] = None,
    limit: Limit = 50,
    cursor: CursorParam = None,
) -> Page[CustomerOut]:
    rows = await queries.customers(tenant_id, query=q, after=decode_cursor(cursor), limit=limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(
        items=[CustomerOut.model_validate(row) for row in rows],
        next_cursor=encode_cursor((rows[-1].created_at, rows[-1].id)) if more else None,
    )


@router.get("/calls", summary="Phone calls, newest first", response_model=Page[CallOut])
async def list_calls(
    tenant_id: TenantId, queries: QueriesDep, limit: Limit = 50, cursor: CursorParam = None
) -> Page[CallOut]:
    rows = await queries.calls(tenant_id, after=decode_cursor(cursor), limit=limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(
        items=[CallOut.model_validate(row) for row in rows],
        next_cursor=encode_cursor((rows[-1].created_at, rows[-1].id)) if more else None,
    )
