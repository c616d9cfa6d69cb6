"""The availability mirror is filled ahead of calls, within its share of Cal.com's rate limit.

Every test runs on SQLite and PostgreSQL, on the test's fake clock, against an in-memory port.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from tests.calendar_support import TEAM_ID
from tests.clock_support import FakeClock
from tests.log_support import LogCapture
from tests.mirror_support import (
    BERLIN,
    BRANCH,
    DAYS,
    EVENT_TYPES,
    HOSTS,
    PAIRS,
    FakePort,
    connect_demo,
    day_versions,
    local_today,
    mirror_rows,
    refresher,
)

from frontdesk import demo
from frontdesk.calendars.errors import CalendarAuthFailed, CalendarUnavailable
from frontdesk.calendars.mirror import refresher as mirror_refresher
from frontdesk.calendars.mirror import request_refresh
from frontdesk.calendars.mirror.jobs import BRANCH_KIND, RUN_EVERY
from frontdesk.calendars.mirror.plan import BACKOFF_FIRST, DAYS_PER_REQUEST, NEAR_REFRESH
from frontdesk.calendars.mirror.refresher import (
    MAX_FAILURES_PER_RUN,
    MIRROR_RATE,
    MIRROR_REQUESTS_PER_RUN,
)
from frontdesk.calendars.port import ProviderLink
from frontdesk.db.repositories import mirror as mirror_repo
from frontdesk.db.seed import DemoCredentials
from frontdesk.db.tables import Job, ServiceStaff

HERREN = str(EVENT_TYPES["herrenhaarschnitt"])
DAMEN = str(EVENT_TYPES["damenhaarschnitt"])
MIA = str(HOSTS["mia"])
JONAS = str(HOSTS["jonas"])
# 14 pairs × ceil(61 / 14) = 5 requests each
FILL_REQUESTS = len(PAIRS) * -(-DAYS // DAYS_PER_REQUEST)


@pytest.fixture
async def calcom(
    demo: DemoCredentials, sessions: async_sessionmaker[AsyncSession]
) -> async_sessionmaker[AsyncSession]:
    await connect_demo(sessions)
    return sessions


async def fill(
    sessions: async_sessionmaker[AsyncSession], clock: FakeClock, port: FakePort
) -> None:
    """Runs every 30 s until the whole horizon is mirrored (three runs for the demo)."""
    fresh = refresher(sessions, clock, port)
    for _ in range(3):
        await fresh.refresh()
        clock.advance(RUN_EVERY)


async def test_every_pair_and_day_of_the_horizon_is_filled_within_three_runs(
    calcom: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    port = FakePort(clock)
    links: list[ProviderLink] = []
    fresh = refresher(calcom, clock, port, links)
    runs = []
    for _ in range(3):
        runs.append(await fresh.refresh())
        clock.advance(RUN_EVERY)

    assert [run[0].requests for run in runs] == [30, 30, FILL_REQUESTS - 60]
    today = local_today(clock)
    rows = await mirror_rows(calcom)
    assert {(r.event_type, r.host) for r in rows} == set(PAIRS)
    assert len(rows) == len(PAIRS) * DAYS
    assert {r.day for r in rows} == {today + timedelta(days=i) for i in range(DAYS)}
    assert all(r.fetched_at is not None and r.error is None for r in rows)
    assert all(len(r.slots) == 2 for r in rows)
    assert all(len(call.hosts) == 1 and call.time_zone == "Europe/Berlin" for call in port.calls)
    assert max((c.end - c.start) for c in port.calls) <= timedelta(days=DAYS_PER_REQUEST, hours=1)
    # The port was built from the tenant's and branch's rows.
    assert links[0].tenant_slug == demo.TENANT_SLUG
    assert links[0].config == {"team_id": TEAM_ID}
    # Everything fresh: the next run asks nothing.
    assert (await fresh.refresh())[0].requests == 0


async def test_the_nearest_days_are_due_again_first(
    calcom: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    port = FakePort(clock)
    await fill(calcom, clock, port)
    port.calls.clear()
    clock.advance(NEAR_REFRESH)
    await refresher(calcom, clock, port).refresh()
    today = local_today(clock)
    # Days 0-2 of every pair (one request each); the farther tiers are not due yet.
    assert len(port.calls) == len(PAIRS)
    first_days = {c.start.astimezone(BERLIN).date() for c in port.calls}
    last_days = {(c.end.astimezone(BERLIN) - timedelta(seconds=1)).date() for c in port.calls}
    assert first_days <= {today - timedelta(days=1), today}
    assert max(last_days) <= today + timedelta(days=2)


async def test_days_are_keyed_in_the_branch_zone_across_a_dst_change(
    calcom: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    clock.now = datetime(2027, 3, 26, 8, 0, tzinfo=BERLIN).astimezone(UTC)
    port = FakePort(clock)
    switch = date(2027, 3, 28)  # 02:00 CET -> 03:00 CEST
    # A slot half an hour after local midnight lies on the previous UTC date.
    port.starts[(HERREN, JONAS, switch)] = [time(0, 30), time(9)]
    await fill(calcom, clock, port)

    rows = {
        (r.event_type, r.host, r.day): r.slots
        for r in await mirror_rows(calcom)
        if r.day in (switch - timedelta(days=1), switch, switch + timedelta(days=1))
    }
    assert rows[(HERREN, JONAS, switch)] == [
        ["2027-03-27T23:30:00+00:00", "2027-03-28T00:00:00+00:00"],
        ["2027-03-28T07:00:00+00:00", "2027-03-28T07:30:00+00:00"],
    ]
    assert rows[(HERREN, JONAS, switch - timedelta(days=1))][0][0] == "2027-03-27T08:00:00+00:00"
    assert rows[(HERREN, JONAS, switch + timedelta(days=1))][0][0] == "2027-03-29T07:00:00+00:00"
    # Requests cover whole local days: from a local midnight to a local midnight.
    first = next(c for c in port.calls if c.event_type == HERREN and c.hosts == (JONAS,))
    assert first.start == datetime(2027, 3, 25, 23, 0, tzinfo=UTC)
    assert first.end == datetime(2027, 4, 8, 22, 0, tzinfo=UTC)


async def test_only_days_whose_slots_changed_get_a_new_version(
    calcom: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    port = FakePort(clock)
    await fill(calcom, clock, port)
    before = await day_versions(calcom)
    today = local_today(clock)
    assert set(before) == {today + timedelta(days=i) for i in range(DAYS)}

    tomorrow = today + timedelta(days=1)
    port.starts[(HERREN, JONAS, tomorrow)] = [time(10)]  # 09:00 was booked elsewhere
    clock.advance(NEAR_REFRESH)
    runs = await refresher(calcom, clock, port).refresh()
    after = await day_versions(calcom)

    assert runs[0].days == len(PAIRS) * 3
    assert runs[0].changed == 1
    assert {day for day in after if after[day] != before[day]} == {tomorrow}
    assert after[tomorrow] == before[tomorrow] + 1


async def test_stale_days_are_fetched_first_and_become_fresh(
    calcom: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    port = FakePort(clock)
    await fill(calcom, clock, port)
    today = local_today(clock)
    far = today + timedelta(days=40)
    async with calcom() as session:
        await mirror_repo.mark_stale(session, BRANCH, [far], clock.now)
        await session.commit()
    clock.advance(NEAR_REFRESH)  # days 0-2 of every pair are due as well
    port.calls.clear()
    await refresher(calcom, clock, port).refresh()

    stale_pairs = {(c.event_type, c.hosts[0]) for c in port.calls[: len(PAIRS)]}
    assert stale_pairs == set(PAIRS)
    assert all(c.start.astimezone(BERLIN).date() == far for c in port.calls[: len(PAIRS)])
    rows = [r for r in await mirror_rows(calcom) if r.day == far]
    assert all(r.stale_since is None and r.fetched_at == clock.now for r in rows)


async def test_a_mark_landing_while_the_request_is_in_flight_keeps_the_day_stale(
    calcom: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    port = FakePort(clock)
    await fill(calcom, clock, port)
    tomorrow = local_today(clock) + timedelta(days=1)
    clock.advance(NEAR_REFRESH)

    class MarkingPort(FakePort):
        async def free_slots(self, event_type, start, end, **kwargs):  # type: ignore[no-untyped-def]
            answer = await super().free_slots(event_type, start, end, **kwargs)
            async with calcom() as session:  # a booking commits meanwhile
                await mirror_repo.mark_stale(session, BRANCH, [tomorrow], clock.now)
                await session.commit()
            return answer

    await refresher(calcom, clock, MarkingPort(clock)).refresh()
    rows = [r for r in await mirror_rows(calcom) if r.day == tomorrow]
    assert all(r.stale_since is not None and r.refresh_after <= clock.now for r in rows)


async def test_a_failed_request_keeps_the_old_slots_with_error_and_age_and_backs_off(
    calcom: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    port = FakePort(clock)
    await fill(calcom, clock, port)
    today = local_today(clock)
    near = today + timedelta(days=2)
    before = {
        (r.host, r.day): r.fetched_at for r in await mirror_rows(calcom) if r.event_type == HERREN
    }
    port.failing[HERREN] = CalendarUnavailable(
        "Cal.com did not answer", reason="timeout", maybe_applied=False
    )
    clock.advance(NEAR_REFRESH)
    run = (await refresher(calcom, clock, port).refresh())[0]
    # Three hosts of the failing event type in a row: the run stops there.
    assert run.failures == MAX_FAILURES_PER_RUN

    async with calcom() as session:
        days = await mirror_repo.load_days(session, BRANCH, today, near)
    herren = [d for d in days if d.event_type == HERREN]
    assert len(herren) == 3 * 3
    assert all(len(d.slots) == 2 for d in herren)
    # Served stale: the old slots with their age (now - fetched_at), not a gap.
    assert all(d.fetched_at == before[(d.host, d.day)] for d in herren)
    assert all(d.fetched_at is not None and d.fetched_at < clock.now for d in herren)
    rows = [r for r in await mirror_rows(calcom) if r.event_type == HERREN and r.day <= near]
    failed = [r for r in rows if r.error]
    assert failed
    assert all(r.error.startswith("[attempt 1] timeout:") for r in failed)
    assert all(r.refresh_after == clock.now + BACKOFF_FIRST for r in failed)

    # Not asked again before the backoff ends; then the second failure waits twice as long.
    port.calls.clear()
    await refresher(calcom, clock, port).refresh()
    assert not [c for c in port.calls if c.event_type == HERREN]
    clock.advance(BACKOFF_FIRST)
    await refresher(calcom, clock, port).refresh()
    rows = [r for r in await mirror_rows(calcom) if r.event_type == HERREN and r.error]
    assert rows
    assert all(r.error.startswith("[attempt 2]") for r in rows)
    assert all(r.refresh_after == clock.now + 2 * BACKOFF_FIRST for r in rows)

    # Recovery clears the error.
    del port.failing[HERREN]
    clock.advance(2 * BACKOFF_FIRST)
    await refresher(calcom, clock, port).refresh()
    assert not [r for r in await mirror_rows(calcom) if r.error]


@pytest.mark.parametrize("reason", ["breaker_open", "rate_budget", "rate_limited"])
async def test_an_open_breaker_or_spent_budget_ends_the_run_at_once(
    calcom: async_sessionmaker[AsyncSession], clock: FakeClock, reason: str
) -> None:
    port = FakePort(clock)
    for event_type in EVENT_TYPES.values():
        port.failing[str(event_type)] = CalendarUnavailable(
            "no", reason=reason, maybe_applied=False, retry_in=60.0
        )
    run = (await refresher(calcom, clock, port).refresh())[0]
    assert len(port.calls) == 1
    assert run.stopped == reason


async def test_a_slow_provider_is_asked_at_most_three_times_per_run(
    calcom: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    port = FakePort(clock)
    for event_type in EVENT_TYPES.values():
        port.failing[str(event_type)] = CalendarUnavailable(
            "slow", reason="timeout", maybe_applied=False
        )
    run = (await refresher(calcom, clock, port).refresh())[0]
    assert len(port.calls) == MAX_FAILURES_PER_RUN
    assert run.stopped == "failures"


async def test_a_bad_key_is_one_warning_per_run_without_the_key(
    calcom: async_sessionmaker[AsyncSession], clock: FakeClock, logs_of: LogCapture
) -> None:
    port = FakePort(clock)
    for event_type in EVENT_TYPES.values():
        port.failing[str(event_type)] = CalendarAuthFailed("Invalid API key", status=401)
    with logs_of(mirror_refresher) as logs:
        runs = await refresher(calcom, clock, port).refresh()
    assert len(port.calls) == 1
    assert runs[0].stopped == "auth_failed"
    warnings = [e for e in logs if e["log_level"] == "warning"]
    assert len(warnings) == 1
    assert warnings[0]["event"] == "mirror_key_refused"
    assert warnings[0]["tenant"] == demo.TENANT_SLUG
    assert await mirror_rows(calcom) == []


async def test_rows_of_unlinked_pairs_and_past_days_are_deleted(
    calcom: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    port = FakePort(clock)
    await fill(calcom, clock, port)
    async with calcom() as session:
        await session.execute(
            delete(ServiceStaff).where(
                ServiceStaff.service_id == demo.demo_id("service", "damenhaarschnitt"),
                ServiceStaff.staff_id == demo.demo_id("staff", "mia"),
            )
        )
        await session.commit()
    clock.advance(timedelta(days=2))
    await refresher(calcom, clock, port).refresh()

    rows = await mirror_rows(calcom)
    today = local_today(clock)
    assert (DAMEN, MIA) not in {(r.event_type, r.host) for r in rows}
    assert min(r.day for r in rows) == today


async def test_the_mirror_never_exceeds_its_share_of_the_rate_limit(
    calcom: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    """Worst case for six simulated minutes: every day of the horizon marked stale every 10 s,
    an on-demand branch run every 10 s and the periodic run every 30 s."""
    port = FakePort(clock)
    fresh = refresher(calcom, clock, port)
    today = local_today(clock)
    horizon = [today + timedelta(days=i) for i in range(DAYS)]
    start = clock.now
    for tick in range(36):
        async with calcom() as session:
            await mirror_repo.mark_stale(session, BRANCH, horizon, clock.now)
            await session.commit()
        runs = await fresh.refresh(BRANCH)
        if tick % 3 == 0:
            runs += await fresh.refresh()
        assert all(run.requests <= MIRROR_REQUESTS_PER_RUN for run in runs)
        clock.advance(timedelta(seconds=10))

    sent = sorted(call.at for call in port.calls)
    assert len(sent) >= 5 * MIRROR_RATE.limit  # the share is used, not starved
    per_minute = Counter(int((at - start).total_seconds()) // 60 for at in sent)
    assert max(per_minute.values()) <= MIRROR_RATE.limit
    # Every 60 s window (sliding, not only aligned minutes): Cal.com blocks the key above 120.
    for i, first in enumerate(sent):
        in_window = sum(1 for at in sent[i:] if at < first + timedelta(seconds=60))
        assert in_window <= MIRROR_RATE.limit < 120


async def test_request_refresh_enqueues_one_branch_job_per_ten_seconds(
    calcom: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    clock.now = clock.now.replace(second=0, microsecond=0)
    async with calcom() as session:
        first = await request_refresh(session, demo.demo_id(), BRANCH, clock.now)
        again = await request_refresh(
            session, demo.demo_id(), BRANCH, clock.now + timedelta(seconds=9)
        )
        later = await request_refresh(
            session, demo.demo_id(), BRANCH, clock.now + timedelta(seconds=10)
        )
        await session.commit()
    assert first is not None
    assert again is None
    assert later is not None
    async with calcom() as session:
        job = (await session.execute(select(Job).where(Job.id == first))).scalar_one()
    assert job.kind == BRANCH_KIND
    assert job.payload == {"branch_id": str(BRANCH)}
    assert job.run_after == clock.now + timedelta(seconds=10)
