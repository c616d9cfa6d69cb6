"""Retry delays: exponential growth, equal jitter, a cap, and never shrinking below the cap."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from frontdesk.jobs.backoff import backoff_delay

BASE = timedelta(seconds=10)
CAP = timedelta(hours=1)


class Fixed(random.Random):
    """A "random" source that always draws the same value."""

    def __init__(self, value: float) -> None:
        super().__init__()
        self.value = value

    def random(self) -> float:
        return self.value


def test_first_retry_waits_between_half_base_and_base() -> None:
    assert backoff_delay(1, BASE, CAP, Fixed(0.0)) == timedelta(seconds=5)
    assert backoff_delay(1, BASE, CAP, Fixed(0.999999)) < BASE


def test_ceiling_doubles_per_attempt_until_the_cap() -> None:
    lows = [backoff_delay(n, BASE, CAP, Fixed(0.0)) for n in range(1, 11)]
    assert lows[:5] == [timedelta(seconds=s) for s in (5, 10, 20, 40, 80)]
    assert lows[-1] == CAP / 2


def test_huge_attempt_numbers_stay_at_the_cap() -> None:
    assert backoff_delay(10_000, BASE, CAP, Fixed(0.5)) == CAP * 0.75


@pytest.mark.parametrize(
    ("attempt", "base", "cap"),
    [(0, BASE, CAP), (1, timedelta(0), CAP), (1, CAP, BASE)],
)
def test_nonsense_arguments_are_refused(attempt: int, base: timedelta, cap: timedelta) -> None:
    with pytest.raises(ValueError, match=r"must be|need"):
        backoff_delay(attempt, base, cap)


@given(
    attempt=st.integers(min_value=1, max_value=200),
    base_ms=st.integers(min_value=1, max_value=60_000),
    cap_factor=st.integers(min_value=1, max_value=10_000),
    seed=st.integers(),
)
def test_delay_lies_between_half_the_ceiling_and_the_ceiling(
    attempt: int, base_ms: int, cap_factor: int, seed: int
) -> None:
    base = timedelta(milliseconds=base_ms)
    cap = base * cap_factor
    ceiling = min(cap, base * 2 ** min(attempt - 1, 40))
    delay = backoff_delay(attempt, base, cap, random.Random(seed))
    tolerance = timedelta(microseconds=1)
    assert ceiling / 2 - tolerance <= delay <= ceiling + tolerance


@given(
    attempt=st.integers(min_value=1, max_value=30),
    first=st.floats(min_value=0, max_value=1, exclude_max=True),
    second=st.floats(min_value=0, max_value=1, exclude_max=True),
)
def test_successive_delays_never_shrink(attempt: int, first: float, second: float) -> None:
    """Whatever the jitter draws: below the cap the next delay is at least the previous one;
    at the cap both stay within [cap/2, cap]."""
    now = backoff_delay(attempt, BASE, CAP, Fixed(first))
    following = backoff_delay(attempt + 1, BASE, CAP, Fixed(second))
    if BASE * 2**attempt <= CAP:
        assert following >= now - timedelta(microseconds=1)
    else:
        assert CAP / 2 - timedelta(microseconds=1) <= following <= CAP
