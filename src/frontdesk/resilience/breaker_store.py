"""Where breaker state lives: one process (dict) or all processes (Redis, atomic Lua scripts).

Both stores implement the same three steps, each atomic, each told the time by the caller
(Unix seconds from the injected clock) and each returning the transition it caused, if any:

- ``acquire``: closed → allow; open and cooling → reject; open and cooled → this caller is the
  one half-open probe; half-open with the probe out → reject until the probe's lease ends (a
  prober that died must not wedge the breaker).
- ``failure``: closed → count it in the sliding window, open at the threshold; a failed probe
  reopens. Failures of ordinary calls that finish while the breaker is open change nothing.
- ``success``: a successful probe closes and forgets the failures; other successes change
  nothing (the rule is "N failures within the window", not "N in a row").
"""

from __future__ import annotations

import uuid
from collections import deque
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from redis.asyncio import Redis


class State(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


@dataclass(frozen=True, slots=True)
class BreakerConfig:
    """5 failures within 60 s open the breaker for 30 s; then one probe decides."""

    failure_threshold: int = 5
    window: float = 60.0
    open_for: float = 30.0
    probe_lease: float = 30.0

    def __post_init__(self) -> None:
        if self.failure_threshold < 1 or min(self.window, self.open_for, self.probe_lease) <= 0:
            raise ValueError("breaker thresholds and durations must be positive")

    @property
    def ttl(self) -> int:
        """How long Redis keeps a key no step touched (whole seconds, with slack)."""
        return int(self.window + self.open_for + self.probe_lease) + 5


@dataclass(frozen=True, slots=True)
class Decision:
    """``allowed``: call now (``probe``: as the half-open probe); else wait ``retry_in`` s."""

    allowed: bool
    probe: bool = False
    retry_in: float = 0.0
    transition: tuple[State, State] | None = None


@dataclass(frozen=True, slots=True)
class Snapshot:
    state: State
    until: float | None
    recent_failures: int


class BreakerStore(Protocol):
    async def acquire(self, key: str, now: float, config: BreakerConfig) -> Decision: ...

    async def failure(
        self, key: str, now: float, probe: bool, config: BreakerConfig
    ) -> tuple[State, State] | None: ...

    async def success(self, key: str, now: float, probe: bool) -> tuple[State, State] | None: ...

    async def snapshot(self, key: str, now: float, config: BreakerConfig) -> Snapshot: ...


@dataclass(slots=True)
class _Entry:
    state: State = State.CLOSED
    until: float = 0.0
    failures: deque[float] = field(default_factory=deque)


class MemoryBreakerStore:
    """State of this process only: no awaits inside a step, so each step is atomic."""

    def __init__(self) -> None:
        self._entries: dict[str, _Entry] = {}

    async def acquire(self, key: str, now: float, config: BreakerConfig) -> Decision:
        entry = self._entries.get(key)
        if entry is None or entry.state is State.CLOSED:
            return Decision(allowed=True)
        if now < entry.until:
            return Decision(allowed=False, retry_in=entry.until - now)
        previous = entry.state
        entry.state, entry.until = State.HALF_OPEN, now + config.probe_lease
        moved = (previous, State.HALF_OPEN) if previous is State.OPEN else None
        return Decision(allowed=True, probe=True, transition=moved)

    async def failure(
        self, key: str, now: float, probe: bool, config: BreakerConfig
    ) -> tuple[State, State] | None:
        entry = self._entries.setdefault(key, _Entry())
        if probe:
            if entry.state is not State.HALF_OPEN:
                return None
            entry.state, entry.until = State.OPEN, now + config.open_for
            return (State.HALF_OPEN, State.OPEN)
        if entry.state is not State.CLOSED:
            return None
        entry.failures.append(now)
        while entry.failures and entry.failures[0] <= now - config.window:
            entry.failures.popleft()
        if len(entry.failures) < config.failure_threshold:
            return None
        entry.state, entry.until = State.OPEN, now + config.open_for
        entry.failures.clear()
        return (State.CLOSED, State.OPEN)

    async def success(self, key: str, now: float, probe: bool) -> tuple[State, State] | None:
        entry = self._entries.get(key)
        if not probe or entry is None or entry.state is not State.HALF_OPEN:
            return None
        del self._entries[key]
        return (State.HALF_OPEN, State.CLOSED)

    async def snapshot(self, key: str, now: float, config: BreakerConfig) -> Snapshot:
        entry = self._entries.get(key)
        if entry is None:
            return Snapshot(State.CLOSED, None, 0)
        recent = sum(1 for t in entry.failures if t > now - config.window)
        until = None if entry.state is State.CLOSED else entry.until
        return Snapshot(entry.state, until, recent)


# Lua numbers returned to Redis become integers, so times travel back as strings.
_ACQUIRE = """
local state = redis.call('HGET', KEYS[1], 'state') or 'closed'
if state == 'closed' then return {'allow', '0', ''} end
local now = tonumber(ARGV[1])
local untl = tonumber(redis.call('HGET', KEYS[1], 'until') or '0')
if now < untl then return {'reject', tostring(untl - now), ''} end
redis.call('HSET', KEYS[1], 'state', 'half_open', 'until', tostring(now + tonumber(ARGV[2])))
redis.call('EXPIRE', KEYS[1], ARGV[3])
if state == 'open' then return {'probe', '0', 'open>half_open'} end
return {'probe', '0', ''}
"""
_FAILURE = """
local state = redis.call('HGET', KEYS[1], 'state') or 'closed'
local now = tonumber(ARGV[1])
if ARGV[2] == '1' then
  if state ~= 'half_open' then return '' end
  redis.call('HSET', KEYS[1], 'state', 'open', 'until', tostring(now + tonumber(ARGV[5])))
  redis.call('EXPIRE', KEYS[1], ARGV[7])
  return 'half_open>open'
end
if state ~= 'closed' then return '' end
redis.call('ZADD', KEYS[2], now, ARGV[6])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - tonumber(ARGV[3]))
redis.call('EXPIRE', KEYS[2], ARGV[7])
if redis.call('ZCARD', KEYS[2]) < tonumber(ARGV[4]) then return '' end
redis.call('DEL', KEYS[2])
redis.call('HSET', KEYS[1], 'state', 'open', 'until', tostring(now + tonumber(ARGV[5])))
redis.call('EXPIRE', KEYS[1], ARGV[7])
return 'closed>open'
"""
_SUCCESS = """
if ARGV[1] ~= '1' then return '' end
if (redis.call('HGET', KEYS[1], 'state') or 'closed') ~= 'half_open' then return '' end
redis.call('DEL', KEYS[1], KEYS[2])
return 'half_open>closed'
"""


def _text(raw: bytes | str) -> str:
    return raw.decode() if isinstance(raw, bytes) else raw


def _transition(raw: bytes | str) -> tuple[State, State] | None:
    text = _text(raw)
    if not text:
        return None
    old, new = text.split(">")
    return (State(old), State(new))


class RedisBreakerStore:
    """State shared by every process that uses the same Redis database."""

    def __init__(self, redis: Redis, prefix: str = "fd:breaker:") -> None:
        self._prefix = prefix
        self._acquire = redis.register_script(_ACQUIRE)
        self._failure = redis.register_script(_FAILURE)
        self._success = redis.register_script(_SUCCESS)
        self._redis = redis

    def _keys(self, key: str) -> list[str]:
        return [f"{self._prefix}{key}", f"{self._prefix}{key}:failures"]

    async def acquire(self, key: str, now: float, config: BreakerConfig) -> Decision:
        verdict, retry_in, moved = await self._acquire(
            keys=self._keys(key), args=[repr(now), repr(config.probe_lease), config.ttl]
        )
        verdict = _text(verdict)
        return Decision(
            allowed=verdict != "reject",
            probe=verdict == "probe",
            retry_in=float(retry_in),
            transition=_transition(moved),
        )

    async def failure(
        self, key: str, now: float, probe: bool, config: BreakerConfig
    ) -> tuple[State, State] | None:
        # The member must be unique per failure, or two failures in the same instant count once.
        member = f"{now!r}:{uuid.uuid4().hex}"
        raw = await self._failure(
            keys=self._keys(key),
            args=[
                repr(now),
                "1" if probe else "0",
                repr(config.window),
                config.failure_threshold,
                repr(config.open_for),
                member,
                config.ttl,
            ],
        )
        return _transition(raw)

    async def success(self, key: str, now: float, probe: bool) -> tuple[State, State] | None:
        return _transition(await self._success(keys=self._keys(key), args=["1" if probe else "0"]))

    async def snapshot(self, key: str, now: float, config: BreakerConfig) -> Snapshot:
        main, failures = self._keys(key)
        state_raw, until_raw = await self._redis.hmget(main, ["state", "until"])
        recent = await self._redis.zcount(failures, f"({now - config.window!r}", "+inf")
        state = State(_text(state_raw)) if state_raw else State.CLOSED
        until = float(until_raw) if until_raw and state is not State.CLOSED else None
        return Snapshot(state, until, int(recent))
