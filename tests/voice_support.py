"""Shared helpers for the voice API tests: a signed Retell client on the demo salon.

(A module, not a conftest, so that the voice tests stay in their own files; it has no tests.)
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine
from tests.app_support import DEMO_KEY, client_for, settings_for
from tests.clock_support import NOW, FakeClock, at
from tests.factories import make_world

from frontdesk.app import create_app
from frontdesk.db.engine import create_session_factory
from frontdesk.db.seed import seed_demo
from frontdesk.db.tables import (
    Appointment,
    Call,
    CallAppointment,
    CallFunction,
    PhoneNumber,
    Tenant,
)
from frontdesk.secrets import seal
from frontdesk.voice.signature import sign

RETELL_KEY = "test-retell-key"
SALON = "+4930123456789"
ERIKA = "+4915112345678"
STRANGER = "+4917099887766"
OTHER_SALON = "+4940123456789"
OTHER_KEY = "other-tenant-retell-key"
MAX_RESPONSE_CHARS = 1500
# A sentence ends at ".", "!" or "?" followed by a space or the end, not after a digit
# ("24. Dezember", "1. Weihnachtstag" are not sentence ends).
_SENTENCE_END = re.compile(r"(?<![0-9])[.!?](?=\s|$)")


def millis(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def sentences(message: str) -> int:
    return len(_SENTENCE_END.findall(message))


@dataclass
class RetellClient:
    """Posts bodies the way Retell does: raw JSON bytes, signed at the app's clock."""

    http: httpx.AsyncClient
    engine: AsyncEngine
    clock: FakeClock  # the app's clock: tests move it between turns of a call
    app: FastAPI
    key: str = RETELL_KEY
    calls: int = field(default=0)

    @property
    def now(self) -> datetime:
        return self.clock()

    async def settled(self) -> None:
        """Write the queued call-log records (the app writes them a few ms after answering)."""
        await self.app.state.voice.call_log.flush()

    def headers(
        self, body: bytes, key: str | None = None, at: datetime | None = None
    ) -> dict[str, str]:
        stamp = millis(at or self.now)
        return {
            "X-Retell-Signature": sign(body, key or self.key, stamp),
            "Content-Type": "application/json",
        }

    async def post(
        self, path: str, payload: dict[str, Any], key: str | None = None
    ) -> httpx.Response:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        return await self.http.post(path, content=body, headers=self.headers(body, key))

    async def fn(
        self,
        name: str,
        args: dict[str, Any] | None = None,
        *,
        call_id: str = "call_1",
        from_number: str | None = ERIKA,
        to_number: str = SALON,
        key: str | None = None,
    ) -> dict[str, Any]:
        """Call a function; assert the transport contract (200, size, two sentences)."""
        call: dict[str, Any] = {
            "call_id": call_id,
            "to_number": to_number,
            "call_type": "phone_call",
        }
        if from_number is not None:
            call["from_number"] = from_number
        payload = {"name": name, "args": args or {}, "call": call}
        response = await self.post(f"/retell/functions/{name}", payload, key)
        assert response.status_code == 200, response.text
        assert len(response.text) <= MAX_RESPONSE_CHARS, len(response.text)
        body: dict[str, Any] = response.json()
        assert 1 <= sentences(body["message"]) <= 2, body["message"]
        return body

    async def inbound(
        self, from_number: str | None = ERIKA, to_number: str = SALON
    ) -> httpx.Response:
        section: dict[str, Any] = {"to_number": to_number, "agent_id": "agent_1"}
        if from_number is not None:
            section["from_number"] = from_number
        return await self.post(
            "/retell/inbound", {"event": "call_inbound", "call_inbound": section}
        )

    async def event(self, event: str, call: dict[str, Any]) -> httpx.Response:
        return await self.post("/retell/events", {"event": event, "call": call})

    async def count(self, table: type[Any]) -> int:
        await self.settled()
        async with create_session_factory(self.engine, FakeClock())() as session:
            return int(
                (await session.execute(select(func.count()).select_from(table))).scalar_one()
            )

    async def written(self) -> int:
        """Rows a voice request could have written."""
        return sum(
            [await self.count(t) for t in (Call, CallFunction, CallAppointment, Appointment)]
        )

    async def call_row(self, retell_call_id: str = "call_1") -> Call:
        await self.settled()
        async with create_session_factory(self.engine, FakeClock())() as session:
            stmt = select(Call).where(Call.retell_call_id == retell_call_id)
            return (await session.execute(stmt)).scalar_one()

    async def functions(self, retell_call_id: str = "call_1") -> list[CallFunction]:
        call = await self.call_row(retell_call_id)
        async with create_session_factory(self.engine, FakeClock())() as session:
            rows = await session.execute(
                select(CallFunction)
                .where(CallFunction.call_id == call.id)
                .order_by(CallFunction.created_at, CallFunction.id)
            )
            return list(rows.scalars())

    async def links(self, retell_call_id: str = "call_1") -> list[tuple[uuid.UUID, str]]:
        call = await self.call_row(retell_call_id)
        async with create_session_factory(self.engine, FakeClock())() as session:
            rows = await session.execute(
                select(CallAppointment.appointment_id, CallAppointment.action).where(
                    CallAppointment.call_id == call.id
                )
            )
            return [(r[0], r[1]) for r in rows.all()]

    async def appointments(self) -> list[Appointment]:
        async with create_session_factory(self.engine, FakeClock())() as session:
            rows = await session.execute(select(Appointment).order_by(Appointment.starts_at))
            return list(rows.scalars())


async def seed(engine: AsyncEngine) -> None:
    async with create_session_factory(engine, FakeClock())() as session:
        await seed_demo(session, api_key=DEMO_KEY, password="demo-password")


async def add_other_salon(engine: AsyncEngine) -> uuid.UUID:
    """A second tenant with its own dialled number and its own Retell key."""
    async with create_session_factory(engine, FakeClock())() as session:
        world = await make_world(session, slug="other")
        tenant = await session.get(Tenant, world.tenant_id)
        assert tenant is not None
        tenant.retell_api_key = seal(SecretStr(OTHER_KEY), None)
        session.add(
            PhoneNumber(tenant_id=world.tenant_id, branch_id=world.branch_id, e164=OTHER_SALON)
        )
        await session.commit()
        return world.tenant_id


# The voice deadline for tests about what a function answers, not about when: 2.5 s of wall
# clock is a speed assertion in disguise, and a loaded machine — or libfaketime under the
# shifted-clock runs, which slows every hand-over between aiosqlite's thread and the event loop
# by a factor of 10-30 — misses it. Tests of the deadline itself keep the real one (or set a
# short one) explicitly.
GENEROUS_DEADLINE_S = 30.0


async def retell_client(
    engine: AsyncEngine,
    now: datetime = NOW,
    function_deadline: float | None = None,
    **settings: object,
) -> AsyncIterator[RetellClient]:
    """``function_deadline``: the voice functions' deadline, and how long a call event's write
    is waited for before the webhook is answered (None: the production ones)."""
    overrides: dict[str, object] = {"retell_api_key": RETELL_KEY, **settings}
    clock = FakeClock(now)
    app = create_app(settings_for(engine, **overrides), clock=clock)
    async for http in client_for(app):
        if function_deadline is not None:
            app.state.voice.functions.deadline = function_deadline
            app.state.voice.event_writes.answer_s = function_deadline
        yield RetellClient(http, engine, clock, app)


@pytest.fixture(name="retell")
async def retell_fixture(db: AsyncEngine) -> AsyncIterator[RetellClient]:
    """The demo salon seeded, the clock at NOW, requests signed with the fallback key."""
    await seed(db)
    async for client in retell_client(db, function_deadline=GENEROUS_DEADLINE_S):
        yield client


# Call events as Retell sends them for one call (call_ev) of Erika's to the salon.
START = millis(at(1, 9, 0))
END = millis(at(1, 9, 3))


def started() -> dict[str, Any]:
    return {
        "call_id": "call_ev",
        "to_number": SALON,
        "from_number": ERIKA,
        "direction": "inbound",
        "agent_id": "agent_1",
        "call_status": "ongoing",
        "start_timestamp": START,
    }


def ended() -> dict[str, Any]:
    return {
        **started(),
        "call_status": "ended",
        "end_timestamp": END,
        "duration_ms": END - START,
        "disconnection_reason": "user_hangup",
        "transcript": "Agent: Salon Sonnenschein, guten Tag.\nUser: Hallo, hier ist Jürgen.",
    }


def analyzed() -> dict[str, Any]:
    return {
        **ended(),
        "call_analysis": {
            "call_summary": "Der Anrufer hat einen Termin gebucht.",
            "user_sentiment": "Positive",
            "call_successful": True,
        },
    }
