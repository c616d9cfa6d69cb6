"""The per-key request budget: never more than the limit in any window, shared through Redis."""

from __future__ import annotations

import pytest
from tests.clock_support import FakeTime

from frontdesk.resilience.deadline import Deadline
from frontdesk.resilience.ratelimit import (
    MemoryRateStore,
    RateBudget,
    RateBudgetExhausted,
    RateLimit,
    RateStore,
    RedisRateStore,
    key_digest,
)

RULE = RateLimit(limit=5, window=60.0)


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
def store(request: pytest.FixtureRequest) -> RateStore:
    if request.param == "memory":
        return MemoryRateStore()
    return RedisRateStore(request.getfixturevalue("redis_client"))


async def test_requests_within_the_limit_go_at_once(store: RateStore) -> None:
    t = FakeTime()
    budget = RateBudget("calcom", store, t.now, t.sleep, RULE)
    for _ in range(5):
        await budget.acquire("k", Deadline.after(1.0, t.monotonic))
    assert t.sleeps == []


async def test_past_the_limit_a_caller_waits_for_the_oldest_to_leave_the_window(
    store: RateStore,
) -> None:
    t = FakeTime()
    budget = RateBudget("calcom", store, t.now, t.sleep, RULE)
    for _ in range(5):
        await budget.acquire("k", Deadline.after(1.0, t.monotonic))
        t.advance(2.0)
    await budget.acquire("k", Deadline.after(120.0, t.monotonic))
    assert t.sleeps == [pytest.approx(50.0)]  # first request at 0, now 10, window 60


async def test_a_caller_without_time_to_wait_is_refused(store: RateStore) -> None:
    t = FakeTime()
    budget = RateBudget("calcom", store, t.now, t.sleep, RULE)
    for _ in range(5):
        await budget.acquire("k", Deadline.after(1.0, t.monotonic))
    with pytest.raises(RateBudgetExhausted) as info:
        await budget.acquire("k", Deadline.after(2.5, t.monotonic))
    assert info.value.wait == pytest.approx(60.0)


async def test_no_window_ever_holds_more_than_the_limit(store: RateStore) -> None:
    t = FakeTime()
    budget = RateBudget("calcom", store, t.now, t.sleep, RULE)
    sent: list[float] = []
    for _ in range(23):
        await budget.acquire("k", Deadline.after(600.0, t.monotonic))
        sent.append(t.mono)
        t.advance(0.7)
    for i, start in enumerate(sent):
        assert sum(1 for s in sent[i:] if s < start + RULE.window) <= RULE.limit


async def test_keys_have_separate_budgets(store: RateStore) -> None:
    t = FakeTime()
    budget = RateBudget("calcom", store, t.now, t.sleep, RULE)
    for _ in range(5):
        await budget.acquire("a", Deadline.after(1.0, t.monotonic))
    await budget.acquire("b", Deadline.after(1.0, t.monotonic))
    assert t.sleeps == []


async def test_a_429_blocks_the_key_for_everyone(store: RateStore) -> None:
    t = FakeTime()
    first = RateBudget("calcom", store, t.now, t.sleep, RULE)
    second = RateBudget("calcom", store, t.now, t.sleep, RULE)
    await first.block("k", 60.0)
    with pytest.raises(RateBudgetExhausted) as info:
        await second.acquire("k", Deadline.after(2.5, t.monotonic))
    assert info.value.wait == pytest.approx(60.0)
    t.advance(60.0)
    await second.acquire("k", Deadline.after(1.0, t.monotonic))


def test_keys_are_named_by_a_digest_not_by_the_secret() -> None:
    digest = key_digest("cal_live_secret")
    assert "secret" not in digest
    assert digest == key_digest("cal_live_secret")
    assert len(digest) == 32


async def test_a_shared_budget_keeps_its_own_rule_in_the_same_store(store: RateStore) -> None:
    t = FakeTime()
    client = RateBudget("calcom", store, t.now, t.sleep, RULE)
    share = client.share("calcom_mirror", RateLimit(limit=2, window=60.0))
    now = Deadline.after(0.0, t.monotonic)
    await share.acquire("mirror:a", now)
    await share.acquire("mirror:a", now)
    with pytest.raises(RateBudgetExhausted):
        await share.acquire("mirror:a", now)
    # The client's own keys are untouched by the share's spending.
    for _ in range(5):
        await client.acquire("k", Deadline.after(1.0, t.monotonic))
    t.advance(60.0)
    await share.acquire("mirror:a", now)
