"""Database down during voice traffic (issue 13 item 3, ADR 0016): every voice function answers
the short German apology with HTTP 200, the inbound webhook the minimal variables, call events
204, REST 503 problem JSON and /readyz 503 — quickly, whether the database refuses connections
or hangs.

The app reaches its own PostgreSQL database through a TCP proxy the test controls
(tests/outage_support.py): closing the proxy is a database that went away (connections reset,
new ones refused); ``hang()`` is one that stopped answering. Time bounds asserted here are
generous functional bounds (an answer within Retell's patience, not a hang); the measured
figures are in docs/architecture.md and ADR 0016.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from tests.app_support import DEMO_KEY
from tests.log_support import LogCapture
from tests.outage_support import TcpProxy
from tests.services_support import PG_HOST, PG_PORT, create_database_url, drop_database_url
from tests.voice_support import OTHER_SALON, RetellClient, ended, retell_client, seed

from frontdesk.booking.outage import PROBE_EVERY_S
from frontdesk.db.engine import create_engine
from frontdesk.db.migrate import upgrade_engine
from frontdesk.failures import speech
from frontdesk.observability.metrics import DEGRADED
from frontdesk.resilience import outage

pytestmark = pytest.mark.postgres

APOLOGY = speech("database_unavailable", "de")
# What each function is asked while the database is down (a booking needs a call row first).
CALLS: dict[str, dict[str, Any]] = {
    "check_availability": {"service": "Herrenhaarschnitt", "date": "morgen", "time": "10:00"},
    "book_appointment": {"slot_id": "x", "name": "Erika Muster"},
    "find_appointments": {},
    "cancel_appointment": {"appointment_id": "x"},
    "reschedule_appointment": {"appointment_id": "x", "date": "morgen", "time": "11:00"},
}
# Generous functional bounds: Retell waits a few seconds for a function, so "answered" means
# well before that, never the 30 s of a pool timeout or the 130 s of a connect timeout.
REFUSED_BOUND_S = 2.5
HUNG_BOUND_S = 3.5


@dataclass
class Outage:
    retell: RetellClient
    proxy: TcpProxy


@pytest.fixture
async def outage_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Outage]:
    monkeypatch.setattr(outage, "_WARNINGS", outage.ThrottledWarning())
    url = create_database_url("postgresql", tmp_path)
    direct = create_engine(url)
    proxy = TcpProxy(PG_HOST, PG_PORT)
    try:
        await upgrade_engine(direct)
        await seed(direct)
        await proxy.start()
        proxied: AsyncEngine = create_engine(
            url.replace(f"{PG_HOST}:{PG_PORT}/", f"127.0.0.1:{proxy.port}/")
        )
        async for retell in retell_client(proxied):
            try:
                yield Outage(retell, proxy)
            finally:
                # The app then shuts down against a database that is gone: quickly.
                await proxy.close()
        await proxied.dispose()
    finally:
        await proxy.close()
        await direct.dispose()
        drop_database_url(url)


async def _timed(coro: Any) -> tuple[Any, float]:
    started = time.perf_counter()
    result = await coro
    return result, time.perf_counter() - started


async def _warm(retell: RetellClient) -> None:
    """A call before the outage: the number's route and the catalogue are known."""
    body = await retell.fn("check_availability", CALLS["check_availability"], call_id="call_w")
    assert body["status"] == "available"
    assert (await retell.inbound()).status_code == 200


async def test_a_database_gone_gets_every_voice_function_the_apology_at_once(
    outage_app: Outage, logs_of: LogCapture
) -> None:
    retell = outage_app.retell
    await _warm(retell)
    before = DEGRADED.labels(dependency="database", where="voice_function")._value.get()
    await outage_app.proxy.close()
    with logs_of(outage) as logs:
        for name, args in CALLS.items():
            body, took = await _timed(retell.fn(name, args, call_id="call_down"))
            assert body["status"] == "error", (name, body)
            assert body["message"] == APOLOGY
            assert took < REFUSED_BOUND_S, (name, took)
        # A number not looked up before the outage cannot be verified: the apology too, and
        # nothing else happens (nothing can be written anyway).
        cold, took = await _timed(retell.fn("check_availability", {}, to_number=OTHER_SALON))
        assert (cold["message"], cold["reason"]) == (APOLOGY, "database_unavailable")
        assert took < REFUSED_BOUND_S
    # The first failure made the outage suspected: the calls after it did not even try.
    reasons = [(await retell.fn("find_appointments", {}, call_id="c2"))["reason"] for _ in "ab"]
    assert reasons == ["database_unavailable"] * 2
    after = DEGRADED.labels(dependency="database", where="voice_function")._value.get()
    assert after >= before + len(CALLS) + 3
    # The outage is said once, not per call, and without a traceback.
    # (The call log's writer may warn for its own batch: another place, its own line.)
    warnings = [
        e
        for e in logs
        if e["event"] == "database unavailable: degraded answer" and e["where"] == "voice_function"
    ]
    assert len(warnings) == 1
    assert "exc_info" not in warnings[0]


async def test_a_database_gone_leaves_inbound_events_rest_and_readiness_answering(
    outage_app: Outage,
) -> None:
    retell = outage_app.retell
    await _warm(retell)
    await outage_app.proxy.close()
    inbound, took = await _timed(retell.inbound())
    assert inbound.status_code == 200
    variables = inbound.json()["call_inbound"]["dynamic_variables"]
    assert variables["caller_known"] == "false"
    assert variables["today_iso"] == retell.now.date().isoformat()
    assert took < REFUSED_BOUND_S
    event, took = await _timed(retell.event("call_ended", ended()))
    assert event.status_code == 204
    assert took < REFUSED_BOUND_S
    rest, took = await _timed(
        retell.http.get("/api/v1/services", headers={"Authorization": f"Bearer {DEMO_KEY}"})
    )
    assert rest.status_code == 503
    assert rest.headers["content-type"] == "application/problem+json"
    assert rest.json()["code"] == "database_unavailable"
    assert rest.headers["retry-after"] == "5"
    assert took < REFUSED_BOUND_S
    ready, took = await _timed(retell.http.get("/readyz"))
    assert ready.status_code == 503
    assert ready.json()["checks"]["database"].startswith("error")
    assert took < REFUSED_BOUND_S


async def test_a_hung_database_still_gets_answers_by_the_deadline(outage_app: Outage) -> None:
    """The database stops answering with connections open: queries hang, and the driver's own
    cancel request hangs too. The answers leave by their deadlines regardless."""
    retell = outage_app.retell
    await _warm(retell)
    outage_app.proxy.hang()
    body, took = await _timed(
        retell.fn("check_availability", CALLS["check_availability"], call_id="call_hung")
    )
    assert (body["status"], body["message"]) == ("error", APOLOGY)
    assert took < HUNG_BOUND_S
    # That call's work hung even while being cancelled: an outage is suspected, and the next
    # calls are answered without waiting for the database again.
    for name, args in CALLS.items():
        body, took = await _timed(retell.fn(name, args, call_id="call_hung"))
        assert (body["message"], body["reason"]) == (APOLOGY, "database_unavailable"), name
        assert took < REFUSED_BOUND_S
    inbound, took = await _timed(retell.inbound())
    assert inbound.status_code == 200
    assert inbound.json()["call_inbound"]["dynamic_variables"]["caller_known"] == "false"
    assert took < HUNG_BOUND_S
    event, took = await _timed(retell.event("call_ended", ended()))
    assert event.status_code == 204
    assert took < HUNG_BOUND_S
    ready, took = await _timed(retell.http.get("/readyz"))
    assert ready.status_code == 503
    assert took < HUNG_BOUND_S


async def test_when_the_database_is_back_voice_is_served_again(outage_app: Outage) -> None:
    retell = outage_app.retell
    await _warm(retell)
    await outage_app.proxy.close()
    down = await retell.fn("check_availability", CALLS["check_availability"], call_id="c_down")
    assert down["reason"] == "database_unavailable"
    await outage_app.proxy.start()
    # While the outage is suspected one request per second tries the database (ADR 0016).
    await asyncio.sleep(PROBE_EVERY_S * 1.2)
    back = await retell.fn("check_availability", CALLS["check_availability"], call_id="c_back")
    assert back["status"] == "available", back
    assert not retell.app.state.voice.outage.suspected
    ready = await retell.http.get("/readyz")
    assert ready.status_code == 200
