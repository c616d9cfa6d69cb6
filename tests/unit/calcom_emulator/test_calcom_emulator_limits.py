"""The emulator's throttler behaves like Cal.com's: 120 requests a minute per API key, then
429 with X-RateLimit-*-Default headers (no Retry-After) and the key blocked for 60 s."""

from __future__ import annotations

import httpx
import pytest
from tests.calcom_emulator_support import KEY, Emulator
from tests.clock_support import FakeTime

from frontdesk.calendars.errors import RateLimited

ME = {"Authorization": f"Bearer {KEY}"}


async def me(emulator: Emulator, headers: dict[str, str] = ME) -> httpx.Response:
    return await emulator.http.get("/v2/me", headers=headers)


async def test_the_121st_request_in_a_minute_is_refused_and_the_key_blocked(
    emulator: Emulator, time: FakeTime
) -> None:
    first = await me(emulator)
    assert first.headers["X-RateLimit-Limit-Default"] == "120"
    assert first.headers["X-RateLimit-Remaining-Default"] == "119"
    assert first.headers["X-RateLimit-Reset-Default"] == "60"
    for _ in range(118):
        await me(emulator)
        time.advance(0.1)
    last = await me(emulator)
    assert (last.status_code, last.headers["X-RateLimit-Remaining-Default"]) == (200, "0")

    refused = await me(emulator)
    assert refused.status_code == 429
    assert "retry-after" not in refused.headers
    assert refused.headers["X-RateLimit-Remaining-Default"] == "0"
    assert refused.headers["X-RateLimit-Reset-Default"] == "60"
    assert refused.json()["error"]["code"] == "ThrottlerException"
    # Another key (or none: tracked by address) has its own window.
    assert (await me(emulator, {"Authorization": "Bearer cal_other"})).status_code == 401

    time.advance(59)  # the first window is over, the block is not
    blocked = await me(emulator)
    assert (blocked.status_code, blocked.headers["X-RateLimit-Reset-Default"]) == (429, "1")
    time.advance(1)
    again = await me(emulator)
    assert (again.status_code, again.headers["X-RateLimit-Remaining-Default"]) == (200, "119")


async def test_our_client_reads_the_429_as_a_60_second_block(
    emulator: Emulator, time: FakeTime
) -> None:
    for _ in range(120):
        await me(emulator)
    with pytest.raises(RateLimited) as info:
        await emulator.client.me()
    assert info.value.retry_in == 60.0


async def test_requests_per_key_and_minute_are_counted(emulator: Emulator) -> None:
    for _ in range(3):
        await me(emulator)
    state = (await emulator.http.get("/_emulator/state")).json()
    (per_minute,) = state["requestsPerMinute"].values()
    assert sum(per_minute.values()) == 3
    (logged,) = {(r["method"], r["path"], r["status"]) for r in state["requests"]}
    assert logged == ("GET", "/v2/me", 200)
