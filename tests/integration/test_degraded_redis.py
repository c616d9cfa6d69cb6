"""Redis down (issue 13 item 3, ADR 0016): the breaker and the rate budget keep working on
in-process state while Redis is dead, hung or dying mid-traffic — never failing the request
that asked — say so once, count it, and go back to Redis when it answers again.

Redis here is a server of the test's own (tests/outage_support.py), killed with SIGKILL and
started again on the same port; the machine's shared Redis is never touched."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine
from tests.clock_support import FakeTime
from tests.log_support import LogCapture
from tests.outage_support import OwnRedis, free_port, own_redis, silent_listener
from tests.voice_support import retell_client, seed

from frontdesk.calendars.calcom.transport import Guard
from frontdesk.observability.metrics import DEGRADED, REDIS_FALLBACK_ACTIVE
from frontdesk.resilience import outage, shared_state
from frontdesk.resilience.breaker import BreakerOpen, Ticket
from frontdesk.resilience.deadline import Deadline
from frontdesk.resilience.ratelimit import RateLimit
from frontdesk.resources import connect_redis

TENANT = "salon"
KEY = "key-digest"
# A generous functional bound (never a tight timing): every call must answer long before a
# voice function's 2.5 s deadline, whatever Redis does.
WELL_WITHIN_DEADLINE_S = 2.5


@pytest.fixture
def server() -> Iterator[OwnRedis]:
    with own_redis() as redis_server:
        yield redis_server


@pytest.fixture(autouse=True)
def fresh_warnings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test sees the first warning of an outage (the throttle is per process)."""
    monkeypatch.setattr(outage, "_WARNINGS", outage.ThrottledWarning())


def _guard(redis: Redis, time_: FakeTime) -> Guard:
    return Guard.build(
        clock=time_.now,
        monotonic=time_.monotonic,
        sleep=time_.sleep,
        redis=redis,
        rate=RateLimit(limit=3, window=60),
    )


def _degraded(where: str) -> float:
    return DEGRADED.labels(dependency="redis", where=where)._value.get()


async def _fail_five_times(guard: Guard) -> None:
    for _ in range(5):
        await guard.breaker.record_failure(Ticket(TENANT, probe=False))


async def test_redis_dying_mid_traffic_falls_back_and_returns(
    server: OwnRedis, logs_of: LogCapture
) -> None:
    time_ = FakeTime()
    redis = connect_redis(server.url)
    guard = _guard(redis, time_)
    try:
        deadline = Deadline.after(2.0, time_.monotonic)
        await guard.budget.acquire(KEY, deadline)
        assert await redis.zcard(f"fd:rate:{KEY}") == 1  # shared while Redis lives
        before = _degraded("breaker_store") + _degraded("rate_store")
        server.kill()
        with logs_of(outage, shared_state) as logs:
            started = time.perf_counter()
            # Every call still answers: the breaker opens in this process's memory...
            await guard.breaker.acquire(TENANT)
            await _fail_five_times(guard)
            with pytest.raises(BreakerOpen):
                await guard.breaker.acquire(TENANT)
            # ...and the budget counts here (3 per window: the fourth would have to wait).
            for _ in range(3):
                await guard.budget.acquire(KEY, deadline)
            assert time.perf_counter() - started < WELL_WITHIN_DEADLINE_S
        assert REDIS_FALLBACK_ACTIVE._value.get() == 1
        assert _degraded("breaker_store") + _degraded("rate_store") >= before + 10
        warnings = [e for e in logs if e["event"] == "redis unavailable: degraded answer"]
        # One line per store while the outage lasts, not one per call.
        assert sorted(e["where"] for e in warnings) == ["breaker_store", "rate_store"]

        server.start()
        time_.advance(shared_state.RETRY_AFTER_S)
        with logs_of(shared_state) as logs:
            await guard.budget.acquire(KEY, deadline)
        assert REDIS_FALLBACK_ACTIVE._value.get() == 0
        assert any(e["event"].startswith("redis reachable again") for e in logs)
        # Back on Redis: the new server's fresh state holds this request.
        assert await redis.zcard(f"fd:rate:{KEY}") == 1
    finally:
        await redis.aclose()


async def test_while_redis_is_skipped_no_call_waits_for_it() -> None:
    """Nothing listens: the first call fails fast (connection refused) and the next ones do
    not even try until ``RETRY_AFTER_S`` has passed."""
    time_ = FakeTime()
    redis = connect_redis(f"redis://127.0.0.1:{free_port()}/0")
    guard = _guard(redis, time_)
    try:
        started = time.perf_counter()
        ticket = await guard.breaker.acquire(TENANT)
        await guard.breaker.record_success(ticket)
        await guard.budget.acquire(KEY, Deadline.after(2.0, time_.monotonic))
        assert time.perf_counter() - started < WELL_WITHIN_DEADLINE_S
        assert REDIS_FALLBACK_ACTIVE._value.get() == 1
    finally:
        await redis.aclose()


async def test_a_hung_redis_costs_one_socket_timeout_then_nothing() -> None:
    """Redis accepts connections and never answers: the socket timeout (250 ms) ends the
    first call, which is answered from memory; the calls after it skip Redis."""
    time_ = FakeTime()
    async with silent_listener() as port:
        redis = connect_redis(f"redis://127.0.0.1:{port}/0")
        guard = _guard(redis, time_)
        try:
            first = time.perf_counter()
            await guard.breaker.acquire(TENANT)
            first_s = time.perf_counter() - first
            then = time.perf_counter()
            for _ in range(20):
                await guard.breaker.acquire(TENANT)
            rest_s = time.perf_counter() - then
        finally:
            await redis.aclose()
    assert first_s < WELL_WITHIN_DEADLINE_S
    assert rest_s < first_s  # twenty skips cost less than one wait for Redis


async def test_errors_that_are_not_an_outage_are_not_hidden(server: OwnRedis) -> None:
    """A wrong type under our key is a bug (or someone else's data), not Redis being down:
    it propagates instead of being served from memory."""
    time_ = FakeTime()
    redis = connect_redis(server.url)
    guard = _guard(redis, time_)
    try:
        await redis.set(f"fd:rate:{KEY}", "not a sorted set")
        with pytest.raises(Exception, match="WRONGTYPE"):
            await guard.budget.acquire(KEY, Deadline.after(2.0, time_.monotonic))
    finally:
        await redis.aclose()


async def test_the_app_with_redis_down_is_not_ready_but_voice_answers(db: AsyncEngine) -> None:
    """/readyz keeps its contract (database and, when configured, Redis reachable): 503 naming
    Redis; the voice functions answer all the same."""
    await seed(db)
    async for retell in retell_client(db, redis_url=f"redis://127.0.0.1:{free_port()}/0"):
        started = time.perf_counter()
        ready = await retell.http.get("/readyz")
        assert time.perf_counter() - started < WELL_WITHIN_DEADLINE_S
        assert ready.status_code == 503
        checks = ready.json()["checks"]
        assert checks["database"] == "ok"
        assert checks["redis"].startswith("error")
        body = await retell.fn(
            "check_availability",
            {"service": "Herrenhaarschnitt", "date": "morgen", "time": "10:00"},
        )
        assert body["status"] == "available"
