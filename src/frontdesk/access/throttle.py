"""Failed sign-ins counted per account and per client address, in fixed windows of the clock.

Redis holds the counts when configured, so every process sees the same ones; without it (or
while it is unreachable) the process counts on its own. Windows are numbered from the injected
clock, never from Redis's own time: tests move the clock and the limits follow. A fixed window
lets an attacker try at most twice the limit around a window's edge, which still leaves an
online guess of a password hopeless; a sliding log would cost a sorted set per account.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from redis.asyncio import Redis
from redis.exceptions import RedisError

from frontdesk.domain.clock import Clock
from frontdesk.observability.logging import get_logger

log = get_logger(__name__)


@dataclass(frozen=True, slots=True)
class ThrottleLimits:
    per_account: int = 5
    per_address: int = 20
    window: timedelta = timedelta(minutes=15)


class LoginThrottle:
    def __init__(
        self, clock: Clock, redis: Redis | None = None, limits: ThrottleLimits | None = None
    ) -> None:
        self._clock = clock
        self._redis = redis
        self.limits = limits or ThrottleLimits()
        self._counts: dict[str, int] = {}

    async def retry_after(self, account: str, address: str) -> timedelta | None:
        """How long until the next attempt may be checked, or None when it may be now."""
        window, remaining = self._window()
        for key, limit in self._keys(account, address, window):
            if await self._count(key) >= limit:
                return remaining
        return None

    async def failed(self, account: str, address: str) -> None:
        window, _ = self._window()
        for key, _limit in self._keys(account, address, window):
            await self._add(key)

    async def succeeded(self, account: str) -> None:
        """A correct password clears the account's count (not the address's)."""
        window, _ = self._window()
        key = self._key("account", account, window)
        self._counts.pop(key, None)
        if self._redis is not None:
            try:
                await self._redis.delete(key)
            except RedisError:
                log.warning("login_throttle_redis_unavailable")

    def _window(self) -> tuple[int, timedelta]:
        seconds = int(self.limits.window.total_seconds())
        now = int(self._clock().timestamp())
        window = now // seconds
        return window, timedelta(seconds=(window + 1) * seconds - now)

    def _keys(self, account: str, address: str, window: int) -> tuple[tuple[str, int], ...]:
        return (
            (self._key("account", account.strip().lower(), window), self.limits.per_account),
            (self._key("address", address, window), self.limits.per_address),
        )

    @staticmethod
    def _key(kind: str, value: str, window: int) -> str:
        # Digests, so Redis holds no e-mail or IP address.
        digest = hashlib.sha256(value.encode()).hexdigest()[:32]
        return f"fd:login:{kind}:{digest}:{window}"

    async def _count(self, key: str) -> int:
        if self._redis is not None:
            try:
                value = await self._redis.get(key)
                return int(value or 0)
            except RedisError:
                log.warning("login_throttle_redis_unavailable")
        return self._counts.get(key, 0)

    async def _add(self, key: str) -> None:
        if self._redis is not None:
            try:
                async with self._redis.pipeline(transaction=True) as pipe:
                    pipe.incr(key)
                    pipe.expire(key, int(self.limits.window.total_seconds()) * 2)
                    await pipe.execute()
                return
            except RedisError:
                log.warning("login_throttle_redis_unavailable")
        self._prune(key)
        self._counts[key] = self._counts.get(key, 0) + 1

    def _prune(self, key: str) -> None:
        """Forget counts of earlier windows, so the in-process map stays small."""
        current = key.rsplit(":", 1)[1]
        for old in [k for k in self._counts if k.rsplit(":", 1)[1] != current]:
            del self._counts[old]
