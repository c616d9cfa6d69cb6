"""Customers and calls of the tenant."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from frontdesk.api.auth import TenantId
from frontdesk.api.deps import QueriesDep
from frontdesk.api.rest.pagination import CursorParam, decode_cursor, page_out
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
    page = await queries.customers(tenant_id, query=q, after=decode_cursor(cursor), limit=limit)
    return page_out(page, CustomerOut.model_validate)


@router.get("/calls", summary="Phone calls, newest first", response_model=Page[CallOut])
async def list_calls(
    tenant_id: TenantId, queries: QueriesDep, limit: Limit = 50, cursor: CursorParam = None
) -> Page[CallOut]:
    page = await queries.calls(tenant_id, after=decode_cursor(cursor), limit=limit)
    return page_out(page, CallOut.model_validate)
