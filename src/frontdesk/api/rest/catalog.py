"""Services, staff and availability."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response

from frontdesk.api.auth import TenantId
from frontdesk.api.deps import BookingDep, QueriesDep
from frontdesk.api.rest.schemas import (
    PROBLEMS,
    AvailabilityOut,
    Day,
    Page,
    ServiceOut,
    SlotOut,
    StaffOut,
)
from frontdesk.booking.service import MAX_SEARCH_DAYS

router = APIRouter(tags=["catalogue"], responses=PROBLEMS)


@router.get("/services", summary="Bookable services", response_model=Page[ServiceOut])
async def list_services(tenant_id: TenantId, queries: QueriesDep) -> Page[ServiceOut]:
    rows = await queries.services(tenant_id)
    return Page(
        items=[
            ServiceOut(
                id=row.id,
                name=row.name,
                duration_minutes=row.duration_minutes,
                price_cents=row.price_cents,
                aliases=list(row.aliases or []),
                branch_id=row.branch_id,
                staff_ids=staff_ids,
            )
            for row, staff_ids in rows
        ]
    )


@router.get("/staff", summary="Staff members", response_model=Page[StaffOut])
async def list_staff(tenant_id: TenantId, queries: QueriesDep) -> Page[StaffOut]:
    return Page(
        items=[
            StaffOut(
                id=row.id,
                name=row.name,
                first_name=row.first_name,
                last_name=row.last_name,
                branch_id=row.branch_id,
            )
            for row in await queries.staff(tenant_id)
        ]
    )


@router.get(
    "/availability",
    summary="Free slots of a service",
    response_model=AvailabilityOut,
    response_model_by_alias=True,
)
async def availability(
    tenant_id: TenantId,
    booking: BookingDep,
    service: Annotated[uuid.UUID, Query(description="Service id")],
    from_: Annotated[
        Day | None,
        Query(alias="from", description="First local day (default: today in the branch)"),
    ] = None,
    days: Annotated[int, Query(ge=1, le=MAX_SEARCH_DAYS)] = 14,
    staff: Annotated[uuid.UUID | None, Query(description="Only this staff member")] = None,
) -> Response:
    found = await booking.find_slots(tenant_id, service, from_, days, staff)
    body = AvailabilityOut(
        service_id=service,
        from_date=found.first_day,
        days=found.days,
        slots=[SlotOut.of(s) for s in found.slots],
        as_of=found.as_of,
        unknown_days=list(found.unknown_days),
    )
    # Serialised here by pydantic-core in one pass; returning the model would make FastAPI
    # validate all slots again before dumping them (a third of this endpoint's time).
    # The built-in calendar is always current: its answers carry no freshness fields.
    fresh = found.as_of is None and not found.unknown_days
    dumped = body.model_dump_json(
        by_alias=True, exclude={"as_of", "unknown_days"} if fresh else None
    )
    return Response(dumped, media_type="application/json")
