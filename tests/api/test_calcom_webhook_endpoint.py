"""``POST /calcom/webhook/{tenant_slug}`` through the ASGI app: Cal.com's signature over the raw
bytes (the reference vector), refusals that write nothing and never log the body, the inbox's
dedupe, PING and unknown triggers, the size cap — and a slot booked on Cal.com's page that the
agent stops offering as soon as the webhook's job has run."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from tests.app_support import DEMO_KEY, client_for, settings_for
from tests.booking_support import HERREN
from tests.calcom_webhook_support import (
    EXAMPLES,
    SECRET,
    URL,
    booking,
    envelope,
    headers,
    inbox_jobs,
    set_secret,
    vector,
)
from tests.calendar_support import every, link_demo, mirror_day
from tests.clock_support import NOW, FakeClock, at
from tests.log_support import LogCapture

from frontdesk.app import create_app
from frontdesk.booking import calendar_inbox as inbox_module
from frontdesk.booking.calendar_inbox_job import process_webhook
from frontdesk.db.engine import create_session_factory
from frontdesk.db.seed import seed_demo
from frontdesk.db.tables import Job, WebhookInbox
from frontdesk.domain.model import InboxStatus
from frontdesk.jobs.registry import JobContext
from frontdesk.observability import requests as requests_module
from frontdesk.settings import Settings

DAY = at(2, 9).date()


@pytest.fixture
async def sessions(db: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    factory = create_session_factory(db, FakeClock())
    async with factory() as session:
        await seed_demo(session, api_key=DEMO_KEY, password="demo-password")
    await set_secret(factory, SECRET)
    return factory


@pytest.fixture
def app(db: AsyncEngine, sessions: async_sessionmaker[AsyncSession]) -> FastAPI:
    return create_app(settings_for(db), clock=lambda: NOW)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async for c in client_for(app):
        yield c


async def _counts(sessions: async_sessionmaker[AsyncSession]) -> tuple[int, int]:
    async with sessions() as s:
        inbox = await s.scalar(select(func.count()).select_from(WebhookInbox))
        jobs = await s.scalar(select(func.count()).select_from(Job))
    return int(inbox or 0), int(jobs or 0)


async def _stored(sessions: async_sessionmaker[AsyncSession]) -> list[WebhookInbox]:
    async with sessions() as s:
        return list(await s.scalars(select(WebhookInbox).order_by(WebhookInbox.received_at)))


def _flat(events: list[dict[str, Any]]) -> str:
    return " ".join(f"{k}={v}" for event in events for k, v in event.items())


async def test_the_reference_vector_is_taken_stored_once_and_queued(
    client: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    data = vector()
    await set_secret(sessions, data["secret"])
    body = data["raw_body"].encode()
    sent = {"X-Cal-Signature-256": data["expected_signature_hex"]}
    answer = await client.post(URL, content=body, headers=sent)
    assert answer.status_code == 200
    assert answer.json() == {"status": "accepted"}
    [row] = await _stored(sessions)
    assert (row.provider, row.event_type, row.status) == (
        "calcom",
        "BOOKING_CREATED",
        InboxStatus.RECEIVED,
    )
    assert row.payload["payload"]["uid"] == "bFJeNb2uX8ANpT3JL5EfXw"
    assert row.received_at == NOW
    [job] = await inbox_jobs(sessions)
    assert job.payload == {"inbox_id": str(row.id)}
    # The same bytes again (a replay, a redelivery): 200 and nothing new.
    again = await client.post(URL, content=body, headers=sent)
    assert (again.status_code, again.json()) == (200, {"status": "duplicate"})
    assert await _counts(sessions) == (1, 1)


@pytest.mark.parametrize(
    ("sent", "secret"),
    [
        pytest.param({}, SECRET, id="unsigned"),
        pytest.param({"X-Cal-Signature-256": "0" * 64}, SECRET, id="forged"),
        pytest.param({"X-Cal-Signature-256": "no-secret-provided"}, SECRET, id="no-secret-sent"),
        pytest.param({"X-Cal-Signature-256": "RIGHT"}, "other-secret", id="other-secret"),
        pytest.param({"X-Cal-Signature-256": "RIGHT"}, None, id="tenant-without-secret"),
    ],
)
async def test_a_wrong_or_missing_signature_is_401_with_nothing_written_or_logged(
    client: httpx.AsyncClient,
    sessions: async_sessionmaker[AsyncSession],
    logs_of: LogCapture,
    sent: dict[str, str],
    secret: str | None,
) -> None:
    body = envelope("BOOKING_CREATED", booking("secret-uid-42", at(2, 10), name="Geheim Name"))
    if sent.get("X-Cal-Signature-256") == "RIGHT":
        sent = headers(body, SECRET)
    await set_secret(sessions, secret)
    with logs_of(inbox_module, requests_module) as logs:
        answer = await client.post(URL, content=body, headers=sent)
    assert answer.status_code == 401
    assert answer.json()["code"] == "unauthorized"
    assert await _counts(sessions) == (0, 0)
    assert [e["event"] for e in logs if e["log_level"] == "warning"] == ["calcom_webhook_refused"]
    assert "secret-uid-42" not in _flat(logs)
    assert "Geheim" not in _flat(logs)


async def test_an_unknown_tenant_is_404_with_nothing_written_or_logged(
    client: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession], logs_of: LogCapture
) -> None:
    body = envelope("BOOKING_CREATED", booking("secret-uid-42", at(2, 10)))
    with logs_of(inbox_module) as logs:
        answer = await client.post("/calcom/webhook/nobody", content=body, headers=headers(body))
    assert answer.status_code == 404
    assert answer.json()["code"] == "unknown_tenant"
    assert await _counts(sessions) == (0, 0)
    assert [e["event"] for e in logs if e["log_level"] == "warning"] == ["calcom_webhook_refused"]
    assert "secret-uid-42" not in _flat(logs)


async def test_an_oversized_body_is_413_before_it_is_read(
    client: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    body = envelope("BOOKING_CREATED", {**booking("u", at(2, 10)), "description": "x" * 300_000})
    answer = await client.post(URL, content=body, headers=headers(body))
    assert answer.status_code == 413
    assert await _counts(sessions) == (0, 0)


@pytest.mark.parametrize(
    "body", [b"not json", b"[1, 2]", b'{"payload": {}}', b'{"triggerEvent": 5}', b"[" * 5000]
)
async def test_a_signed_body_that_is_no_envelope_is_400(
    client: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession], body: bytes
) -> None:
    answer = await client.post(URL, content=body, headers=headers(body))
    assert answer.status_code == 400
    assert answer.json()["code"] == "invalid_body"
    assert await _counts(sessions) == (0, 0)


async def test_ping_is_stored_as_done_without_a_job(
    client: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    example = json.loads((EXAMPLES / "ping.derived.json").read_text())["example"]
    body = envelope("PING", example["payload"])
    answer = await client.post(URL, content=body, headers=headers(body))
    assert (answer.status_code, answer.json()) == (200, {"status": "ping"})
    [row] = await _stored(sessions)
    assert (row.status, row.error, row.processed_at) == (InboxStatus.PROCESSED, None, NOW)
    assert await inbox_jobs(sessions) == []


async def test_an_unknown_trigger_is_200_logged_and_marked_ignored(
    client: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession], logs_of: LogCapture
) -> None:
    body = envelope("MEETING_ENDED", {"uid": "u"})
    with logs_of(inbox_module) as logs:
        answer = await client.post(URL, content=body, headers=headers(body))
    assert (answer.status_code, answer.json()) == (200, {"status": "ignored"})
    [row] = await _stored(sessions)
    assert row.status is InboxStatus.PROCESSED
    assert row.error is not None
    assert row.error.startswith("ignored")
    assert await inbox_jobs(sessions) == []
    assert "calcom_webhook_ignored" in [e["event"] for e in logs]


async def _offered(client: httpx.AsyncClient) -> list[datetime]:
    answer = await client.get(
        "/api/v1/availability",
        params={"service": str(HERREN), "from": DAY.isoformat(), "days": 1},
        headers={"Authorization": f"Bearer {DEMO_KEY}"},
    )
    assert answer.status_code == 200, answer.text
    return [datetime.fromisoformat(s["start"]) for s in answer.json()["slots"]]


async def test_a_slot_booked_on_calcom_s_page_is_offered_no_more_once_the_job_ran(
    client: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await link_demo(sessions)
    await mirror_day(
        sessions, "herrenhaarschnitt", "jonas", DAY, every(at(2, 10), at(2, 11)),
        minutes=30, fetched_at=NOW - timedelta(minutes=3),
    )  # fmt: skip
    assert at(2, 10) in await _offered(client)
    body = envelope("BOOKING_CREATED", booking("page-1", at(2, 10)))
    answer = await client.post(URL, content=body, headers=headers(body))
    assert answer.status_code == 200
    [job] = await inbox_jobs(sessions)
    # "Within 2 s of the webhook" is structural, not timed (tests never assert wall-clock
    # time): the job is due at once, and running it alone drops the slot — no refresh, no TTL.
    assert job.run_after <= NOW
    ctx = JobContext(
        job_id=job.id, kind=job.kind, attempt=1, tenant_id=job.tenant_id, sessions=sessions,
        settings=Settings(), clock=FakeClock(), calendars=None,
    )  # fmt: skip
    await process_webhook(ctx, job.payload)
    offered = await _offered(client)
    # 09:45 .. 10:15 overlap the new 10:00-10:30 booking with Jonas, the only host.
    assert at(2, 10) not in offered
    assert at(2, 10, 15) not in offered
    assert at(2, 10, 30) in offered
