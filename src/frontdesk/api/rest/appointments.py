"""Appointments: book (idempotent), read, list, move, cancel."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from frontdesk.api.auth import TenantId
from frontdesk.api.deps import BookingDep, IdempotencyDep, QueriesDep
from frontdesk.api.errors import PROBLEM_JSON, ProblemError
from frontdesk.api.rest.pagination import CursorParam, decode_cursor, page_out
from frontdesk.api.rest.schemas import (
    PROBLEMS,
    AppointmentIn,
    AppointmentOut,
    AppointmentPatch,
    CancelIn,
    CancellationOut,
    Instant,
    Page,
)
from frontdesk.booking.customers import CustomerInput
from frontdesk.booking.idempotency import MAX_KEY_LENGTH, Claim, request_fingerprint
from frontdesk.booking.service import BookingRequest
from frontdesk.domain.errors import DomainError
from frontdesk.domain.model import AppointmentSource, AppointmentStatus

router = APIRouter(prefix="/appointments", tags=["appointments"], responses=PROBLEMS)

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=MAX_KEY_LENGTH,
        description="Repeat a request safely: same key and body return the original response.",
    ),
]


@router.post(
    "",
    summary="Book an appointment",
    status_code=status.HTTP_201_CREATED,
    response_model=AppointmentOut,
    responses={200: {"model": AppointmentOut, "description": "Already booked (duplicate)"}},
)
async def book(
    body: AppointmentIn,
    request: Request,
    tenant_id: TenantId,
    booking: BookingDep,
    idempotency: IdempotencyDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    if idempotency_key is None:
        status_code, payload = await _book(body, tenant_id, booking, None)
        return JSONResponse(payload, status_code=status_code)
    fingerprint = request_fingerprint("POST", request.url.path, body.model_dump(mode="json"))
    claimed = await idempotency.claim(tenant_id, idempotency_key, fingerprint)
    if claimed.claim is Claim.MISMATCH:
        raise ProblemError(
            422,
            "idempotency_key_reused",
            "Idempotency key reused",
            "this Idempotency-Key was used with a different request",
        )
    if claimed.claim is Claim.IN_FLIGHT:
        raise ProblemError(
            409,
            "idempotency_in_flight",
            "Request in progress",
            "a request with this Idempotency-Key is still being processed; retry shortly",
        )
    if claimed.claim is Claim.REPLAY:
        replayed_status = claimed.status or 200
        return JSONResponse(
            claimed.body,
            status_code=replayed_status,
            media_type=PROBLEM_JSON if replayed_status >= 400 else None,
            headers={"Idempotent-Replayed": "true"},
        )
    try:
        status_code, payload = await _book(body, tenant_id, booking, idempotency_key)
    except DomainError as exc:
        # A business refusal is a final answer: remember it like a success.
        await idempotency.complete(tenant_id, idempotency_key, exc.status, _refusal(exc))
        raise
    except BaseException:
        await idempotency.release(tenant_id, idempotency_key)
        raise
    await idempotency.complete(tenant_id, idempotency_key, status_code, payload)
    return JSONResponse(payload, status_code=status_code)


async def _book(
    body: AppointmentIn, tenant_id: uuid.UUID, booking: BookingDep, key: str | None
) -> tuple[int, dict[str, Any]]:
    outcome = await booking.book(
        BookingRequest(
            tenant_id=tenant_id,
            service_id=body.service_id,
            start=body.start,
            customer=CustomerInput(body.customer.name, body.customer.phone, body.customer.email),
            source=AppointmentSource.API,
            staff_id=body.staff_id,
            notes=body.notes,
            idempotency_key=key,
        )
    )
    payload = jsonable_encoder(AppointmentOut.of(outcome.appointment, outcome.duplicate))
    return (200 if outcome.duplicate else 201), payload


def _refusal(exc: DomainError) -> dict[str, Any]:
    """What a replay of a refused request returns (the same problem, without the instance)."""
    return {"type": f"/problems/{exc.code}", "title": exc.title, "status": exc.status,
            "detail": exc.detail, "code": exc.code}  # fmt: skip


@router.get("", summary="List appointments", response_model=Page[AppointmentOut])
async def list_appointments(
    tenant_id: TenantId,
    queries: QueriesDep,
    from_: Annotated[Instant | None, Query(alias="from", description="Start at or after")] = None,
    to: Annotated[Instant | None, Query(description="Start before")] = None,
    status_: Annotated[list[AppointmentStatus] | None, Query(alias="status")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: CursorParam = None,
) -> Page[AppointmentOut]:
    page = await queries.appointments(
        tenant_id,
        start_from=from_,
        start_to=to,
        statuses=status_ or [],
        after=decode_cursor(cursor),
        limit=limit,
    )
    return page_out(page, AppointmentOut.of)


@router.get("/{appointment_id}", summary="One appointment", response_model=AppointmentOut)
async def get_appointment(
    appointment_id: uuid.UUID, tenant_id: TenantId, booking: BookingDep
) -> AppointmentOut:
    return AppointmentOut.of(await booking.get(tenant_id, appointment_id))


@router.patch(
    "/{appointment_id}",
    summary="Move an appointment or edit its notes",
    response_model=AppointmentOut,
)
async def patch_appointment(
    appointment_id: uuid.UUID, body: AppointmentPatch, tenant_id: TenantId, booking: BookingDep
) -> AppointmentOut:
    if body.start is None and body.notes is None:
        raise ProblemError(
            422, "validation_error", "Invalid request", "nothing to change: give start and/or notes"
        )
    # Move first: if the new time is taken, the notes are not changed either. ``version`` is
    # checked by whichever change comes first; the notes then expect the move's new version.
    version = body.version
    if body.start is not None:
        view = await booking.reschedule(
            tenant_id, appointment_id, body.start, body.staff_id, version
        )
        version = view.version if version is not None else None
    if body.notes is not None:
        view = await booking.update_notes(tenant_id, appointment_id, body.notes, version)
    return AppointmentOut.of(view)


@router.post(
    "/{appointment_id}/cancel", summary="Cancel an appointment", response_model=CancellationOut
)
async def cancel_appointment(
    appointment_id: uuid.UUID,
    tenant_id: TenantId,
    booking: BookingDep,
    body: CancelIn | None = None,
) -> CancellationOut:
    outcome = await booking.cancel(
        tenant_id,
        appointment_id,
        reason=body.reason if body else None,
        expected_version=body.version if body else None,
    )
    return CancellationOut(
        appointment=AppointmentOut.of(outcome.appointment), fee_cents=outcome.fee_cents
    )
