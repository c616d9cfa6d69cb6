"""Fault injection: what can go wrong with Cal.com, switched on through ``PUT /_emulator/faults``.

Every draw comes from one ``random.Random`` seeded with ``seed``, so a run with the same faults,
seed and request sequence fails the same way again.
"""

from __future__ import annotations

import random

from pydantic import BaseModel, ConfigDict, Field, model_validator

Rate = Field(default=0.0, ge=0.0, le=1.0)


class Faults(BaseModel):
    """The fault switches; all off by default (the emulator then behaves like a healthy Cal.com)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    seed: int = 0
    # Answer 5xx (``error_status``) instead of handling the request.
    error_rate: float = Rate
    error_status: int = Field(default=500, ge=500, le=599)
    # Hang ``hang_seconds`` (the client should give up first), then answer 504.
    timeout_rate: float = Rate
    hang_seconds: float = Field(default=30.0, ge=0.0, le=600.0)
    # Extra latency per request, uniform in [min, max] milliseconds.
    latency_ms: tuple[int, int] = (0, 0)
    # The next N requests get 429 whatever the counters say (the key is not blocked by them).
    rate_limit_burst: int = Field(default=0, ge=0)
    # Create/reschedule/cancel are applied (booking written, webhooks sent) but answered 500.
    applied_error_rate: float = Rate
    # Webhook deliveries: silently not sent / sent twice / delayed by up to N ms (reorders them).
    webhook_drop_rate: float = Rate
    webhook_duplicate_rate: float = Rate
    webhook_reorder_ms: int = Field(default=0, ge=0, le=60_000)
    # calcom#21169: an API reschedule fires BOOKING_REQUESTED instead of BOOKING_RESCHEDULED.
    reschedule_fires_requested: bool = False

    @model_validator(mode="after")
    def _ordered_latency(self) -> Faults:
        low, high = self.latency_ms
        if not 0 <= low <= high <= 600_000:
            raise ValueError("latency_ms must be [min, max] with 0 <= min <= max <= 600000")
        return self


class Dice:
    """The faults in force and the seeded generator that decides each draw."""

    def __init__(self, faults: Faults | None = None) -> None:
        self.faults = faults or Faults()
        self.rng = random.Random(self.faults.seed)
        self.burst_left = self.faults.rate_limit_burst

    def hit(self, rate: float) -> bool:
        # Draw only for a rate in force, so switching one fault on does not shift the others.
        return rate > 0 and self.rng.random() < rate

    def latency(self) -> float:
        low, high = self.faults.latency_ms
        return self.rng.uniform(low, high) / 1000 if high else 0.0

    def take_burst(self) -> bool:
        if self.burst_left <= 0:
            return False
        self.burst_left -= 1
        return True

    def reorder_delay(self) -> float:
        limit = self.faults.webhook_reorder_ms
        return self.rng.uniform(0, limit) / 1000 if limit else 0.0
