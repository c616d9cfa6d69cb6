"""The circuit breaker, in-process and shared through Redis: same behaviour from both stores."""

from __future__ import annotations

import asyncio

import pytest
import redis.asyncio as aioredis
from prometheus_client import REGISTRY
from tests.clock_support import FakeTime
from tests.log_support import LogCapture
from tests.services_support import REDIS_URL

from frontdesk.resilience import breaker as breaker_module
from frontdesk.resilience.breaker import BreakerOpen, CircuitBreaker
from frontdesk.resilience.breaker_store import (
    BreakerConfig,
    BreakerStore,
    MemoryBreakerStore,
    RedisBreakerStore,
    State,
)

CONFIG = BreakerConfig(failure_threshold=5, window=60.0, open_for=30.0, probe_lease=10.0)


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
def store(request: pytest.FixtureRequest) -> BreakerStore:
    if request.param == "memory":
        return MemoryBreakerStore()
    return RedisBreakerStore(request.getfixturevalue("redis_client"))


def transitions(old: str, new: str) -> float:
    value = REGISTRY.get_sample_value(
        "frontdesk_breaker_transitions_total",
        {"dependency": "calcom", "from_state": old, "to_state": new},
    )
    return value or 0.0


async def fail(breaker: CircuitBreaker, tenant: str, times: int, t: FakeTime, gap: float) -> None:
    for _ in range(times):
        await breaker.record_failure(await breaker.acquire(tenant))
        t.advance(gap)


async def test_five_failures_within_the_window_open_the_breaker(
    store: BreakerStore, logs_of: LogCapture
) -> None:
    t = FakeTime()
    breaker = CircuitBreaker("calcom", store, t.now, CONFIG)
    before = transitions("closed", "open")
    with logs_of(breaker_module) as logs:
        await fail(breaker, "salon", 5, t, gap=1.0)
    assert transitions("closed", "open") == before + 1
    assert [e for e in logs if e["event"] == "breaker_transition"] == [
        {
            "event": "breaker_transition",
            "dependency": "calcom",
            "tenant": "salon",
            "from_state": "closed",
            "to_state": "open",
            "log_level": "warning",
        }
    ]
    with pytest.raises(BreakerOpen) as info:
        await breaker.acquire("salon")
    assert info.value.retry_in == pytest.approx(30.0 - 1.0)
    assert (await breaker.snapshot("salon")).state is State.OPEN


async def test_failures_spread_wider_than_the_window_do_not_open(store: BreakerStore) -> None:
    t = FakeTime()
    breaker = CircuitBreaker("calcom", store, t.now, CONFIG)
    await fail(breaker, "salon", 10, t, gap=15.0)  # never 5 within 60 s
    await breaker.acquire("salon")
    snap = await breaker.snapshot("salon")
    assert snap.state is State.CLOSED
    assert snap.recent_failures == 3  # at 105, 120, 135; now is 150


async def test_successes_do_not_reset_the_window(store: BreakerStore) -> None:
    t = FakeTime()
    breaker = CircuitBreaker("calcom", store, t.now, CONFIG)
    for _ in range(4):
        await breaker.record_failure(await breaker.acquire("salon"))
        await breaker.record_success(await breaker.acquire("salon"))
    await breaker.record_failure(await breaker.acquire("salon"))
    with pytest.raises(BreakerOpen):
        await breaker.acquire("salon")


async def test_one_half_open_probe_closes_the_breaker_on_success(store: BreakerStore) -> None:
    t = FakeTime()
    breaker = CircuitBreaker("calcom", store, t.now, CONFIG)
    await fail(breaker, "salon", 5, t, gap=0.0)
    t.advance(30.0)
    probe = await breaker.acquire("salon")
    assert probe.probe
    with pytest.raises(BreakerOpen):
        await breaker.acquire("salon")  # the probe is out: nobody else
    await breaker.record_success(probe)
    assert (await breaker.snapshot("salon")).state is State.CLOSED
    assert not (await breaker.acquire("salon")).probe


async def test_a_failed_probe_reopens_for_another_period(store: BreakerStore) -> None:
    t = FakeTime()
    breaker = CircuitBreaker("calcom", store, t.now, CONFIG)
    await fail(breaker, "salon", 5, t, gap=0.0)
    t.advance(30.0)
    before = transitions("half_open", "open")
    await breaker.record_failure(await breaker.acquire("salon"))
    assert transitions("half_open", "open") == before + 1
    t.advance(29.0)
    with pytest.raises(BreakerOpen):
        await breaker.acquire("salon")
    t.advance(1.0)
    assert (await breaker.acquire("salon")).probe


async def test_a_lost_probe_does_not_wedge_the_breaker(store: BreakerStore) -> None:
    t = FakeTime()
    breaker = CircuitBreaker("calcom", store, t.now, CONFIG)
    await fail(breaker, "salon", 5, t, gap=0.0)
    t.advance(30.0)
    assert (await breaker.acquire("salon")).probe  # this prober never reports back
    t.advance(CONFIG.probe_lease)
    assert (await breaker.acquire("salon")).probe


async def test_a_probe_that_got_a_business_refusal_closes(store: BreakerStore) -> None:
    t = FakeTime()
    breaker = CircuitBreaker("calcom", store, t.now, CONFIG)
    await fail(breaker, "salon", 5, t, gap=0.0)
    t.advance(30.0)
    await breaker.release(await breaker.acquire("salon"))
    assert (await breaker.snapshot("salon")).state is State.CLOSED


async def test_late_failures_while_open_do_not_extend_it(store: BreakerStore) -> None:
    t = FakeTime()
    breaker = CircuitBreaker("calcom", store, t.now, CONFIG)
    tickets = [await breaker.acquire("salon") for _ in range(8)]
    for ticket in tickets[:5]:
        await breaker.record_failure(ticket)
    t.advance(20.0)
    for ticket in tickets[5:]:  # calls that were already in flight when it opened
        await breaker.record_failure(ticket)
    t.advance(10.0)
    assert (await breaker.acquire("salon")).probe


async def test_tenants_and_dependencies_have_separate_breakers(store: BreakerStore) -> None:
    t = FakeTime()
    calcom = CircuitBreaker("calcom", store, t.now, CONFIG)
    other = CircuitBreaker("sms", store, t.now, CONFIG)
    await fail(calcom, "salon", 5, t, gap=0.0)
    await calcom.acquire("praxis")
    await other.acquire("salon")


@pytest.mark.redis
async def test_processes_sharing_redis_see_one_breaker_and_send_one_probe(
    redis_client: aioredis.Redis,
) -> None:
    t = FakeTime()
    # Separate connections stand for separate processes.
    clients = [aioredis.Redis.from_url(REDIS_URL) for _ in range(4)]
    try:
        breakers = [CircuitBreaker("calcom", RedisBreakerStore(c), t.now, CONFIG) for c in clients]
        tickets = [await b.acquire("salon") for b in breakers for _ in range(2)]
        await asyncio.gather(
            *(b.record_failure(tk) for b, tk in zip(breakers * 2, tickets, strict=True))
        )
        for b in breakers:
            with pytest.raises(BreakerOpen):
                await b.acquire("salon")
        t.advance(30.0)
        outcomes = await asyncio.gather(
            *(b.acquire("salon") for b in breakers), return_exceptions=True
        )
        probes = [o for o in outcomes if not isinstance(o, BaseException)]
        assert len(probes) == 1
        assert probes[0].probe
        assert sum(isinstance(o, BreakerOpen) for o in outcomes) == 3
    finally:
        for c in clients:
            await c.aclose()


def test_invalid_configuration_is_refused() -> None:
    with pytest.raises(ValueError, match="positive"):
        BreakerConfig(failure_threshold=0)


def open_breakers(dependency: str) -> float | None:
    return REGISTRY.get_sample_value("frontdesk_breakers_open", {"dependency": dependency})


async def test_the_open_breakers_gauge_follows_open_probe_and_close(store: BreakerStore) -> None:
    t = FakeTime()
    breaker = CircuitBreaker("gauged", store, t.now, CONFIG)
    await breaker.acquire("salon")
    assert open_breakers("gauged") == 0.0
    await fail(breaker, "salon", 5, t, gap=1.0)
    await fail(breaker, "spa", 5, t, gap=1.0)
    assert open_breakers("gauged") == 2.0
    t.advance(25.0)  # salon opened 30.5 s ago, spa 26 s ago
    probe = await breaker.acquire("salon")  # half-open: not well yet
    assert open_breakers("gauged") == 2.0
    await breaker.record_success(probe)
    assert open_breakers("gauged") == 1.0
    with pytest.raises(BreakerOpen):
        await breaker.acquire("spa")
    assert open_breakers("gauged") == 1.0
    t.advance(10.0)
    await breaker.record_success(await breaker.acquire("spa"))
    await breaker.acquire("spa")
    assert open_breakers("gauged") == 0.0
