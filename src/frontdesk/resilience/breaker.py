"""A circuit breaker per tenant and dependency, its state in Redis or in this process.

5 failures within 60 s open the breaker for 30 s; after that exactly one caller (across all
processes when the state is in Redis) gets through as the half-open probe; its success closes
the breaker, its failure opens it for another 30 s. Only failures that say the dependency is
unwell count (the caller decides: for Cal.com, 5xx, timeouts, connect errors — not a taken
slot or a bad key). Every transition is logged and counted by the process that caused it.

Why our own small breaker and not purgatory: see ADR 0011 (purgatory reads the wall clock
itself, counts consecutive failures rather than failures within a window, lets every caller
through while half-open, and updates its Redis state by read-modify-write, which loses counts
when processes fail at the same time).
"""

from __future__ import annotations

from dataclasses import dataclass

from frontdesk.observability.logging import get_logger
from frontdesk.observability.metrics import (
    BREAKER_REJECTIONS,
    BREAKER_TRANSITIONS,
    BREAKERS_OPEN,
)
from frontdesk.resilience.breaker_store import (
    BreakerConfig,
    BreakerStore,
    Snapshot,
    State,
)
from frontdesk.resilience.clocks import Clock, epoch_seconds

log = get_logger(__name__)


class BreakerOpen(Exception):
    """The dependency's breaker is open for this tenant: do not call, try again later."""

    def __init__(self, dependency: str, tenant: str, retry_in: float) -> None:
        super().__init__(f"{dependency} breaker open for tenant {tenant} ({retry_in:.1f}s)")
        self.dependency = dependency
        self.tenant = tenant
        self.retry_in = retry_in


@dataclass(frozen=True, slots=True)
class Ticket:
    """Permission for one call; hand it back with the call's outcome."""

    tenant: str
    probe: bool


class CircuitBreaker:
    """The breaker of one dependency (e.g. ``calcom``) for all tenants."""

    def __init__(
        self,
        dependency: str,
        store: BreakerStore,
        clock: Clock,
        config: BreakerConfig | None = None,
    ) -> None:
        self.dependency = dependency
        self.config = config or BreakerConfig()
        self._store = store
        self._clock = clock
        # Tenants this process last saw open: the ``frontdesk_breakers_open`` gauge. Bounded by
        # the tenants of this process; a tenant leaves it as soon as a call gets through.
        self._open: set[str] = set()

    def _key(self, tenant: str) -> str:
        return f"{self.dependency}:{tenant}"

    async def acquire(self, tenant: str) -> Ticket:
        """A ticket to call now, or ``BreakerOpen``."""
        decision = await self._store.acquire(
            self._key(tenant), epoch_seconds(self._clock), self.config
        )
        self._note(tenant, decision.transition)
        if not decision.allowed:
            BREAKER_REJECTIONS.labels(dependency=self.dependency).inc()
            self._seen(tenant, is_open=True)
            raise BreakerOpen(self.dependency, tenant, decision.retry_in)
        if not decision.probe:
            self._seen(tenant, is_open=False)
        return Ticket(tenant, decision.probe)

    async def record_success(self, ticket: Ticket) -> None:
        moved = await self._store.success(
            self._key(ticket.tenant), epoch_seconds(self._clock), ticket.probe
        )
        self._note(ticket.tenant, moved)

    async def record_failure(self, ticket: Ticket) -> None:
        moved = await self._store.failure(
            self._key(ticket.tenant), epoch_seconds(self._clock), ticket.probe, self.config
        )
        self._note(ticket.tenant, moved)

    async def release(self, ticket: Ticket) -> None:
        """The call ended with no verdict on the dependency's health (e.g. a taken slot).

        A probe that ends this way proved the dependency answers, so it closes the breaker;
        an ordinary call changes nothing.
        """
        if ticket.probe:
            await self.record_success(ticket)

    async def snapshot(self, tenant: str) -> Snapshot:
        """The current state for status displays (``frontdesk calcom status``)."""
        return await self._store.snapshot(
            self._key(tenant), epoch_seconds(self._clock), self.config
        )

    def _note(self, tenant: str, moved: tuple[State, State] | None) -> None:
        if moved is None:
            return
        old, new = moved
        self._seen(tenant, is_open=new is not State.CLOSED)
        BREAKER_TRANSITIONS.labels(
            dependency=self.dependency, from_state=old.value, to_state=new.value
        ).inc()
        (log.warning if new is State.OPEN else log.info)(
            "breaker_transition",
            dependency=self.dependency,
            tenant=tenant,
            from_state=old.value,
            to_state=new.value,
        )

    def _seen(self, tenant: str, *, is_open: bool) -> None:
        """Keep the open-breakers gauge in line with what this process last saw."""
        if is_open:
            self._open.add(tenant)
        else:
            self._open.discard(tenant)
        BREAKERS_OPEN.labels(dependency=self.dependency).set(len(self._open))
