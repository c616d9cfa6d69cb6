"""Cal.com webhook deliveries for the tests: bodies as Cal.com writes them (compact
``JSON.stringify`` of ``{triggerEvent, createdAt, payload}``), signed, and the demo salon's
secret; and a runner for the inbox job."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from tests.calendar_support import EVENT_TYPES, HOSTS
from tests.clock_support import START

from frontdesk import demo
from frontdesk.calendars.calcom.webhook import sign
from frontdesk.db.tables import Job, Tenant

EXAMPLES = Path("/work/shared/reference/calcom-webhook-examples")
SECRET = "whsec-salon-test"
SLUG = demo.TENANT_SLUG
URL = f"/calcom/webhook/{SLUG}"
_sent = iter(range(1, 1_000_000))


def vector() -> dict[str, Any]:
    """The reference signature test vector (derived from Cal.com's sendPayload.ts)."""
    data: dict[str, Any] = json.loads((EXAMPLES / "signature_test_vector.derived.json").read_text())
    return data


async def set_secret(sessions: async_sessionmaker[AsyncSession], secret: str | None) -> None:
    async with sessions() as session:
        await session.execute(
            update(Tenant).where(Tenant.id == demo.demo_id()).values(calcom_webhook_secret=secret)
        )
        await session.commit()


def envelope(trigger: str, payload: dict[str, Any], created_at: datetime | None = None) -> bytes:
    """The body Cal.com sends; each call stamps a later ``createdAt`` (Cal.com stamps per send)."""
    stamp = (created_at or START + timedelta(milliseconds=next(_sent))).astimezone(UTC)
    body = {
        "triggerEvent": trigger,
        "createdAt": stamp.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "payload": payload,
    }
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def booking(
    uid: str,
    start: datetime,
    *,
    minutes: int = 30,
    status: str = "ACCEPTED",
    service: str = "herrenhaarschnitt",
    host: str = "jonas",
    previous: str | None = None,
    ours: uuid.UUID | None = None,
    name: str = "Karla Kolumna",
    email: str | None = "karla@example.org",
    phone: str | None = None,
) -> dict[str, Any]:
    """A booking payload as handleNewBooking/handleCancelBooking build it."""
    attendee: dict[str, Any] = {
        "name": name,
        "email": email or "",
        "timeZone": "Europe/Berlin",
        "language": {"locale": "de"},
        "utcOffset": 60,
    }
    if phone:
        attendee["phoneNumber"] = phone
    payload: dict[str, Any] = {
        "type": service,
        "title": f"{service} zwischen Salon und {name}",
        "description": "",
        "additionalNotes": "",
        "customInputs": {},
        "startTime": _utc(start),
        "endTime": _utc(start + timedelta(minutes=minutes)),
        "organizer": {
            "id": HOSTS[host],
            "name": host.title(),
            "email": f"{host}@salon.example",
            "username": host,
            "timeZone": "Europe/Berlin",
            "language": {"locale": "de"},
            "timeFormat": "HH:mm",
        },
        "responses": {"name": {"label": "your_name", "value": name}},
        "userFieldsResponses": {},
        "attendees": [attendee],
        "location": "Salon",
        "eventTypeId": EVENT_TYPES[service],
        "uid": uid,
        "bookingId": abs(hash(uid)) % 100_000,
        "length": minutes,
        "metadata": {} if ours is None else {"frontdesk_appointment_id": str(ours)},
        "status": status,
    }
    if previous is not None:
        payload["rescheduleUid"] = previous
    if status == "CANCELLED":
        payload["cancelledBy"] = "karla@example.org"
        payload["cancellationReason"] = "Termin passt nicht"
    return payload


def headers(body: bytes, secret: str = SECRET) -> dict[str, str]:
    return {"Content-Type": "application/json", "X-Cal-Signature-256": sign(secret, body)}


async def inbox_jobs(sessions: async_sessionmaker[AsyncSession]) -> list[Job]:
    async with sessions() as session:
        found = await session.scalars(select(Job).where(Job.kind == "calendar.inbox"))
        return list(found)
