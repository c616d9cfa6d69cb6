"""The mirror's refresher: asks the provider for the planned days within the mirror's rate
share and stores what it answers.

The rate budget: Cal.com allows 120 requests per minute per API key and then blocks the key
for 60 s. The client keeps every process below 110 per 61 s; the mirror takes a smaller share
so a booking always finds room: at most ``MIRROR_REQUESTS_PER_RUN`` per run and tenant, and a
sliding log of at most ``MIRROR_RATE`` (60 per 60 s) per tenant across all runs and processes
(in Redis when configured), which also bounds on-demand runs. Bookings keep at least 50 of
the client's 110.

Failures keep the old slots (the search serves them with their age, now − ``fetched_at``),
record the error and back off (``plan.backoff``). An open breaker, an exhausted budget or a
429 end the tenant's run at once; a bad key ends it with one warning per run. Nothing here is
on a call's path.

Versions: the day's ``booking_day`` version is bumped, in the transaction that stores the
slots, only for days whose slots changed (or were unknown), so every process re-reads exactly
those days.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import groupby
from zoneinfo import ZoneInfo

from frontdesk.calendars.errors import CalendarAuthFailed, CalendarError, CalendarUnavailable
from frontdesk.calendars.mirror.plan import (
    Fetch,
    backoff,
    by_local_day,
    failure_text,
    local_window,
    outside,
    plan_branch,
    refresh_due,
)
from frontdesk.calendars.port import CalendarPort, ProviderLink
from frontdesk.db.engine import SessionFactory, reading
from frontdesk.db.repositories import catalog as catalog_rows
from frontdesk.db.repositories import mirror as mirror_rows
from frontdesk.db.repositories.mirror import BranchLink, DayState, Slots
from frontdesk.domain.clock import Clock
from frontdesk.failures import Kind, classify, count
from frontdesk.observability.logging import get_logger
from frontdesk.observability.metrics import (
    MIRROR_DAYS_REFRESHED,
    MIRROR_OLDEST_FETCHED_AGE,
    MIRROR_REQUESTS,
)
from frontdesk.resilience.clocks import Monotonic
from frontdesk.resilience.deadline import Deadline
from frontdesk.resilience.ratelimit import RateBudget, RateBudgetExhausted, RateLimit

log = get_logger(__name__)

# The mirror's share of a tenant's Cal.com allowance (see the module docstring): with a run
# every 30 s, 30 per run is 60 per minute at worst, and the sliding log holds that bound
# for any 60 s however runs (periodic, on demand, several workers) fall.
MIRROR_REQUESTS_PER_RUN = 30
MIRROR_RATE = RateLimit(limit=60, window=60.0)
MIRROR_BUDGET_DEPENDENCY = "calcom_mirror"

# One request's time; a run stops starting requests after RUN_SECONDS so it ends before the
# next period's run would start.
REQUEST_SECONDS = 10.0
RUN_SECONDS = 25.0
# Unavailable answers that do not end the run at once end it after this many (a slow Cal.com
# is not asked 30 times in a row).
MAX_FAILURES_PER_RUN = 3
# Reasons that say every further request of the run would fail the same way, unsent or blocked.
STOP_REASONS = frozenset({"breaker_open", "rate_budget", "rate_limited"})
# At most this many tenants refresh at once in one process (each runs its requests in turn).
TENANTS_AT_ONCE = 4


@dataclass
class TenantRun:
    """One tenant's run: what it spent and why it stopped."""

    tenant_slug: str
    requests: int = 0
    failures: int = 0
    days: int = 0
    changed: int = 0
    stopped: str | None = None
    # The oldest fetched_at of the tenant's mirrored days when the run planned (age gauge).
    oldest: dict[str, datetime] = field(default_factory=dict)
    ports: dict[uuid.UUID, CalendarPort] = field(default_factory=dict)


PortFactory = Callable[[ProviderLink], CalendarPort]


class MirrorRefresher:
    """Fills the mirror of a set of branches within the mirror's share of the rate budget."""

    def __init__(
        self,
        sessions: SessionFactory,
        ports: PortFactory,
        *,
        clock: Clock,
        monotonic: Monotonic,
        budget: RateBudget | None,
    ) -> None:
        self._sessions = sessions
        self._ports = ports
        self._clock = clock
        self._monotonic = monotonic
        self._budget = budget

    async def refresh(self, branch_id: uuid.UUID | None = None) -> list[TenantRun]:
        """Refresh every outside branch (or one), tenants side by side, each on its own."""
        async with reading(self._sessions) as session:
            branches = await mirror_rows.links(session, branch_id=branch_id)
        tenants = [list(g) for _, g in groupby(branches, key=lambda b: b.tenant_id)]
        gate = asyncio.Semaphore(TENANTS_AT_ONCE)

        async def one(group: list[BranchLink]) -> TenantRun:
            async with gate:
                return await self._guarded(group)

        return list(await asyncio.gather(*(one(group) for group in tenants)))

    async def _guarded(self, branches: list[BranchLink]) -> TenantRun:
        try:
            return await self.refresh_tenant(branches)
        except Exception as exc:
            # Catch-all on purpose: one tenant's failure must not stop the others. Classified
            # (ADR 0018): a bug keeps its traceback, a dependency that failed is one line.
            failure = classify(exc)
            count(failure, "mirror_refresh")
            tenant = branches[0].tenant_slug
            if failure.kind is Kind.BUG:
                log.error("mirror_refresh_failed", tenant=tenant, error_kind="bug", exc_info=exc)
            else:
                log.warning(
                    "mirror_refresh_failed",
                    tenant=tenant,
                    error_kind=failure.kind,
                    error_code=failure.code,
                    error=f"{type(exc).__name__}: {exc}"[:300],
                )
            return TenantRun(tenant, stopped="error")

    async def refresh_tenant(self, branches: Sequence[BranchLink]) -> TenantRun:
        """One tenant's run over its branches: plan, then the most urgent requests first."""
        run = TenantRun(branches[0].tenant_slug)
        fetches: list[Fetch] = []
        for branch in branches:
            fetches.extend(await self._plan(run, branch))
        fetches.sort(key=lambda f: f.urgency)
        started = self._monotonic()
        for fetch in fetches:
            run.stopped = await self._gate(run, fetch, started)
            if run.stopped is not None:
                break
            await self._fetch(run, fetch)
            if run.stopped is not None:
                break
        if run.requests:
            log.info(
                "mirror_refreshed",
                tenant=run.tenant_slug,
                requests=run.requests,
                days=run.days,
                changed=run.changed,
                failures=run.failures,
                stopped=run.stopped,
                pending=len(fetches) - run.requests,
            )
        return run

    async def _plan(self, run: TenantRun, branch: BranchLink) -> list[Fetch]:
        now = self._clock()
        today = now.astimezone(ZoneInfo(branch.timezone)).date()
        async with reading(self._sessions) as session:
            pairs = await mirror_rows.pairs(session, branch.branch_id)
            states = await mirror_rows.day_states(session, branch.branch_id)
        keep = outside(pairs, states, today)
        if keep is not None:
            async with self._sessions() as session:
                await mirror_rows.delete_outside(session, branch.branch_id, keep)
                await session.commit()
            states = [s for s in states if (s.event_type, s.host) in keep and s.day >= today]
        _note_oldest(run, str(branch.provider), states)
        return plan_branch(branch, pairs, states, today, now)

    async def _gate(self, run: TenantRun, fetch: Fetch, started: float) -> str | None:
        """Why no further request may start in this run, or None."""
        if run.requests >= MIRROR_REQUESTS_PER_RUN:
            return "run_share"
        if self._monotonic() - started >= RUN_SECONDS:
            return "run_time"
        if self._budget is not None:
            try:
                await self._budget.acquire(
                    f"mirror:{fetch.branch.tenant_id}", Deadline.after(0.0, self._monotonic)
                )
            except RateBudgetExhausted:
                return "mirror_budget"
        return None

    def _port(self, run: TenantRun, branch: BranchLink) -> CalendarPort:
        port = run.ports.get(branch.branch_id)
        if port is None:
            port = self._ports(
                ProviderLink(
                    tenant_id=branch.tenant_id,
                    tenant_slug=branch.tenant_slug,
                    provider=branch.provider,
                    sealed_key=branch.sealed_key,
                    api_url=branch.api_url,
                    config=branch.config,
                )
            )
            run.ports[branch.branch_id] = port
        return port

    async def _fetch(self, run: TenantRun, fetch: Fetch) -> None:
        branch = fetch.branch
        zone = ZoneInfo(branch.timezone)
        start, end = local_window(fetch.days, zone)
        requested_at = self._clock()
        run.requests += 1
        try:
            port = self._port(run, branch)
            found = await port.free_slots(
                fetch.event_type,
                start,
                end,
                time_zone=branch.timezone,
                hosts=[fetch.host],
                deadline=Deadline.after(REQUEST_SECONDS, self._monotonic),
            )
        except CalendarAuthFailed as exc:
            # The tenant's key is wrong or gone: every request would fail alike. One warning
            # per run, with the tenant, never the key; the days keep their slots and age.
            _count(branch, "auth_failed")
            log.warning("mirror_key_refused", tenant=branch.tenant_slug, error=exc.message)
            run.stopped = "auth_failed"
            return
        except CalendarError as exc:
            await self._failed(run, fetch, exc)
            return
        _count(branch, "ok")
        await self._store(run, fetch, by_local_day(found, fetch.days, zone), requested_at)

    async def _store(
        self, run: TenantRun, fetch: Fetch, slots: dict[date, Slots], requested_at: datetime
    ) -> None:
        branch = fetch.branch
        refresh_after = {
            day: refresh_due((day - fetch.today).days, requested_at) for day in fetch.days
        }
        async with self._sessions() as session:
            changed = await mirror_rows.changed_days(
                session, branch.branch_id, fetch.event_type, fetch.host, slots
            )
            # Versions first: the lock order every writer keeps (repositories/mirror.py).
            if changed:
                await catalog_rows.bump_booking_days(
                    session, branch.tenant_id, branch.branch_id, changed
                )
            await mirror_rows.store_fetched(
                session,
                tenant_id=branch.tenant_id,
                branch_id=branch.branch_id,
                event_type=fetch.event_type,
                host=fetch.host,
                slots=slots,
                refresh_after=refresh_after,
                seen=fetch.seen,
                fetched_at=requested_at,
            )
            await session.commit()
        run.days += len(slots)
        run.changed += len(changed)
        provider = str(branch.provider)
        MIRROR_DAYS_REFRESHED.labels(provider=provider, changed="yes").inc(len(changed))
        MIRROR_DAYS_REFRESHED.labels(provider=provider, changed="no").inc(len(slots) - len(changed))

    async def _failed(self, run: TenantRun, fetch: Fetch, exc: CalendarError) -> None:
        branch = fetch.branch
        attempt = fetch.attempts + 1
        wait = backoff(attempt)
        retry_in = getattr(exc, "retry_in", None)
        if retry_in:
            wait = max(wait, timedelta(seconds=retry_in))
        async with self._sessions() as session:
            await mirror_rows.record_failure(
                session,
                tenant_id=branch.tenant_id,
                branch_id=branch.branch_id,
                event_type=fetch.event_type,
                host=fetch.host,
                days=fetch.days,
                error=failure_text(attempt, exc),
                refresh_after=self._clock() + wait,
            )
            await session.commit()
        unavailable = isinstance(exc, CalendarUnavailable)
        _count(branch, "unavailable" if unavailable else "refused")
        log.info(
            "mirror_fetch_failed",
            tenant=branch.tenant_slug,
            event_type=fetch.event_type,
            host=fetch.host,
            first_day=fetch.days[0].isoformat(),
            error=type(exc).__name__,
            reason=getattr(exc, "reason", None),
            attempt=attempt,
        )
        if isinstance(exc, CalendarUnavailable):
            run.failures += 1
            if exc.reason in STOP_REASONS:
                run.stopped = exc.reason
            elif run.failures >= MAX_FAILURES_PER_RUN:
                run.stopped = "failures"

    async def cleanup(self) -> None:
        """Drop the rows of branches back on the built-in calendar; asked by a read first, so
        the usual run (nothing to drop) never takes SQLite's writer lock."""
        async with reading(self._sessions) as session:
            if not await mirror_rows.any_unmirrored(session):
                return
        async with self._sessions() as session:
            await mirror_rows.delete_unmirrored(session)
            await session.commit()


def _note_oldest(run: TenantRun, provider: str, states: Sequence[DayState]) -> None:
    fetched = [s.fetched_at for s in states if s.fetched_at is not None]
    if fetched:
        current = run.oldest.get(provider)
        run.oldest[provider] = min(fetched) if current is None else min(current, *fetched)


def measure(runs: Sequence[TenantRun], now: datetime) -> None:
    """Set the age gauge from a periodic run over every outside branch."""
    oldest: dict[str, datetime] = {}
    for run in runs:
        for provider, fetched_at in run.oldest.items():
            oldest[provider] = min(fetched_at, oldest.get(provider, fetched_at))
    for provider, fetched_at in oldest.items():
        MIRROR_OLDEST_FETCHED_AGE.labels(provider=provider).set(
            max(0.0, (now - fetched_at).total_seconds())
        )


def _count(branch: BranchLink, outcome: str) -> None:
    MIRROR_REQUESTS.labels(provider=str(branch.provider), outcome=outcome).inc()


def mirror_budget(budget: RateBudget) -> RateBudget:
    """The mirror's share, kept in the same store as the client's budget ``budget``."""
    return budget.share(MIRROR_BUDGET_DEPENDENCY, MIRROR_RATE)
