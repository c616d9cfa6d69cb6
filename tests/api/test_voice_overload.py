"""Overload (issue 11, item 10): the number of function calls in progress is bounded; a call
beyond the bound is answered at once with the short apology, and the next call after the load
is served normally. Asserted structurally (counts, order), never by wall-clock latency; the
real burst is measured by bench/overload.py."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from tests.voice_support import (
    RetellClient,
    retell_fixture,  # noqa: F401
)

from frontdesk.db.tables import CallFunction
from frontdesk.observability.metrics import VOICE_OVERLOADED

ARGS = {"service": "Herrenhaarschnitt", "date": "morgen", "time": "10:00"}


async def test_calls_beyond_the_bound_get_the_apology_at_once_and_service_recovers(
    retell: RetellClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    gateway = retell.app.state.voice
    gateway.max_in_flight = 2
    release, both_in = asyncio.Event(), asyncio.Event()
    entered = 0
    original = gateway.functions.run

    async def held(*args: Any, **kwargs: Any) -> Any:
        nonlocal entered
        entered += 1
        if entered == 2:
            both_in.set()
        await release.wait()
        return await original(*args, **kwargs)

    monkeypatch.setattr(gateway.functions, "run", held)
    before = VOICE_OVERLOADED._value.get()
    admitted = [
        asyncio.create_task(retell.fn("check_availability", ARGS, call_id=f"call_{i}"))
        for i in range(2)
    ]
    await asyncio.wait_for(both_in.wait(), timeout=30)
    # Both admitted calls are still held: every further call is answered without waiting.
    shed = await asyncio.gather(
        *(retell.fn("check_availability", ARGS, call_id=f"call_x{i}") for i in range(5))
    )
    assert not any(task.done() for task in admitted)
    assert [body["reason"] for body in shed] == ["overloaded"] * 5
    assert all(body["status"] == "error" for body in shed)
    assert all(body["message"].startswith("Entschuldigung") for body in shed)
    assert VOICE_OVERLOADED._value.get() == before + 5
    assert entered == 2
    release.set()
    served = await asyncio.gather(*admitted)
    assert [body["status"] for body in served] == ["available", "available"]
    # The load is gone: the next call is served again.
    monkeypatch.setattr(gateway.functions, "run", original)
    again = await retell.fn("check_availability", ARGS, call_id="call_after")
    assert again["status"] == "available"
    assert gateway.in_flight == 0
    # Shed calls are in the call log too, as errors with their reason.
    await retell.settled()
    assert await retell.count(CallFunction) == 8


async def test_a_refused_or_failing_call_frees_its_place(retell: RetellClient) -> None:
    gateway = retell.app.state.voice
    gateway.max_in_flight = 1
    for _ in range(3):
        body = await retell.fn("check_availability", {"service": "Unbekannt"})
        assert body["status"] != "error" or body.get("reason") != "overloaded"
    assert gateway.in_flight == 0


async def test_a_call_arriving_while_the_loop_runs_late_is_shed_at_once(
    retell: RetellClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Work queued before the bound (bodies, signatures) is seen through the loop's lag: while
    the loop is behind, a new call is not run at all; once it has caught up, calls are served."""
    gateway = retell.app.state.voice
    gateway.max_loop_lag = 0.1  # the suite switches the rule off (tests/app_support.py)
    behind = True
    monkeypatch.setattr(gateway.loop_lag, "current", lambda now: 0.5 if behind else 0.0)
    ran = 0
    original = gateway.functions.run

    async def counted(*args: Any, **kwargs: Any) -> Any:
        nonlocal ran
        ran += 1
        return await original(*args, **kwargs)

    monkeypatch.setattr(gateway.functions, "run", counted)
    before = VOICE_OVERLOADED._value.get()
    shed = await retell.fn("check_availability", ARGS, call_id="call_late")
    assert (shed["status"], shed["reason"]) == ("error", "overloaded")
    assert shed["message"].startswith("Entschuldigung")
    assert ran == 0
    assert VOICE_OVERLOADED._value.get() == before + 1
    behind = False
    served = await retell.fn("check_availability", ARGS, call_id="call_caught_up")
    assert served["status"] == "available"
    assert ran == 1
