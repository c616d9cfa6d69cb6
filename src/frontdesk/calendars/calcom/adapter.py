"""Cal.com behind the calendar port: our ids and times in, Cal.com's requests out.

The port speaks in opaque strings (event type, host); here they are Cal.com's integer ids.
Our appointment id, the call id and the source travel in the booking's ``metadata`` so that
``find`` recognises our booking after a lost answer (Cal.com has no idempotency key).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta

from frontdesk.calendars.calcom.client import CalcomClient
from frontdesk.calendars.calcom.schemas import Booking, NewBooking, NewBookingAttendee
from frontdesk.calendars.port import Attendee, BookingRequest, ExternalBooking, FreeSlot
from frontdesk.resilience.deadline import Deadline

# Metadata keys of a booking frontdesk wrote (Cal.com: ≤ 40 characters per key).
APPOINTMENT_KEY = "frontdesk_appointment_id"
CALL_KEY = "frontdesk_call_id"
SOURCE_KEY = "frontdesk_source"
# A phone caller often has no e-mail, while Cal.com's default booking form requires one: the
# booking then carries a reserved, undeliverable address (RFC 2606 ``.invalid``) made from
# the phone number, so Cal.com accepts it and nobody is mailed by mistake.
GUEST_DOMAIN = "guest.frontdesk.invalid"
# A look-up searches this far around the start we asked for (a host's zone cannot move it more).
LOOKUP_MARGIN = timedelta(days=1)


class CalcomCalendar:
    """One tenant's Cal.com team as a ``CalendarPort``."""

    def __init__(self, client: CalcomClient, *, team_id: int | None) -> None:
        self._client = client
        self._team_id = team_id

    def __repr__(self) -> str:
        return f"CalcomCalendar(team_id={self._team_id!r}, client={self._client!r})"

    async def free_slots(
        self,
        event_type: str,
        start: datetime,
        end: datetime,
        *,
        time_zone: str,
        hosts: Sequence[str] = (),
        deadline: Deadline,
    ) -> Mapping[date, Sequence[FreeSlot]]:
        found = await self._client.slots(
            int(event_type),
            start,
            end,
            time_zone=time_zone,
            host_ids=[int(h) for h in hosts],
            deadline=deadline,
        )
        return {
            day: tuple(FreeSlot(s.start, s.end or s.start) for s in slots)
            for day, slots in found.items()
        }

    async def create(self, request: BookingRequest, *, deadline: Deadline) -> ExternalBooking:
        body = NewBooking(
            event_type_id=int(request.event_type),
            start=request.start,
            attendee=NewBookingAttendee(
                name=request.attendee.name,
                time_zone=request.attendee.time_zone,
                email=request.attendee.email or guest_email(request.attendee.phone),
                phone_number=request.attendee.phone,
                language=request.attendee.language,
            ),
            metadata=_metadata(request),
            rr_host_subset_ids=(int(request.host),) if request.host else None,
        )
        return external(await self._client.create_booking(body, deadline=deadline))

    async def find(
        self,
        appointment_id: uuid.UUID,
        *,
        event_type: str,
        around: datetime,
        deadline: Deadline,
    ) -> ExternalBooking | None:
        found = await self._client.find_booking(
            metadata_key=APPOINTMENT_KEY,
            value=str(appointment_id),
            starts_from=around - LOOKUP_MARGIN,
            starts_before=around + LOOKUP_MARGIN,
            team_id=self._team_id,
            event_type_id=int(event_type),
            deadline=deadline,
        )
        return None if found is None else external(found)

    async def list_bookings(
        self, start: datetime, end: datetime, *, deadline: Deadline
    ) -> Sequence[ExternalBooking]:
        found = await self._client.team_bookings(
            team_id=self._team_id, starts_from=start, starts_before=end, deadline=deadline
        )
        return tuple(external(b) for b in found)

    async def cancel(
        self, uid: str, *, reason: str | None = None, deadline: Deadline
    ) -> ExternalBooking:
        return external(await self._client.cancel_booking(uid, reason=reason, deadline=deadline))

    async def reschedule(
        self,
        uid: str,
        start: datetime,
        *,
        host: str | None = None,
        reason: str | None = None,
        deadline: Deadline,
    ) -> ExternalBooking:
        moved = await self._client.reschedule_booking(
            uid,
            start,
            reason=reason,
            host_ids=(int(host),) if host else (),
            deadline=deadline,
        )
        return external(moved, previous_uid=uid)


def _metadata(request: BookingRequest) -> dict[str, str]:
    data = {APPOINTMENT_KEY: str(request.appointment_id), SOURCE_KEY: request.source}
    if request.call_id:
        data[CALL_KEY] = request.call_id
    return data


def guest_email(phone: str | None) -> str:
    """The reserved address for a caller without e-mail (see ``GUEST_DOMAIN``)."""
    local = re.sub(r"\D", "", phone or "") or "unknown"
    return f"caller-{local}@{GUEST_DOMAIN}"


def external(booking: Booking, *, previous_uid: str | None = None) -> ExternalBooking:
    """Cal.com's booking in the port's terms."""
    raw = booking.metadata.get(APPOINTMENT_KEY)
    try:
        appointment_id = uuid.UUID(str(raw)) if raw else None
    except ValueError:
        appointment_id = None
    event_type = booking.booked_event_type_id
    return ExternalBooking(
        uid=booking.uid,
        event_type=None if event_type is None else str(event_type),
        start=booking.start,
        end=booking.end,
        status=booking.status,
        hosts=tuple(str(h.id) for h in booking.hosts),
        appointment_id=appointment_id,
        previous_uid=previous_uid or booking.rescheduled_from_uid,
        metadata={k: str(v) for k, v in booking.metadata.items()},
        attendee=_attendee(booking),
    )


def _attendee(booking: Booking) -> Attendee | None:
    if not booking.attendees:
        return None
    first = booking.attendees[0]
    return Attendee(
        name=first.name,
        time_zone=first.time_zone,
        email=first.email,
        phone=first.phone_number,
        language=first.language or "de",
    )
