"""The login throttle: windows from the injected clock, per account and per address, in
process and shared through Redis."""

from __future__ import annotations

from datetime import timedelta

import redis.asyncio as aioredis
from tests.clock_support import FakeClock

from frontdesk.access.throttle import LoginThrottle, ThrottleLimits

LIMITS = ThrottleLimits(per_account=3, per_address=5, window=timedelta(minutes=10))


async def test_an_account_is_held_after_its_limit_until_the_window_ends() -> None:
    clock = FakeClock()
    throttle = LoginThrottle(clock, limits=LIMITS)
    for _ in range(3):
        assert await throttle.retry_after("A@example.de", "1.2.3.4") is None
        await throttle.failed("a@example.de ", "1.2.3.4")  # case and spaces do not matter
    wait = await throttle.retry_after("a@example.de", "5.6.7.8")
    assert wait is not None
    assert timedelta(0) < wait <= timedelta(minutes=10)
    assert await throttle.retry_after("b@example.de", "1.2.3.4") is None
    clock.advance(wait)
    assert await throttle.retry_after("a@example.de", "1.2.3.4") is None


async def test_a_success_clears_the_account_but_not_the_address() -> None:
    throttle = LoginThrottle(FakeClock(), limits=LIMITS)
    for account in ("a", "a", "b", "c", "d"):
        await throttle.failed(account, "1.2.3.4")
    await throttle.succeeded("a")
    assert await throttle.retry_after("a", "9.9.9.9") is None
    assert await throttle.retry_after("e", "1.2.3.4") is not None


async def test_redis_shares_the_counts_between_processes(redis_client: aioredis.Redis) -> None:
    clock = FakeClock()
    first = LoginThrottle(clock, redis_client, LIMITS)
    second = LoginThrottle(clock, redis_client, LIMITS)
    for _ in range(3):
        await first.failed("a@example.de", "1.2.3.4")
    assert await second.retry_after("a@example.de", "5.6.7.8") is not None
    keys = [key.decode() for key in await redis_client.keys("fd:login:*")]
    assert keys
    assert not any("example" in key or "1.2.3.4" in key for key in keys)  # digests only
    ttls = [await redis_client.ttl(key) for key in keys]
    assert all(0 < ttl <= 20 * 60 for ttl in ttls)
    await second.succeeded("a@example.de")
    assert await first.retry_after("a@example.de", "5.6.7.8") is None


async def test_an_unreachable_redis_falls_back_to_counting_in_process() -> None:
    dead = aioredis.Redis.from_url(
        "redis://127.0.0.1:1/0", socket_connect_timeout=0.05, socket_timeout=0.05
    )
    throttle = LoginThrottle(FakeClock(), dead, LIMITS)
    try:
        for _ in range(3):
            await throttle.failed("a", "1.2.3.4")
        assert await throttle.retry_after("a", "1.2.3.4") is not None
    finally:
        await dead.aclose()
