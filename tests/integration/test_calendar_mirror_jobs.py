"""The mirror's jobs through the real worker: the periodic run and the on-demand branch run."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from tests.clock_support import FakeClock
from tests.log_support import LogCapture
from tests.mirror_support import (
    BRANCH,
    PAIRS,
    FakeMonotonic,
    FakePort,
    add_calcom_tenant,
    connect_demo,
    local_today,
    mirror_rows,
)

from frontdesk import demo
from frontdesk.calendars.calcom.transport import Guard
from frontdesk.calendars.mirror import jobs as mirror_jobs
from frontdesk.calendars.mirror import refresher as mirror_refresher
from frontdesk.calendars.mirror import request_refresh
from frontdesk.calendars.mirror.jobs import REFRESH_KIND
from frontdesk.calendars.port import CalendarPort, ProviderLink
from frontdesk.calendars.providers import CalendarProviders
from frontdesk.db.repositories import mirror as mirror_repo
from frontdesk.db.seed import DemoCredentials
from frontdesk.db.tables import Branch, Job
from frontdesk.domain.model import CalendarProvider, JobState
from frontdesk.jobs.handlers import HANDLER_MODULES, default_registry
from frontdesk.jobs.registry import JobContext
from frontdesk.jobs.worker import Worker
from frontdesk.settings import Settings


class FakeProviders(CalendarProviders):
    """The process's providers, with every link served by one fake port."""

    def __init__(self, clock: FakeClock, port: FakePort) -> None:
        async def sleep(seconds: float) -> None:
            raise AssertionError("no waiting in the mirror")

        guard = Guard.build(clock=clock, monotonic=FakeMonotonic(clock), sleep=sleep)
        super().__init__(Settings(), clock=clock, guard=guard)
        self.fake = port
        self.links: list[ProviderLink] = []

    def port(self, link: ProviderLink) -> CalendarPort:
        self.links.append(link)
        return self.fake


@pytest.fixture
async def providers(clock: FakeClock) -> AsyncIterator[FakeProviders]:
    calendars = FakeProviders(clock, FakePort(clock))
    yield calendars
    await calendars.aclose()


@pytest.fixture
async def calcom(
    demo: DemoCredentials, sessions: async_sessionmaker[AsyncSession]
) -> async_sessionmaker[AsyncSession]:
    await connect_demo(sessions)
    return sessions


def worker(
    sessions: async_sessionmaker[AsyncSession],
    clock: FakeClock,
    calendars: CalendarProviders | None,
) -> Worker:
    return Worker(
        sessions, default_registry(), clock=clock, settings=Settings(), calendars=calendars
    )


def test_the_mirror_module_is_registered() -> None:
    assert "frontdesk.calendars.mirror" in HANDLER_MODULES
    registry = default_registry()
    assert {mirror_jobs.REFRESH_KIND, mirror_jobs.BRANCH_KIND} <= set(registry.kinds())
    periodic = {p.kind: p.every for p in registry.periodic()}
    assert periodic[REFRESH_KIND] == mirror_jobs.RUN_EVERY


async def test_the_periodic_run_fills_the_mirror_through_the_worker(
    calcom: async_sessionmaker[AsyncSession], clock: FakeClock, providers: FakeProviders
) -> None:
    jobs = worker(calcom, clock, providers)
    for _ in range(3):
        await jobs.schedule_periodic()
        await jobs.run_until_idle()
        clock.advance(mirror_jobs.RUN_EVERY)
    rows = await mirror_rows(calcom)
    assert len(rows) == len(PAIRS) * (demo.HORIZON_DAYS + 1)
    assert providers.links[0].tenant_id == demo.demo_id()
    async with calcom() as session:
        states = set((await session.execute(select(Job.state))).scalars())
    assert states == {JobState.SUCCEEDED}


async def test_a_marked_day_is_refreshed_by_the_branch_job(
    calcom: async_sessionmaker[AsyncSession], clock: FakeClock, providers: FakeProviders
) -> None:
    jobs = worker(calcom, clock, providers)
    for _ in range(3):
        await jobs.schedule_periodic()
        await jobs.run_until_idle()
        clock.advance(mirror_jobs.RUN_EVERY)
    tomorrow = local_today(clock) + timedelta(days=1)
    async with calcom() as session:
        await mirror_repo.mark_stale(session, BRANCH, [tomorrow], clock.now)
        await request_refresh(session, demo.demo_id(), BRANCH, clock.now)
        await session.commit()
    providers.fake.calls.clear()
    clock.advance(timedelta(seconds=mirror_jobs.REQUEST_BUCKET_SECONDS))
    assert await jobs.run_until_idle() == 1
    assert len(providers.fake.calls) == len(PAIRS)
    rows = [r for r in await mirror_rows(calcom) if r.day == tomorrow]
    assert all(r.stale_since is None and r.fetched_at == clock.now for r in rows)


async def test_without_calendar_providers_the_handlers_do_nothing(
    calcom: async_sessionmaker[AsyncSession], clock: FakeClock, logs_of: LogCapture
) -> None:
    ctx = JobContext(
        job_id=1,
        kind=REFRESH_KIND,
        attempt=1,
        tenant_id=None,
        sessions=calcom,
        settings=Settings(),
        clock=clock,
        calendars=None,
    )
    payload: dict[str, Any] = {}
    with logs_of(mirror_jobs) as logs:
        await mirror_jobs.refresh_mirrors(ctx, payload)
        await mirror_jobs.refresh_branch(ctx, {"branch_id": str(BRANCH)})
    assert await mirror_rows(calcom) == []
    assert [e["event"] for e in logs] == ["mirror_refresh_skipped"] * 2
    # And through the worker: the periodic job succeeds without touching anything.
    jobs = worker(calcom, clock, None)
    await jobs.schedule_periodic()
    await jobs.run_until_idle()
    async with calcom() as session:
        states = dict((await session.execute(select(Job.kind, Job.state))).all())
    assert states[REFRESH_KIND] == JobState.SUCCEEDED
    assert await mirror_rows(calcom) == []


async def test_one_tenants_failure_does_not_stop_another(
    calcom: async_sessionmaker[AsyncSession], clock: FakeClock, logs_of: LogCapture
) -> None:
    other = await add_calcom_tenant(calcom, "zweiter-salon")
    port = FakePort(clock)

    def ports(link: ProviderLink) -> CalendarPort:
        if link.tenant_id == demo.demo_id():
            raise RuntimeError("adapter bug")
        return port

    refresher = mirror_refresher.MirrorRefresher(
        calcom, ports, clock=clock, monotonic=FakeMonotonic(clock), budget=None
    )
    with logs_of(mirror_refresher) as logs:
        runs = {run.tenant_slug: run for run in await refresher.refresh()}
    assert runs[demo.TENANT_SLUG].stopped == "error"
    assert runs["zweiter-salon"].requests > 0
    assert runs["zweiter-salon"].stopped is None
    assert any(e["event"] == "mirror_refresh_failed" for e in logs)
    assert {r.tenant_id for r in await mirror_rows(calcom)} == {other}


async def test_the_periodic_run_sets_the_age_gauge_and_drops_branches_back_on_builtin(
    calcom: async_sessionmaker[AsyncSession], clock: FakeClock, providers: FakeProviders
) -> None:
    jobs = worker(calcom, clock, providers)
    for _ in range(3):
        await jobs.schedule_periodic()
        await jobs.run_until_idle()
        clock.advance(mirror_jobs.RUN_EVERY)
    # The next run plans over rows fetched 90 s ago at the oldest (the first fill run).
    await jobs.schedule_periodic()
    await jobs.run_until_idle()
    age = REGISTRY.get_sample_value(
        "frontdesk_mirror_oldest_fetched_age_seconds", {"provider": "calcom"}
    )
    assert age == 3 * mirror_jobs.RUN_EVERY.total_seconds()

    async with calcom() as session:
        await session.execute(
            update(Branch)
            .where(Branch.id == BRANCH)
            .values(calendar_provider=CalendarProvider.BUILTIN)
        )
        await session.commit()
    clock.advance(mirror_jobs.RUN_EVERY)
    await jobs.schedule_periodic()
    await jobs.run_until_idle()
    assert await mirror_rows(calcom) == []
