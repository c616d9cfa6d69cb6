"""Booking operations shared by the API and the admin API (a booking "on Cal.com's own page"
goes through the same checks and fires the same webhooks): create, cancel, reschedule.

Checks in Cal.com's order (handleNewBooking): event type, not in the past, minimum notice,
a host free for the whole slot on the slot grid; then the round-robin pick.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from frontdesk.calendars.calcom.emulator import webhooks
from frontdesk.calendars.calcom.emulator.errors import (
    ALREADY_CANCELLED,
    HOSTS_UNAVAILABLE,
    IN_THE_PAST,
    OUT_OF_BOUNDS,
    CalcomError,
)
from frontdesk.calendars.calcom.emulator.model import Attendee, Booking, EventType
from frontdesk.calendars.calcom.emulator.slots import free_slots
from frontdesk.calendars.calcom.emulator.state import EmulatorState
from frontdesk.calendars.calcom.emulator.webhooks import Dispatcher
from frontdesk.domain.clock import Clock


@dataclass(frozen=True, slots=True)
class NewBooking:
    event_type_id: int
    start: datetime
    attendee: Attendee
    metadata: dict[str, str]
    host_subset: tuple[int, ...] = ()


class Desk:
    def __init__(self, state: EmulatorState, clock: Clock, dispatcher: Dispatcher) -> None:
        self._state = state
        self._clock = clock
        self._dispatcher = dispatcher

    def get(self, uid: str) -> Booking:
        booking = self._state.bookings.get(uid)
        if booking is None:
            raise CalcomError(404, f"Booking with uid={uid} was not found in the database")
        return booking

    def create(self, request: NewBooking, *, source: str = "api") -> Booking:
        kind = self._event_type(request.event_type_id)
        host = self._pick_host(kind, request.start, request.host_subset, ignore_uid=None)
        now = self._clock()
        booking = Booking(
            id=self._state.new_booking_id(),
            uid=self._state.new_uid(),
            event_type_id=kind.id,
            host_id=host,
            start=request.start,
            end=request.start + timedelta(minutes=kind.length),
            attendee=request.attendee,
            created_at=now,
            updated_at=now,
            metadata=dict(request.metadata),
            source=source,
        )
        self._state.bookings[booking.uid] = booking
        self._fire("BOOKING_CREATED", booking)
        return booking

    def cancel(self, uid: str, reason: str | None, *, cancelled_by: str | None = None) -> Booking:
        booking = self.get(uid)
        if booking.status == "cancelled":
            raise CalcomError(400, ALREADY_CANCELLED)
        booking.status = "cancelled"
        booking.cancellation_reason = reason
        booking.updated_at = self._clock()
        data = webhooks.payload(self._state.catalogue, booking, cancelled_by=cancelled_by)
        self._dispatcher.fire("BOOKING_CANCELLED", booking, data)
        return booking

    def reschedule(
        self,
        uid: str,
        start: datetime,
        *,
        reason: str | None = None,
        host_subset: Sequence[int] = (),
        source: str = "api",
    ) -> Booking:
        """Cancel ``uid`` and create its successor (new uid) in one step, as Cal.com does."""
        old = self.get(uid)
        if old.status == "cancelled":
            raise CalcomError(400, _not_reschedulable(old))
        kind = self._event_type(old.event_type_id)
        host = self._pick_host(kind, start, tuple(host_subset), ignore_uid=old.uid)
        now = self._clock()
        new = replace(
            old,
            id=self._state.new_booking_id(),
            uid=self._state.new_uid(),
            host_id=host,
            start=start,
            end=start + timedelta(minutes=kind.length),
            created_at=now,
            updated_at=now,
            metadata=dict(old.metadata),
            rescheduling_reason=reason,
            rescheduled_from_uid=old.uid,
            rescheduled_to_uid=None,
            cancellation_reason=None,
            source=source,
        )
        old.status = "cancelled"
        old.rescheduled_to_uid = new.uid
        old.updated_at = now
        self._state.bookings[new.uid] = new
        # calcom#21169: the API's reschedule has been seen firing BOOKING_REQUESTED instead.
        quirk = self._state.dice.faults.reschedule_fires_requested
        trigger = "BOOKING_REQUESTED" if quirk else "BOOKING_RESCHEDULED"
        self._dispatcher.fire(
            trigger, new, webhooks.payload(self._state.catalogue, new, previous=old)
        )
        return new

    # -- checks ------------------------------------------------------------------------------

    def _event_type(self, event_type_id: int) -> EventType:
        kind = self._state.catalogue.event_type(event_type_id)
        if kind is None:
            raise CalcomError(404, f"Event type with id={event_type_id} not found")
        return kind

    def _pick_host(
        self, kind: EventType, start: datetime, subset: tuple[int, ...], ignore_uid: str | None
    ) -> int:
        now = self._clock()
        if start < now:
            raise CalcomError(400, IN_THE_PAST)
        if start < now + timedelta(minutes=kind.minimum_notice):
            raise CalcomError(400, OUT_OF_BOUNDS)
        free = free_slots(
            kind,
            self._state.catalogue.schedules,
            self._state.bookings.values(),
            start,
            start,
            now=now,
            host_ids=subset or None,
            ignore_uid=ignore_uid,
        )
        # Outside the hours, off the grid or taken: Cal.com finds no available user.
        hosts = free.get(start)
        if not hosts:
            raise CalcomError(400, HOSTS_UNAVAILABLE)
        return self._least_recently_booked(kind, hosts)

    def _least_recently_booked(self, kind: EventType, hosts: tuple[int, ...]) -> int:
        """Cal.com's lucky user without weights: the host whose last booking of this event
        type was made longest ago (never booked first), ties in host order. Booking ids grow
        with creation, so they order bookings even when the clock stands still (tests)."""
        last: dict[int, int] = {}
        for booking in self._state.bookings.values():
            if booking.event_type_id == kind.id and booking.blocks:
                last[booking.host_id] = max(last.get(booking.host_id, 0), booking.id)
        return min(hosts, key=lambda h: (last.get(h, 0), hosts.index(h)))

    def _fire(self, trigger: str, booking: Booking) -> None:
        self._dispatcher.fire(trigger, booking, webhooks.payload(self._state.catalogue, booking))


def _not_reschedulable(old: Booking) -> str:
    # apps/api/v2 …/bookings.service.ts canRescheduleBooking: the hint names the newer uid.
    if old.rescheduled_to_uid:
        return (
            f"Can't reschedule booking with uid={old.uid} because it has been cancelled and "
            f"rescheduled already to booking with uid={old.rescheduled_to_uid}. You can "
            "reschedule the new booking."
        )
    return (
        f"Can't reschedule booking with uid={old.uid} because it has been cancelled. Please "
        "provide uid of a booking that is not cancelled."
    )
