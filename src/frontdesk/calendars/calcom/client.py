"""An async client for the Cal.com API v2 subset frontdesk uses, one instance per tenant.

Each method is one request through ``Transport`` (deadline, breaker, rate budget, retries,
error mapping) and returns typed models. Which requests are idempotent decides whether a
failure may be retried: reads, cancel and webhook deletes are; create and reschedule make a
new booking each time and are not. Paths, parameters and bodies are checked against Cal.com's
OpenAPI document by the contract tests (tests/contract/).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import httpx
from pydantic import SecretStr, TypeAdapter, ValidationError

from frontdesk.calendars.calcom.schemas import (
    Booking,
    Me,
    Membership,
    NewBooking,
    NewWebhook,
    Pagination,
    Slot,
    SlotsByDay,
    Team,
    TeamEventType,
    Webhook,
    utc_text,
)
from frontdesk.calendars.calcom.transport import DEFAULT_BASE_URL, Guard, Transport
from frontdesk.calendars.errors import CalendarRejected, CalendarUnavailable
from frontdesk.observability.logging import get_logger
from frontdesk.resilience.deadline import Deadline

# Cal.com's page size limits: bookings take ≤ 250, memberships and webhooks likewise.
PAGE = 100
# A look-up by metadata reads at most this many pages (each one request of the rate budget).
LOOKUP_PAGES = 5
# The reconciliation's listing stops here (2,000 bookings): a window larger than that is
# refused rather than read in part, since a partial listing would look like missing bookings.
LISTING_PAGES = 20
# Cal.com's answer to a second cancel of the same booking (lowercased for matching).
ALREADY_CANCELLED = "already been cancelled"

_TEAMS = TypeAdapter(tuple[Team, ...])
_MEMBERSHIPS = TypeAdapter(tuple[Membership, ...])
_EVENT_TYPES = TypeAdapter(tuple[TeamEventType, ...])
_SLOTS = TypeAdapter(dict[date, tuple[Slot, ...]])
_WEBHOOKS = TypeAdapter(tuple[Webhook, ...])

log = get_logger(__name__)


class CalcomClient:
    """Cal.com for one tenant. Build with ``CalcomClient.for_tenant``."""

    def __init__(self, transport: Transport) -> None:
        self._t = transport

    @classmethod
    def for_tenant(
        cls,
        http: httpx.AsyncClient,
        *,
        tenant: str,
        api_key: SecretStr,
        guard: Guard,
        base_url: str = DEFAULT_BASE_URL,
    ) -> CalcomClient:
        return cls(Transport(http, base_url=base_url, api_key=api_key, tenant=tenant, guard=guard))

    def __repr__(self) -> str:
        return f"CalcomClient({self._t!r})"

    # -- account and team -------------------------------------------------------------------

    async def me(self, *, deadline: Deadline | None = None) -> Me:
        data = await self._get("me", "/v2/me", None, deadline)
        return Me.model_validate(data)

    async def teams(self, *, deadline: Deadline | None = None) -> tuple[Team, ...]:
        return _TEAMS.validate_python(await self._get("teams", "/v2/teams", None, deadline))

    async def memberships(
        self, team_id: int, *, deadline: Deadline | None = None
    ) -> tuple[Membership, ...]:
        """All members of the team (their e-mails map hosts to our staff)."""
        members: list[Membership] = []
        for skip in range(0, 10_000, PAGE):
            page = _MEMBERSHIPS.validate_python(
                await self._get(
                    "memberships",
                    f"/v2/teams/{team_id}/memberships",
                    None,
                    deadline,
                    {"take": str(PAGE), "skip": str(skip)},
                )
            )
            members.extend(page)
            if len(page) < PAGE:
                break
        return tuple(members)

    async def team_event_types(
        self, team_id: int, *, deadline: Deadline | None = None
    ) -> tuple[TeamEventType, ...]:
        """The team's event types with their hosts (``GET /v2/event-types/{id}`` answers 404
        for team event types, so the team listing is the way)."""
        data = await self._get(
            "team_event_types", f"/v2/teams/{team_id}/event-types", "event_types", deadline
        )
        return _EVENT_TYPES.validate_python(data)

    # -- availability -----------------------------------------------------------------------

    async def slots(
        self,
        event_type_id: int,
        start: datetime,
        end: datetime,
        *,
        time_zone: str,
        duration: int | None = None,
        host_ids: Sequence[int] = (),
        rescheduling_uid: str | None = None,
        deadline: Deadline | None = None,
    ) -> SlotsByDay:
        """Free starts in ``[start, end]``, keyed by day in ``time_zone``.

        ``start``/``end`` go out as UTC instants (Cal.com reads bare dates as UTC days), so a
        day key may differ from the UTC date of the window's edges; callers key by the slot.
        """
        params = {
            "eventTypeId": str(event_type_id),
            "start": utc_text(start),
            "end": utc_text(end),
            "timeZone": time_zone,
            "format": "range",
        }
        if duration is not None:
            params["duration"] = str(duration)
        if host_ids:
            params["rrHostSubsetIds"] = ",".join(str(h) for h in host_ids)
        if rescheduling_uid:
            params["bookingUidToReschedule"] = rescheduling_uid
        data = await self._get("slots", "/v2/slots", "slots", deadline, params)
        return _SLOTS.validate_python(data)

    # -- bookings ---------------------------------------------------------------------------

    async def create_booking(
        self, booking: NewBooking, *, deadline: Deadline | None = None
    ) -> Booking:
        """Create a booking. Not idempotent: after ``CalendarUnavailable(maybe_applied=True)``
        call ``find_booking`` before trying again."""
        data = await self._t.call(
            "create_booking",
            "POST",
            "/v2/bookings",
            family="bookings",
            idempotent=False,
            deadline=deadline,
            body=booking.body(),
        )
        return _one_booking(data)

    async def get_booking(self, uid: str, *, deadline: Deadline | None = None) -> Booking:
        return _one_booking(
            await self._get("get_booking", f"/v2/bookings/{uid}", "bookings", deadline)
        )

    async def list_bookings(
        self,
        *,
        team_id: int | None = None,
        after_start: datetime | None = None,
        before_end: datetime | None = None,
        skip: int = 0,
        take: int = PAGE,
        deadline: Deadline | None = None,
    ) -> tuple[tuple[Booking, ...], Pagination]:
        """One page of bookings. ``teamId`` is the filter that reaches a team's bookings
        (``eventTypeId`` filters only event types that belong to the key's user). The time
        filters are sent but have been reported ignored (cal.diy#18010): filter the result."""
        params = {"take": str(take), "skip": str(skip), "sortStart": "asc"}
        if team_id is not None:
            params["teamId"] = str(team_id)
        if after_start is not None:
            params["afterStart"] = utc_text(after_start)
        if before_end is not None:
            params["beforeEnd"] = utc_text(before_end)
        data, pagination = await self._page("list_bookings", "/v2/bookings", params, deadline)
        return _bookings(data), pagination

    async def find_booking(
        self,
        *,
        metadata_key: str,
        value: str,
        starts_from: datetime,
        starts_before: datetime,
        team_id: int | None = None,
        event_type_id: int | None = None,
        deadline: Deadline | None = None,
    ) -> Booking | None:
        """The booking whose ``metadata[metadata_key] == value`` (our appointment id), starting
        in ``[starts_from, starts_before)``, or None. Cal.com cannot filter by metadata and may
        ignore the time filters, so both are applied here, page by page."""
        for page_no in range(LOOKUP_PAGES):
            page, pagination = await self.list_bookings(
                team_id=team_id,
                after_start=starts_from,
                before_end=starts_before,
                skip=page_no * PAGE,
                deadline=deadline,
            )
            for booking in page:
                if not starts_from <= booking.start < starts_before:
                    continue
                if event_type_id is not None and booking.booked_event_type_id != event_type_id:
                    continue
                if str(booking.metadata.get(metadata_key, "")) == value:
                    return booking
            if not pagination.has_next_page:
                return None
        log.warning("calcom_lookup_truncated", tenant=self._t.tenant, pages=LOOKUP_PAGES)
        return None

    async def team_bookings(
        self,
        *,
        team_id: int | None,
        starts_from: datetime,
        starts_before: datetime,
        deadline: Deadline | None = None,
    ) -> tuple[Booking, ...]:
        """Every booking of the team starting in ``[starts_from, starts_before)``, all pages;
        the time filter is applied here too (Cal.com may ignore it). Raises
        ``CalendarUnavailable`` rather than return a truncated listing."""
        found: list[Booking] = []
        for page_no in range(LISTING_PAGES):
            page, pagination = await self.list_bookings(
                team_id=team_id,
                after_start=starts_from,
                before_end=starts_before,
                skip=page_no * PAGE,
                take=PAGE,
                deadline=deadline,
            )
            found.extend(b for b in page if starts_from <= b.start < starts_before)
            if not pagination.has_next_page:
                return tuple(found)
        raise CalendarUnavailable(
            f"more than {LISTING_PAGES * PAGE} bookings in the window",
            reason="truncated",
            maybe_applied=False,
        )

    async def cancel_booking(
        self, uid: str, *, reason: str | None = None, deadline: Deadline | None = None
    ) -> Booking:
        """Cancel; repeating it cannot create anything, so it is retried like a read.

        Cal.com refuses to cancel a booking twice (400 "This booking has already been
        cancelled.", handleCancelBooking). A retry after a lost answer meets exactly that, so
        the refusal is checked against the booking: cancelled and not moved elsewhere by a
        reschedule means done. A booking that was rescheduled lives on under another uid:
        that refusal stands.
        """
        body = {"cancellationReason": reason} if reason else {}
        try:
            data = await self._t.call(
                "cancel_booking",
                "POST",
                f"/v2/bookings/{uid}/cancel",
                family="bookings",
                idempotent=True,
                deadline=deadline,
                body=body,
            )
        except CalendarRejected as exc:
            if ALREADY_CANCELLED not in str(exc).lower():
                raise
            booking = await self.get_booking(uid, deadline=deadline)
            if booking.status != "cancelled" or booking.rescheduled_to_uid:
                raise
            return booking
        return _one_booking(data)

    async def reschedule_booking(
        self,
        uid: str,
        start: datetime,
        *,
        reason: str | None = None,
        host_ids: Sequence[int] = (),
        deadline: Deadline | None = None,
    ) -> Booking:
        """Move a booking. Cal.com cancels ``uid`` and answers with a *new* booking (new uid,
        ``rescheduledFromUid`` = ``uid``). Not idempotent, like create."""
        body: dict[str, Any] = {"start": utc_text(start)}
        if reason:
            body["reschedulingReason"] = reason
        if host_ids:
            body["rrHostSubsetIds"] = list(host_ids)
        data = await self._t.call(
            "reschedule_booking",
            "POST",
            f"/v2/bookings/{uid}/reschedule",
            family="bookings",
            idempotent=False,
            deadline=deadline,
            body=body,
        )
        return _one_booking(data)

    # -- webhooks of team event types --------------------------------------------------------

    async def event_type_webhooks(
        self, team_id: int, event_type_id: int, *, deadline: Deadline | None = None
    ) -> tuple[Webhook, ...]:
        path = f"/v2/teams/{team_id}/event-types/{event_type_id}/webhooks"
        return _WEBHOOKS.validate_python(await self._get("list_webhooks", path, None, deadline))

    async def create_event_type_webhook(
        self,
        team_id: int,
        event_type_id: int,
        webhook: NewWebhook,
        *,
        deadline: Deadline | None = None,
    ) -> Webhook:
        """Subscribe to one team event type's bookings. User-level webhooks (``/v2/webhooks``)
        are not called for team event types; this is the way (needs a team admin's key)."""
        data = await self._t.call(
            "create_webhook",
            "POST",
            f"/v2/teams/{team_id}/event-types/{event_type_id}/webhooks",
            family=None,
            idempotent=False,
            deadline=deadline,
            body=webhook.body(),
        )
        return Webhook.model_validate(data)

    async def delete_event_type_webhook(
        self, team_id: int, event_type_id: int, webhook_id: int, *, deadline: Deadline | None = None
    ) -> None:
        await self._t.call(
            "delete_webhook",
            "DELETE",
            f"/v2/teams/{team_id}/event-types/{event_type_id}/webhooks/{webhook_id}",
            family=None,
            idempotent=True,
            deadline=deadline,
        )

    # -- helpers ----------------------------------------------------------------------------

    async def _get(
        self,
        operation: str,
        path: str,
        family: str | None,
        deadline: Deadline | None,
        params: dict[str, str] | None = None,
    ) -> Any:
        return await self._t.call(
            operation, "GET", path, family=family, idempotent=True, deadline=deadline, params=params
        )

    async def _page(
        self, operation: str, path: str, params: dict[str, str], deadline: Deadline | None
    ) -> tuple[Any, Pagination]:
        envelope = await self._t.call(
            operation,
            "GET",
            path,
            family="bookings",
            idempotent=True,
            deadline=deadline,
            params=params,
            envelope=True,
        )
        return envelope.get("data") or [], Pagination.model_validate(envelope["pagination"])


def _one_booking(data: Any) -> Booking:
    if isinstance(data, list):
        # Recurring series come back as arrays; frontdesk books single appointments only.
        raise CalendarRejected("Cal.com answered with a recurring series; not supported")
    return Booking.model_validate(data)


def _bookings(items: Any) -> tuple[Booking, ...]:
    found = []
    for item in items or []:
        try:
            found.append(Booking.model_validate(item))
        except ValidationError:
            # Recurring or seated shapes: frontdesk never creates those, so none is ours.
            log.debug(
                "calcom_booking_skipped", uid=item.get("uid") if isinstance(item, dict) else None
            )
    return tuple(found)
