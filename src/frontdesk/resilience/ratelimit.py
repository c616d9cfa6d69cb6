"""A request budget per API key, so we never hit a provider's rate limit (Cal.com: 120/min).

Cal.com counts requests per API key in a 60 s window and, past 120, answers 429 and blocks the
key for 60 s — for every process and for the business's other integrations using that key. So
we count first: a sliding log of our own requests per key (in Redis when all processes share
it, otherwise in this process) lets a request go only while fewer than ``limit`` went in the
last ``window`` seconds. A sliding log bounds *every* interval of that length, so whatever
window alignment the provider uses, it never sees more than ``limit`` from us.

Defaults keep a margin below 120 in a 61 s window: requests sent 60 s apart can arrive less
than 60 s apart, and other clients of the same key (Retell's own Cal.com tools, the business's
automations) spend from the same allowance.

If a 429 comes anyway, ``block`` stops every process from sending with that key until the
provider's block ends. Keys are identified by a digest, never by the key itself.
"""

from __future__ import annotations

import hashlib
import uuid
from collections import deque
from dataclasses import dataclass
from typing import Protocol

from redis.asyncio import Redis

from frontdesk.observability.metrics import RATE_BUDGET_THROTTLED
from frontdesk.resilience.clocks import Clock, Sleep, epoch_seconds
from frontdesk.resilience.deadline import Deadline


class RateBudgetExhausted(Exception):
    """No request slot frees up within the caller's deadline."""

    def __init__(self, wait: float) -> None:
        super().__init__(f"rate budget exhausted; next slot in {wait:.2f}s")
        self.wait = wait


@dataclass(frozen=True, slots=True)
class RateLimit:
    limit: int = 110
    window: float = 61.0

    def __post_init__(self) -> None:
        if self.limit < 1 or self.window <= 0:
            raise ValueError("limit and window must be positive")


def key_digest(secret: str) -> str:
    """A stable, non-reversible name for an API key (as Cal.com's own throttler tracks it)."""
    return hashlib.sha256(secret.encode()).hexdigest()[:32]


class RateStore(Protocol):
    async def take(self, key: str, now: float, rule: RateLimit) -> float:
        """Record a request and return 0, or record nothing and return the seconds to wait."""
        ...

    async def block(self, key: str, until: float) -> None: ...


class MemoryRateStore:
    def __init__(self) -> None:
        self._sent: dict[str, deque[float]] = {}
        self._blocked: dict[str, float] = {}

    async def take(self, key: str, now: float, rule: RateLimit) -> float:
        blocked = self._blocked.get(key, 0.0)
        if blocked > now:
            return blocked - now
        sent = self._sent.setdefault(key, deque())
        while sent and sent[0] <= now - rule.window:
            sent.popleft()
        if len(sent) < rule.limit:
            sent.append(now)
            return 0.0
        return sent[0] + rule.window - now

    async def block(self, key: str, until: float) -> None:
        self._blocked[key] = max(until, self._blocked.get(key, 0.0))


_TAKE = """
local now = tonumber(ARGV[1])
local blocked = tonumber(redis.call('GET', KEYS[2]) or '0')
if blocked > now then return tostring(blocked - now) end
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[3]) then
  redis.call('ZADD', KEYS[1], now, ARGV[4])
  redis.call('EXPIRE', KEYS[1], math.ceil(window) + 1)
  return '0'
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return tostring(tonumber(oldest[2]) + window - now)
"""
_BLOCK = """
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local untl = tonumber(ARGV[1])
if untl > current then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
end
return 1
"""


class RedisRateStore:
    def __init__(self, redis: Redis, prefix: str = "fd:rate:") -> None:
        self._prefix = prefix
        self._take = redis.register_script(_TAKE)
        self._block = redis.register_script(_BLOCK)

    async def take(self, key: str, now: float, rule: RateLimit) -> float:
        raw = await self._take(
            keys=[f"{self._prefix}{key}", f"{self._prefix}{key}:blocked"],
            args=[repr(now), repr(rule.window), rule.limit, f"{now!r}:{uuid.uuid4().hex}"],
        )
        return float(raw)

    async def block(self, key: str, until: float) -> None:
        # Expire the marker a little after the block ends; a stale marker is harmless anyway.
        await self._block(keys=[f"{self._prefix}{key}:blocked"], args=[repr(until), 3600])


class RateBudget:
    """Waits for a request slot while the deadline allows, else refuses."""

    def __init__(
        self,
        dependency: str,
        store: RateStore,
        clock: Clock,
        sleep: Sleep,
        rule: RateLimit | None = None,
    ) -> None:
        self.dependency = dependency
        self.rule = rule or RateLimit()
        self._store = store
        self._clock = clock
        self._sleep = sleep

    def share(self, dependency: str, rule: RateLimit) -> RateBudget:
        """Another budget kept in the same store (so seen by the same processes), with its own
        rule: a share of the provider's allowance reserved for one kind of work."""
        return RateBudget(dependency, self._store, self._clock, self._sleep, rule)

    async def acquire(self, key: str, deadline: Deadline) -> None:
        waited = False
        while True:
            wait = await self._store.take(key, epoch_seconds(self._clock), self.rule)
            if wait <= 0:
                if waited:
                    RATE_BUDGET_THROTTLED.labels(dependency=self.dependency, outcome="waited").inc()
                return
            if not deadline.allows(wait):
                RATE_BUDGET_THROTTLED.labels(dependency=self.dependency, outcome="refused").inc()
                raise RateBudgetExhausted(wait)
            waited = True
            await self._sleep(wait)

    async def block(self, key: str, seconds: float) -> None:
        """The provider refused with 429: nobody sends with this key for ``seconds``."""
        await self._store.block(key, epoch_seconds(self._clock) + seconds)
