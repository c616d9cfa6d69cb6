"""Webhook deliveries with Cal.com's semantics (calcom.md §2.2–2.4).

Body: ``JSON.stringify({triggerEvent, createdAt, payload})`` — compact, non-ASCII as is —
with ``X-Cal-Signature-256`` = hex HMAC-SHA256(secret, body), or ``no-secret-provided``.
One POST per subscriber of the event type whose triggers include the event; a failure is
logged and never retried. Sends run as background tasks (Cal.com awaits them inline; the
emulator does not let a slow subscriber slow the API down — a documented deviation).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from frontdesk.calendars.calcom.emulator import render
from frontdesk.calendars.calcom.emulator.model import Booking, Catalogue, Member, Webhook
from frontdesk.calendars.calcom.emulator.state import Delivery, EmulatorState
from frontdesk.domain.clock import Clock

NO_SECRET = "no-secret-provided"
SIGNATURE_HEADER = "X-Cal-Signature-256"
Sleep = Callable[[float], Awaitable[None]]


def signature(secret: str | None, body: bytes) -> str:
    if not secret:
        return NO_SECRET
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def body_bytes(trigger: str, created_at: datetime, payload: dict[str, Any]) -> bytes:
    """What ``JSON.stringify`` writes: no spaces, non-ASCII characters unescaped."""
    envelope = {
        "triggerEvent": trigger,
        "createdAt": render.api_time(created_at),
        "payload": payload,
    }
    return json.dumps(envelope, separators=(",", ":"), ensure_ascii=False).encode()


def payload(
    catalogue: Catalogue,
    booking: Booking,
    *,
    previous: Booking | None = None,
    cancelled_by: str | None = None,
) -> dict[str, Any]:
    """``CalendarEvent`` + event-type info + booking extras, as handleNewBooking and
    handleCancelBooking build it (uppercase status, UTC times without milliseconds)."""
    kind = catalogue.event_type(booking.event_type_id)
    host = catalogue.member(booking.host_id)
    team = catalogue.team(kind.team_id) if kind else None
    attendee: dict[str, Any] = {
        "name": booking.attendee.name,
        "email": booking.attendee.email,
        "timeZone": booking.attendee.time_zone,
        "language": {"locale": booking.attendee.language},
        "utcOffset": _utc_offset(booking.start, booking.attendee.time_zone),
    }
    if booking.attendee.phone_number:
        attendee["phoneNumber"] = booking.attendee.phone_number
    data: dict[str, Any] = {
        "type": kind.slug if kind else "",
        "title": render.title(catalogue, booking),
        "description": "",
        "additionalNotes": "",
        "customInputs": {},
        "startTime": _webhook_time(booking.start),
        "endTime": _webhook_time(booking.end),
        "organizer": _organizer(host, booking.start),
        "responses": {k: {"label": k, "value": v} for k, v in render.responses(booking).items()},
        "userFieldsResponses": {},
        "attendees": [attendee],
        "location": "",
        "uid": booking.uid,
        "bookingId": booking.id,
        "eventTypeId": booking.event_type_id,
        "status": booking.status.upper(),
        "metadata": dict(booking.metadata),
        "iCalUID": f"{booking.uid}@Cal.com",
        "eventTitle": kind.title if kind else "",
        "eventDescription": "",
        "requiresConfirmation": False,
        "price": 0,
        "currency": "eur",
        "length": kind.length if kind else None,
        "schedulingType": "ROUND_ROBIN",
        "team": {"name": team.name, "members": [], "id": team.id} if team else None,
        "destinationCalendar": None,
        "hideCalendarNotes": False,
    }
    if booking.attendee.phone_number:
        data["smsReminderNumber"] = booking.attendee.phone_number
    if previous is not None:
        data.update(
            rescheduleId=previous.id,
            rescheduleUid=previous.uid,
            rescheduleStartTime=_webhook_time(previous.start),
            rescheduleEndTime=_webhook_time(previous.end),
            rescheduledBy=None,
        )
    if booking.status == "cancelled":
        data.update(cancelledBy=cancelled_by or "", cancellationReason=booking.cancellation_reason)
    return data


def _organizer(host: Member, start: datetime) -> dict[str, Any]:
    return {
        "id": host.user_id,
        "name": host.name,
        "email": host.email,
        "username": host.username,
        "timeZone": host.time_zone,
        "language": {"locale": host.locale},
        "timeFormat": "HH:mm",
        "utcOffset": _utc_offset(start, host.time_zone),
    }


def _webhook_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _utc_offset(moment: datetime, time_zone: str) -> int:
    offset = moment.astimezone(ZoneInfo(time_zone)).utcoffset()
    return int(offset.total_seconds() // 60) if offset else 0


class Dispatcher:
    """Sends the deliveries of an event to its subscribers in background tasks."""

    def __init__(
        self,
        state: EmulatorState,
        clock: Clock,
        http: httpx.AsyncClient | None = None,
        *,
        enabled: bool = True,
        timeout: float = 5.0,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._state = state
        self._clock = clock
        self._http = http
        self._own_http = http is None
        self.enabled = enabled
        self._timeout = timeout
        self._sleep = sleep
        self._tasks: set[asyncio.Task[None]] = set()

    def fire(self, trigger: str, booking: Booking, data: dict[str, Any]) -> None:
        """Queue one POST per active subscriber of the booking's event type to ``trigger``."""
        body = body_bytes(trigger, self._clock(), data)
        dice = self._state.dice
        for hook in self._subscribers(booking.event_type_id, trigger):
            if not self.enabled:
                self._record(hook, trigger, booking.uid, "not sent (delivery off)")
                continue
            if dice.hit(dice.faults.webhook_drop_rate):
                self._record(hook, trigger, booking.uid, "dropped")
                continue
            copies = 2 if dice.hit(dice.faults.webhook_duplicate_rate) else 1
            for _ in range(copies):
                task = asyncio.create_task(
                    self._send(hook, trigger, booking.uid, body, dice.reorder_delay())
                )
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)

    def _subscribers(self, event_type_id: int, trigger: str) -> list[Webhook]:
        return [
            w
            for w in self._state.webhooks.values()
            if w.active and w.event_type_id == event_type_id and trigger in w.triggers
        ]

    async def _send(self, hook: Webhook, trigger: str, uid: str, body: bytes, delay: float) -> None:
        if delay:
            await self._sleep(delay)
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: signature(hook.secret, body),
        }
        try:
            response = await self._client().post(
                hook.subscriber_url, content=body, headers=headers, timeout=self._timeout
            )
            outcome = f"delivered {response.status_code}"
        except httpx.HTTPError as exc:
            # Cal.com logs the failure and moves on: no retry, no dead-letter queue.
            outcome = f"failed {type(exc).__name__}"
        self._record(hook, trigger, uid, outcome)

    def _client(self) -> httpx.AsyncClient:
        if self._http is None:
            # 3xx are not followed, like Cal.com's fetch with redirect: "manual".
            self._http = httpx.AsyncClient(follow_redirects=False)
        return self._http

    def _record(self, hook: Webhook, trigger: str, uid: str, outcome: str) -> None:
        self._state.deliveries.append(
            Delivery(hook.id, hook.subscriber_url, trigger, uid, outcome, self._clock())
        )

    async def drain(self) -> None:
        """Wait for every queued delivery (tests; shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def aclose(self) -> None:
        await self.drain()
        if self._own_http and self._http is not None:
            await self._http.aclose()
            self._http = None
