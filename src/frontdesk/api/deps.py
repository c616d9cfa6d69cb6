"""FastAPI dependencies shared by the routers.

They are ``async def`` on purpose: FastAPI runs plain ``def`` dependencies in a thread pool,
and that hop cost milliseconds per request for what is only an attribute lookup.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from frontdesk.booking.idempotency import IdempotencyStore
from frontdesk.booking.queries import Queries
from frontdesk.booking.service import BookingService
from frontdesk.resources import Resources


async def get_resources(request: Request) -> Resources:
    resources: Resources = request.app.state.resources
    return resources


ResourcesDep = Annotated[Resources, Depends(get_resources)]


async def get_booking(request: Request) -> BookingService:
    booking: BookingService = request.app.state.booking
    return booking


async def get_queries(request: Request) -> Queries:
    queries: Queries = request.app.state.queries
    return queries


async def get_idempotency(request: Request) -> IdempotencyStore:
    store: IdempotencyStore = request.app.state.idempotency
    return store


BookingDep = Annotated[BookingService, Depends(get_booking)]
QueriesDep = Annotated[Queries, Depends(get_queries)]
IdempotencyDep = Annotated[IdempotencyStore, Depends(get_idempotency)]
