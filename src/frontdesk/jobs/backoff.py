"""Retry delays: exponential backoff with "equal jitter".

The ceiling doubles with each attempt up to ``cap``; the delay is half the ceiling plus a random
share of the other half. Half is kept fixed so successive delays never shrink (a retry storm
cannot collapse onto the same instant), the random half spreads workers that failed together.
Below the cap a delay is at least as long as the previous one could have been; at the cap delays
stay within ``[cap/2, cap]``.
"""

from __future__ import annotations

import random
from datetime import timedelta


def backoff_delay(
    attempt: int, base: timedelta, cap: timedelta, rng: random.Random | None = None
) -> timedelta:
    """The delay before retrying after failed attempt number ``attempt`` (1 = the first run).

    ``min(cap, base·2^(attempt−1))`` is the ceiling ``d``; the result lies in ``[d/2, d]``.
    """
    if attempt < 1:
        raise ValueError(f"attempt must be >= 1, got {attempt}")
    if base <= timedelta(0) or cap < base:
        raise ValueError("need 0 < base <= cap")
    # Float seconds: base·2^(attempt−1) as a timedelta overflows long before attempts run out.
    ceiling = min(cap.total_seconds(), base.total_seconds() * 2.0 ** min(attempt - 1, 1023))
    half = ceiling / 2
    return timedelta(seconds=half + half * (rng or random).random())
