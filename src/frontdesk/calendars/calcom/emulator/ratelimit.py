"""Cal.com's API v2 throttler: per tracker (the API key, else the client address) a fixed
window of ``limit`` requests per ``window_seconds``; the request over the limit is refused
with 429 and the tracker is blocked for ``block_seconds`` (``apps/api/v2/src/lib/
throttler-guard.ts``, calcom.md §1.6). ``X-RateLimit-*-Default`` headers go on every answer."""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class RateLimitConfig:
    limit: int = 120
    window_seconds: float = 60.0
    block_seconds: float = 60.0
    enabled: bool = True


@dataclass(frozen=True, slots=True)
class Verdict:
    allowed: bool
    limit: int
    remaining: int
    reset_seconds: int

    def headers(self) -> dict[str, str]:
        return {
            "X-RateLimit-Limit-Default": str(self.limit),
            "X-RateLimit-Remaining-Default": str(self.remaining),
            "X-RateLimit-Reset-Default": str(self.reset_seconds),
        }


@dataclass(slots=True)
class _Window:
    ends: datetime
    hits: int = 0
    blocked_until: datetime | None = None


@dataclass(slots=True)
class Throttler:
    config: RateLimitConfig = field(default_factory=RateLimitConfig)
    _windows: dict[str, _Window] = field(default_factory=dict)
    # tracker -> "YYYY-MM-DDTHH:MM" -> requests (for GET /_emulator/state)
    per_minute: dict[str, Counter[str]] = field(default_factory=dict)

    def hit(self, tracker: str, now: datetime) -> Verdict:
        self.per_minute.setdefault(tracker, Counter())[now.strftime("%Y-%m-%dT%H:%M")] += 1
        limit = self.config.limit
        window = self._windows.get(tracker)
        if window and window.blocked_until and now < window.blocked_until:
            return Verdict(False, limit, 0, _seconds(window.blocked_until - now))
        if window is None or now >= window.ends or window.blocked_until:
            window = _Window(ends=now + timedelta(seconds=self.config.window_seconds))
            self._windows[tracker] = window
        window.hits += 1
        if self.config.enabled and window.hits > limit:
            window.blocked_until = now + timedelta(seconds=self.config.block_seconds)
            return Verdict(False, limit, 0, _seconds(window.blocked_until - now))
        return Verdict(True, limit, max(0, limit - window.hits), _seconds(window.ends - now))

    def reset(self) -> None:
        self._windows.clear()
        self.per_minute.clear()


def tracker_of(authorization: str | None, client_host: str | None) -> str:
    """Cal.com tracks by a digest of the API key when one is sent, else by the address."""
    if authorization and authorization.lower().startswith("bearer "):
        digest = hashlib.sha256(authorization[7:].strip().encode()).hexdigest()[:16]
        return f"api_key:{digest}"
    return f"ip:{client_host or 'unknown'}"


def _seconds(delta: timedelta) -> int:
    return max(0, math.ceil(delta.total_seconds()))
