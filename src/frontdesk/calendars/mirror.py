"""The availability mirror's filling side: Cal.com's free slots copied ahead of calls.

A voice search must answer in tens of milliseconds; Cal.com answers ``/v2/slots`` in 300 to
1,500 ms. So searches never ask the provider: they read ``calendar_mirror_day`` rows (one per
branch, event type, host and local day), which the jobs here keep filled:

- ``calendar.mirror_refresh`` runs every 30 s over every branch on an outside calendar, each
  tenant on its own (one tenant's failure never stops another);
- ``calendar.mirror_refresh_branch`` refreshes one branch soon after ``mark_stale`` marked
  days of it (enqueued by ``request_refresh`` in the marking transaction).

What is mirrored: each active service with a provider event type × each active staff member
with a provider user id who performs it, for the branch's local days today .. today + the
longest horizon of the pair's services. One request per pair and contiguous run of due days
(at most ``DAYS_PER_REQUEST``), most urgent first: days marked stale, then days never fetched,
then by ``refresh_after``, nearer days first. A day is due again after a time that grows with
its distance (``NEAR_REFRESH``, ``MID_REFRESH``, ``FAR_REFRESH``): callers mostly ask for the
next days, and a slot taken far ahead is caught by the provider's refusal at booking time.

The rate budget: Cal.com allows 120 requests per minute per API key and then blocks the key
for 60 s. The client keeps every process below 110 per 61 s; the mirror takes a smaller share
so a booking always finds room: at most ``MIRROR_REQUESTS_PER_RUN`` per run and tenant, and a
sliding log of at most ``MIRROR_RATE`` (60 per 60 s) per tenant across all runs and processes
(in Redis when configured), which also bounds on-demand runs. Bookings keep at least 50 of
the client's 110.

Failures keep the old slots (the search serves them with their age, now − ``fetched_at``),
record the error and back off (``BACKOFF_FIRST`` doubling to ``BACKOFF_CAP``, the attempt
count kept in the error text). An open breaker, an exhausted budget or a 429 end the tenant's
run at once; a bad key ends it with one warning per run. Nothing here is on a call's path.

Versions: the day's ``booking_day`` version is bumped, in the transaction that stores the
slots, only for days whose slots changed (or were unknown), so every process re-reads exactly
those days.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import groupby
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from frontdesk.calendars.errors import CalendarAuthFailed, CalendarError, CalendarUnavailable
from frontdesk.calendars.port import CalendarPort, FreeSlot, ProviderLink
from frontdesk.db.engine import reading
from frontdesk.db.repositories import catalog as catalog_rows
from frontdesk.db.repositories import mirror as mirror_rows
from frontdesk.db.repositories.mirror import BranchLink, DayState, MirrorPair, Slots
from frontdesk.domain.clock import Clock
from frontdesk.jobs.queue import enqueue
from frontdesk.jobs.registry import DEFAULT_REGISTRY, JobContext
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

REFRESH_KIND = "calendar.mirror_refresh"
BRANCH_KIND = "calendar.mirror_refresh_branch"
RUN_EVERY = timedelta(seconds=30)

# Freshness tiers by distance from today (branch zone): days 0-2, 3-13, the rest.
NEAR_DAYS = 3
MID_DAYS = 14
NEAR_REFRESH = timedelta(minutes=2)
MID_REFRESH = timedelta(minutes=10)
FAR_REFRESH = timedelta(minutes=60)

# Longer ranges make Cal.com's answer slow; 14 days keeps one request well under a second.
DAYS_PER_REQUEST = 14
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
BACKOFF_FIRST = timedelta(seconds=30)
BACKOFF_CAP = timedelta(minutes=5)
# At most this many tenants refresh at once in one process (each runs its requests in turn).
TENANTS_AT_ONCE = 4
# On-demand refreshes of a branch are coalesced per bucket and start when it ends, so every
# mark is followed by a run that starts after it.
REQUEST_BUCKET_SECONDS = 10

_ATTEMPT = re.compile(r"^\[attempt (\d+)\]")


# --- planning (pure) ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Fetch:
    """One request to plan: a pair's contiguous run of due days."""

    branch: BranchLink
    event_type: str
    host: str
    days: tuple[date, ...]
    today: date
    # Each day's refresh_after when planned (None: no row yet), to notice marks in flight.
    seen: Mapping[date, datetime | None]
    attempts: int
    urgency: tuple[int, float, int]


def refresh_due(offset: int, now: datetime) -> datetime:
    """When a day ``offset`` days from today is due again after a successful fetch."""
    if offset < NEAR_DAYS:
        return now + NEAR_REFRESH
    if offset < MID_DAYS:
        return now + MID_REFRESH
    return now + FAR_REFRESH


def backoff(attempt: int) -> timedelta:
    """Wait after the ``attempt``-th failure in a row: 30 s, 60 s, 2 min, 4 min, then 5 min."""
    doublings = min(max(0, attempt - 1), 10)
    return min(BACKOFF_CAP, BACKOFF_FIRST * (1 << doublings))


def attempts_of(error: str | None) -> int:
    """Failures in a row recorded in a row's error text (0 when it has none)."""
    match = _ATTEMPT.match(error or "")
    return int(match.group(1)) if match else 0


def failure_text(attempt: int, exc: CalendarError) -> str:
    reason = getattr(exc, "reason", None) or type(exc).__name__
    return f"[attempt {attempt}] {reason}: {exc.message}"


def _urgency(state: DayState | None, offset: int) -> tuple[int, float, int]:
    if state is not None and state.stale_since is not None:
        return (0, 0.0, offset)
    if state is None or state.fetched_at is None:
        return (1, 0.0, offset)
    return (2, state.refresh_after.timestamp(), offset)


def _runs(days: Sequence[date]) -> Iterator[tuple[date, ...]]:
    """Contiguous runs of ``days`` (sorted), each at most ``DAYS_PER_REQUEST`` long."""
    for _, group in groupby(enumerate(days), key=lambda item: item[1].toordinal() - item[0]):
        run = tuple(day for _, day in group)
        for i in range(0, len(run), DAYS_PER_REQUEST):
            yield run[i : i + DAYS_PER_REQUEST]


def plan_branch(
    branch: BranchLink,
    pairs: Sequence[MirrorPair],
    states: Sequence[DayState],
    today: date,
    now: datetime,
) -> list[Fetch]:
    """The requests that would bring the branch's mirror up to date, most urgent first."""
    known = {(s.event_type, s.host, s.day): s for s in states}
    fetches: list[Fetch] = []
    for pair in pairs:
        window = [today + timedelta(days=i) for i in range(pair.horizon_days + 1)]
        due = [
            day
            for day in window
            if (state := known.get((pair.event_type, pair.host, day))) is None
            or state.refresh_after <= now
        ]
        for days in _runs(due):
            of_days = [known.get((pair.event_type, pair.host, day)) for day in days]
            fetches.append(
                Fetch(
                    branch=branch,
                    event_type=pair.event_type,
                    host=pair.host,
                    days=days,
                    today=today,
                    seen={
                        day: None if s is None else s.refresh_after
                        for day, s in zip(days, of_days, strict=True)
                    },
                    attempts=max(attempts_of(s.error) if s else 0 for s in of_days),
                    urgency=min(
                        _urgency(s, (day - today).days)
                        for day, s in zip(days, of_days, strict=True)
                    ),
                )
            )
    return sorted(fetches, key=lambda f: f.urgency)


def outside(
    pairs: Sequence[MirrorPair], states: Sequence[DayState], today: date
) -> dict[tuple[str, str], tuple[date, date]] | None:
    """Each kept pair's window of days, or None when no row lies outside them (nothing to
    delete: the common case, decided without a write)."""
    keep = {(p.event_type, p.host): (today, today + timedelta(days=p.horizon_days)) for p in pairs}
    for state in states:
        window = keep.get((state.event_type, state.host))
        if window is None or not window[0] <= state.day <= window[1]:
            return keep
    return None


def local_window(days: Sequence[date], zone: ZoneInfo) -> tuple[datetime, datetime]:
    """UTC instants from the first day's local midnight to the midnight after the last day
    (23, 24 or 25 hours per day around a DST change)."""
    start = datetime.combine(days[0], time(0), zone).astimezone(UTC)
    end = datetime.combine(days[-1] + timedelta(days=1), time(0), zone).astimezone(UTC)
    return start, end


def by_local_day(
    found: Mapping[date, Sequence[FreeSlot]], days: Sequence[date], zone: ZoneInfo
) -> dict[date, Slots]:
    """The slots of each requested day, keyed by the slot's own local day in the branch zone
    (the provider's keys can be UTC days or another zone's); every day present, empty when
    none (a fully booked or closed day is knowledge too)."""
    result: dict[date, Slots] = {day: [] for day in days}
    seen: set[tuple[str, str]] = set()
    for slot in sorted((s for slots in found.values() for s in slots), key=lambda s: s.start):
        day = slot.start.astimezone(zone).date()
        pair = (_utc_text(slot.start), _utc_text(slot.end))
        if day in result and pair not in seen:
            seen.add(pair)
            result[day].append(list(pair))
    return result


def _utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


# --- running -----------------------------------------------------------------------------------


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
        sessions: async_sessionmaker[AsyncSession],
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
        except Exception:
            # A bug or a database failure for one tenant must not stop the others.
            log.exception("mirror_refresh_failed", tenant=branches[0].tenant_slug)
            return TenantRun(branches[0].tenant_slug, stopped="error")

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


# --- jobs --------------------------------------------------------------------------------------


async def request_refresh(
    session: AsyncSession, tenant_id: uuid.UUID, branch_id: uuid.UUID, now: datetime
) -> int | None:
    """Ask for a refresh of the branch's stale days, in the caller's transaction (call it with
    ``mark_stale``). Requests within one 10 s bucket become one job, run when the bucket ends."""
    bucket = int(now.timestamp()) // REQUEST_BUCKET_SECONDS
    return await enqueue(
        session,
        BRANCH_KIND,
        {"branch_id": str(branch_id)},
        run_after=datetime.fromtimestamp((bucket + 1) * REQUEST_BUCKET_SECONDS, UTC),
        dedupe_key=f"mirror:{branch_id}:{bucket}",
        tenant_id=tenant_id,
        max_attempts=3,
    )


def refresher_for(ctx: JobContext) -> MirrorRefresher | None:
    """The refresher of a job run, or None when the worker has no outside calendars."""
    calendars = ctx.calendars
    if calendars is None:
        log.warning("mirror_refresh_skipped", kind=ctx.kind, reason="no calendar providers")
        return None
    return MirrorRefresher(
        ctx.sessions,
        calendars.port,
        clock=ctx.clock,
        monotonic=calendars.guard.monotonic,
        budget=mirror_budget(calendars.guard.budget),
    )


@DEFAULT_REGISTRY.register(REFRESH_KIND, every=RUN_EVERY)
async def refresh_mirrors(ctx: JobContext, payload: dict[str, Any]) -> None:
    """Refresh every outside branch's due days. Idempotent: a second run finds them fresh."""
    refresher = refresher_for(ctx)
    if refresher is not None:
        runs = await refresher.refresh()
        measure(runs, ctx.clock())
        await refresher.cleanup()


@DEFAULT_REGISTRY.register(BRANCH_KIND)
async def refresh_branch(ctx: JobContext, payload: dict[str, Any]) -> None:
    """Refresh one branch's due days (stale ones first) after ``request_refresh``."""
    refresher = refresher_for(ctx)
    if refresher is not None:
        await refresher.refresh(uuid.UUID(str(payload["branch_id"])))
