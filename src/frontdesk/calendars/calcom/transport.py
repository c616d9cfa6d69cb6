"""Every Cal.com request goes through here: version header, key, deadline, breaker, rate
budget, retries, and the mapping of failures to the port's errors.

Order per attempt: breaker (an open breaker costs nothing, not even a budget slot) → rate
budget (may wait while the deadline allows) → send with the attempt's timeout = what is left
of the deadline → classify. Retries (``resilience.retry``) wrap the attempt; a request that
is not idempotent (create, reschedule) is retried only when it certainly did not reach Cal.com
(connect failure, 429 from the throttler) — never after a timeout or 5xx, because Cal.com has
no idempotency key and could then hold the booking twice.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

import httpx
from pydantic import SecretStr
from redis.asyncio import Redis

from frontdesk.calendars.calcom.errors import BLOCK_SECONDS, error_from_response
from frontdesk.calendars.errors import CalendarUnavailable, RateLimited
from frontdesk.observability.logging import get_logger
from frontdesk.observability.metrics import OUTBOUND_LATENCY, OUTBOUND_REQUESTS
from frontdesk.resilience.breaker import BreakerOpen, CircuitBreaker, Ticket
from frontdesk.resilience.breaker_store import (
    BreakerConfig,
    BreakerStore,
    MemoryBreakerStore,
    RedisBreakerStore,
)
from frontdesk.resilience.clocks import Clock, Monotonic, Sleep
from frontdesk.resilience.deadline import Deadline, DeadlineExceeded
from frontdesk.resilience.ratelimit import (
    MemoryRateStore,
    RateBudget,
    RateBudgetExhausted,
    RateLimit,
    RateStore,
    RedisRateStore,
    key_digest,
)
from frontdesk.resilience.retry import RetryPolicy, retry_call
from frontdesk.resilience.shared_state import (
    FallbackBreakerStore,
    FallbackRateStore,
    RedisFallback,
)

DEPENDENCY = "calcom"
DEFAULT_BASE_URL = "https://api.cal.com"
# cal-api-version per resource family. A missing or unknown value silently routes to the
# legacy 2024-04-15 controllers, so every versioned family sends its value explicitly; teams,
# memberships, /v2/me and webhooks are unversioned (they accept any value) and send none.
VERSIONS = {"bookings": "2024-08-13", "slots": "2024-09-04", "event_types": "2024-06-14"}

log = get_logger(__name__)


@dataclass(frozen=True, slots=True)
class Guard:
    """The resilience machinery shared by all tenants' Cal.com clients of a process."""

    breaker: CircuitBreaker
    budget: RateBudget
    monotonic: Monotonic
    sleep: Sleep
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    rng: random.Random = field(default_factory=random.Random)
    # The budget of a call made without a deadline (background work: sync jobs, connect).
    default_timeout: float = 15.0
    # How long a 429 blocks the key (settings.calcom_block_seconds).
    block_seconds: float = BLOCK_SECONDS

    @classmethod
    def build(
        cls,
        *,
        clock: Clock,
        monotonic: Monotonic,
        sleep: Sleep,
        redis: Redis | None = None,
        breaker: BreakerConfig | None = None,
        rate: RateLimit | None = None,
        retry: RetryPolicy | None = None,
        block_seconds: float = BLOCK_SECONDS,
    ) -> Guard:
        """Breaker and budget in Redis when one is given (all processes), else in-process;
        with Redis, the in-process stores stand in while it is unreachable (ADR 0016)."""
        breaker_store: BreakerStore = MemoryBreakerStore()
        rate_store: RateStore = MemoryRateStore()
        if redis is not None:
            fallback = RedisFallback(monotonic)
            breaker_store = FallbackBreakerStore(RedisBreakerStore(redis), breaker_store, fallback)
            rate_store = FallbackRateStore(RedisRateStore(redis), rate_store, fallback)
        return cls(
            breaker=CircuitBreaker(DEPENDENCY, breaker_store, clock, breaker),
            budget=RateBudget(DEPENDENCY, rate_store, clock, sleep, rate),
            monotonic=monotonic,
            sleep=sleep,
            retry=retry or RetryPolicy(),
            block_seconds=block_seconds,
        )


class Transport:
    """One tenant's authenticated, guarded access to Cal.com."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        base_url: str,
        api_key: SecretStr,
        tenant: str,
        guard: Guard,
    ) -> None:
        self._http = http
        self._base_url = base_url.rstrip("/")
        self._api_key = api_key
        self._key_id = key_digest(api_key.get_secret_value())
        self.tenant = tenant
        self.guard = guard

    def __repr__(self) -> str:  # never show the key
        return f"Transport(base_url={self._base_url!r}, tenant={self.tenant!r})"

    def deadline(self, deadline: Deadline | None) -> Deadline:
        return deadline or Deadline.after(self.guard.default_timeout, self.guard.monotonic)

    async def call(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        family: str | None,
        idempotent: bool,
        deadline: Deadline | None = None,
        params: dict[str, str] | None = None,
        body: dict[str, Any] | None = None,
        envelope: bool = False,
    ) -> Any:
        """The ``data`` of Cal.com's success envelope (the whole envelope with ``envelope``,
        for listings with pagination), or a port error."""
        budget = self.deadline(deadline)
        headers = {"Authorization": f"Bearer {self._api_key.get_secret_value()}"}
        if family is not None:
            headers["cal-api-version"] = VERSIONS[family]
        request = self._http.build_request(
            method, f"{self._base_url}{path}", params=params, json=body, headers=headers
        )

        def classify(exc: BaseException) -> float | None:
            if isinstance(exc, RateLimited):
                return exc.retry_in
            if isinstance(exc, CalendarUnavailable) and (idempotent or not exc.maybe_applied):
                return 0.0
            return None

        try:
            response = await retry_call(
                lambda: self._attempt(operation, request, budget),
                what=operation,
                dependency=DEPENDENCY,
                policy=self.guard.retry,
                deadline=budget,
                classify=classify,
                sleep=self.guard.sleep,
                rng=self.guard.rng,
            )
        except BreakerOpen as exc:
            raise CalendarUnavailable(
                str(exc), reason="breaker_open", maybe_applied=False, retry_in=exc.retry_in
            ) from exc
        except RateBudgetExhausted as exc:
            raise CalendarUnavailable(
                str(exc), reason="rate_budget", maybe_applied=False, retry_in=exc.wait
            ) from exc
        except DeadlineExceeded as exc:
            raise CalendarUnavailable(str(exc), reason="deadline", maybe_applied=False) from exc
        if not response.content:
            return None
        payload = response.json()
        return payload if envelope else payload.get("data")

    async def _attempt(
        self, operation: str, request: httpx.Request, deadline: Deadline
    ) -> httpx.Response:
        deadline.check(operation, self.guard.retry.min_attempt)
        ticket = await self.guard.breaker.acquire(self.tenant)
        # Refused before sending (rate budget, deadline) or cancelled: no verdict on Cal.com's
        # health, so the breaker is not told; a probe ticket's lease runs out and another
        # caller probes soon.
        try:
            await self.guard.budget.acquire(self._key_id, deadline)
            response = await self._send(operation, request, deadline)
        except CalendarUnavailable:
            await self.guard.breaker.record_failure(ticket)
            raise
        return await self._judge(operation, response, ticket)

    async def _send(
        self, operation: str, request: httpx.Request, deadline: Deadline
    ) -> httpx.Response:
        timer = self.guard.monotonic()
        request.extensions["timeout"] = httpx.Timeout(deadline.remaining()).as_dict()
        try:
            return await deadline.run(self._http.send(request), operation)
        except (DeadlineExceeded, httpx.TimeoutException) as exc:
            sent = not isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout)
            self._count(operation, "timeout")
            raise CalendarUnavailable(
                f"Cal.com did not answer {operation} in time", reason="timeout", maybe_applied=sent
            ) from exc
        except httpx.TransportError as exc:
            sent = not isinstance(exc, httpx.ConnectError)
            self._count(operation, "connect_error" if not sent else "transport_error")
            raise CalendarUnavailable(
                f"Cal.com unreachable for {operation}: {type(exc).__name__}",
                reason="connect" if not sent else "transport",
                maybe_applied=sent,
            ) from exc
        finally:
            OUTBOUND_LATENCY.labels(dependency=DEPENDENCY, operation=operation).observe(
                max(0.0, self.guard.monotonic() - timer)
            )

    async def _judge(
        self, operation: str, response: httpx.Response, ticket: Ticket
    ) -> httpx.Response:
        self._count(operation, str(response.status_code))
        if response.is_success:
            await self.guard.breaker.record_success(ticket)
            return response
        error = error_from_response(response, block_seconds=self.guard.block_seconds)
        log.info(
            "calcom_refused",
            tenant=self.tenant,
            operation=operation,
            status=response.status_code,
            code=error.code,
            message=error.message,
            request_id=error.request_id,
        )
        if isinstance(error, RateLimited):
            # Every process stops using this key until Cal.com's block ends.
            await self.guard.budget.block(self._key_id, error.retry_in or 60.0)
        elif isinstance(error, CalendarUnavailable):
            await self.guard.breaker.record_failure(ticket)
        else:
            await self.guard.breaker.release(ticket)
        raise error

    def _count(self, operation: str, outcome: str) -> None:
        OUTBOUND_REQUESTS.labels(dependency=DEPENDENCY, operation=operation, outcome=outcome).inc()
