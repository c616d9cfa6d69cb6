"""Breaker and rate-budget state in Redis, falling back to this process's memory when Redis is
unreachable (ADR 0016).

Redis only shares state between processes; it is never needed to answer. So a store call that
meets a dead or hung Redis (connection refused, reset, a socket timeout) is answered by the
in-process store instead, counted (``frontdesk_degraded_total{dependency="redis"}``), warned
about at most every 30 s, and shown by ``frontdesk_redis_fallback_active``. Redis is then
left alone for ``retry_after`` seconds — each call would otherwise pay a connect attempt — and
asked again after that; the first answer it gives ends the fallback.

While the fallback lasts each process keeps its own breaker and its own count of the rate
budget (as without Redis at all): a process may let a few more requests through than the shared
budget would, and breaker state learned during the outage is not merged back. Errors that are
not about reaching Redis (a script error, a wrong type) are bugs and propagate.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from frontdesk.observability.logging import get_logger
from frontdesk.observability.metrics import REDIS_FALLBACK_ACTIVE
from frontdesk.resilience.breaker_store import (
    BreakerConfig,
    BreakerStore,
    Decision,
    Snapshot,
    State,
)
from frontdesk.resilience.clocks import Monotonic
from frontdesk.resilience.outage import degraded
from frontdesk.resilience.ratelimit import RateLimit, RateStore

T = TypeVar("T")
log = get_logger(__name__)

# What "Redis cannot be reached" looks like: redis-py's connection and timeout errors, and a
# bare OSError from the socket layer.
REDIS_DOWN: tuple[type[Exception], ...] = (RedisConnectionError, RedisTimeoutError, OSError)
RETRY_AFTER_S = 5.0


class RedisFallback:
    """One per process: whether Redis is being skipped, and the switch between the stores."""

    def __init__(
        self, monotonic: Monotonic = time.monotonic, retry_after: float = RETRY_AFTER_S
    ) -> None:
        self._monotonic = monotonic
        self._retry_after = retry_after
        self._skip_until: float | None = None
        self._last_error: BaseException | None = None

    @property
    def active(self) -> bool:
        """Whether the last Redis call failed (state is being kept in memory)."""
        return self._skip_until is not None

    async def call(
        self,
        where: str,
        shared: Callable[[], Awaitable[T]],
        local: Callable[[], Awaitable[T]],
    ) -> T:
        """``shared()`` while Redis answers, else ``local()``."""
        if self._skip_until is None or self._monotonic() >= self._skip_until:
            try:
                result = await shared()
            except REDIS_DOWN as exc:
                self._failed(exc)
            else:
                self._recovered()
                return result
        assert self._last_error is not None
        degraded("redis", where, self._last_error, retry_in_s=self._retry_after)
        return await local()

    def _failed(self, exc: BaseException) -> None:
        self._skip_until = self._monotonic() + self._retry_after
        self._last_error = exc
        REDIS_FALLBACK_ACTIVE.set(1)

    def _recovered(self) -> None:
        if self._skip_until is None:
            return
        self._skip_until = None
        REDIS_FALLBACK_ACTIVE.set(0)
        log.info("redis reachable again: breaker and rate budget shared again")


class FallbackBreakerStore:
    """A ``BreakerStore`` on Redis with the in-process store as fallback."""

    def __init__(self, shared: BreakerStore, local: BreakerStore, fallback: RedisFallback):
        self._shared, self._local, self._fallback = shared, local, fallback

    async def acquire(self, key: str, now: float, config: BreakerConfig) -> Decision:
        return await self._fallback.call(
            "breaker_store",
            lambda: self._shared.acquire(key, now, config),
            lambda: self._local.acquire(key, now, config),
        )

    async def failure(
        self, key: str, now: float, probe: bool, config: BreakerConfig
    ) -> tuple[State, State] | None:
        return await self._fallback.call(
            "breaker_store",
            lambda: self._shared.failure(key, now, probe, config),
            lambda: self._local.failure(key, now, probe, config),
        )

    async def success(self, key: str, now: float, probe: bool) -> tuple[State, State] | None:
        return await self._fallback.call(
            "breaker_store",
            lambda: self._shared.success(key, now, probe),
            lambda: self._local.success(key, now, probe),
        )

    async def snapshot(self, key: str, now: float, config: BreakerConfig) -> Snapshot:
        return await self._fallback.call(
            "breaker_store",
            lambda: self._shared.snapshot(key, now, config),
            lambda: self._local.snapshot(key, now, config),
        )


class FallbackRateStore:
    """A ``RateStore`` on Redis with the in-process store as fallback."""

    def __init__(self, shared: RateStore, local: RateStore, fallback: RedisFallback):
        self._shared, self._local, self._fallback = shared, local, fallback

    async def take(self, key: str, now: float, rule: RateLimit) -> float:
        return await self._fallback.call(
            "rate_store",
            lambda: self._shared.take(key, now, rule),
            lambda: self._local.take(key, now, rule),
        )

    async def block(self, key: str, until: float) -> None:
        await self._fallback.call(
            "rate_store",
            lambda: self._shared.block(key, until),
            lambda: self._local.block(key, until),
        )
