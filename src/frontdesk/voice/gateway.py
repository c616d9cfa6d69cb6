"""The voice endpoints' logic without HTTP: verify, route, run, log.

Order of work for every request: read the dialled number from the body (JSON parsed only for
that), pick the key (the tenant's Retell key, else ``FRONTDESK_RETELL_API_KEY``), verify the
signature over the raw bytes, and only then act. A refusal writes nothing and logs a warning
without the body. Refusals are ``VoiceRefused`` (the API maps them to problem responses).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from frontdesk import untrusted
from frontdesk.booking.call_log import CallLog, CallNotOurs, FunctionEntry
from frontdesk.booking.catalog import BranchCatalog
from frontdesk.booking.directory import Directory
from frontdesk.booking.outage import DATABASE_ERRORS, database_down
from frontdesk.booking.service import BookingService
from frontdesk.domain import rules
from frontdesk.failures import classify, count, report
from frontdesk.observability.logging import get_logger
from frontdesk.observability.metrics import DEGRADED, VOICE_OVERLOADED
from frontdesk.resilience.deadline import answer_by
from frontdesk.resilience.loop_lag import LoopLag
from frontdesk.resilience.outage import degraded
from frontdesk.voice import signature, slots
from frontdesk.voice.calls import call_id_for, call_problem, call_row, event_values, function_record
from frontdesk.voice.event_writes import EventWrites
from frontdesk.voice.functions import CallContext, Reply, VoiceFunctions
from frontdesk.voice.inbound import inbound_answer, inbound_fallback
from frontdesk.voice.logbuffer import CallLogBuffer
from frontdesk.voice.names import FUNCTION_NAMES, WEBHOOK_EVENTS
from frontdesk.voice.outage import DatabaseDown, apology, judge
from frontdesk.voice.replies import say
from frontdesk.voice.routing import Route, Router, caller_of, dialled

log = get_logger(__name__)

# Functions whose appointment refers to the call row (which must exist before they write).
_BOOKS = frozenset({"book_appointment"})
# Function calls in progress at once in one process. A call beyond it is answered at once with
# the short apology: past what the database serves within the deadline, a longer queue only
# makes every answer late (600 at once on PostgreSQL: 224 answers after 3.1 s). The default of
# ``FRONTDESK_VOICE_MAX_IN_FLIGHT``; see ADR 0013 and bench/overload.py for the number.
MAX_IN_FLIGHT = 64
# A new call is shed while the event loop runs this late (resilience/loop_lag.py): each of its
# steps would wait about as long, and it has a handful of them before its answer. The default
# of ``FRONTDESK_VOICE_MAX_LOOP_LAG_MS``; see bench/overload.py --rate for the effect.
MAX_LOOP_LAG_S = 0.1
# Time kept back from the deadline to serialise and send the answer.
ANSWER_MARGIN_S = 0.1
# Past the function's own deadline, how long its work may take to unwind before the answer
# leaves without it (ADR 0016: a driver cancelling a query on a hung database can take seconds).
ABANDON_AFTER_S = 0.05
# The inbound webhook answers within this (Retell waits before picking up).
INBOUND_DEADLINE_S = 2.0


class VoiceRefused(Exception):
    """A request we do not serve: ``status`` 400, 401 or 404 with a stable ``code``."""

    def __init__(self, status: int, code: str, detail: str) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail = status, code, detail


@dataclass(frozen=True, slots=True)
class _FunctionCall:
    """One verified function request: what the steps below pass along."""

    name: str
    route: Route
    retell_call_id: str
    call: Mapping[str, Any]
    args: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class _Verified:
    route: Route | None
    payload: dict[str, Any]


def _json(body: bytes) -> dict[str, Any] | None:
    """The body as a JSON object, or ``None`` (not JSON, not an object, or too deep to parse).
    Used before the signature is checked: nothing here may fail on a stranger's bytes."""
    parsed = untrusted.loads(body)
    return parsed if isinstance(parsed, dict) else None


def _call_id(call: Mapping[str, Any]) -> str | None:
    """The Retell call id of a verified body; ``VoiceRefused`` when it cannot be one."""
    raw = call.get("call_id")
    if raw is None or raw == "":
        return None
    retell_call_id = rules.call_id(raw)
    if retell_call_id is None:
        raise VoiceRefused(
            400,
            "invalid_call_id",
            f"call.call_id must be a string of 1-{rules.MAX_CALL_ID} characters",
        )
    return retell_call_id


def _section(payload: Mapping[str, Any] | None, key: str) -> Mapping[str, Any]:
    value = payload.get(key) if payload is not None else None
    return value if isinstance(value, dict) else {}


class VoiceGateway:
    """One per process: the router, catalogue cache, functions and call log of the voice API."""

    def __init__(
        self,
        booking: BookingService,
        directory: Directory,
        call_log: CallLog,
        fallback_key: str | None,
        clock: Callable[[], datetime],
    ) -> None:
        self._booking = booking
        self._clock = clock
        self.router = Router(directory, fallback_key)
        # Shared with the directory: after a failure the database is not waited for again.
        self.outage = directory.outage
        self.functions = VoiceFunctions(booking)
        self.calls = call_log
        self.call_log = CallLogBuffer(self.calls)
        self.max_in_flight = MAX_IN_FLIGHT
        self.in_flight = 0
        # Started by the app's lifespan (``loop_lag.running()``); idle it reads 0.
        self.loop_lag = LoopLag()
        self.max_loop_lag: float | None = MAX_LOOP_LAG_S
        self.event_writes = EventWrites(call_log, self.outage)

    # -- the three endpoints -------------------------------------------------------------------

    async def inbound(self, body: bytes, header: str | None) -> dict[str, Any]:
        """The inbound answer; while the database is unreachable (or too slow to answer by
        ``INBOUND_DEADLINE_S``) the minimal one — date and time, nobody known — so the call
        is still picked up (ADR 0016)."""
        loop = asyncio.get_running_loop()
        if not self.outage.admit():
            DEGRADED.labels(dependency="database", where="voice_inbound").inc()
            return inbound_fallback(self._clock())
        work = asyncio.create_task(self._inbound(body, header), name="voice-inbound")
        try:
            answer = await answer_by(work, loop.time() + INBOUND_DEADLINE_S)
        except VoiceRefused:
            raise
        except Exception as exc:
            # Catch-all on purpose: the call is picked up (with what needs no database)
            # whatever failed; the classifier tells an outage from a bug (ADR 0018).
            failure = classify(exc.cause if isinstance(exc, DatabaseDown) else exc)
            report(failure, "voice_inbound")
            if failure.dependency == "database":
                self.outage.failed()
            return inbound_fallback(self._clock())
        self.outage.succeeded()
        return answer

    async def _inbound(self, body: bytes, header: str | None) -> dict[str, Any]:
        verified = await self._verify(body, header, "call_inbound", "/retell/inbound")
        section = _section(verified.payload, "call_inbound")
        route = self._require_route(verified, section)
        catalog = await self._catalog(route)
        caller = caller_of(section.get("from_number"), catalog.phone_region)
        known = await self._booking.known_caller(route.tenant_id, caller.phone)
        return inbound_answer(catalog, known, self._clock())

    async def event(self, body: bytes, header: str | None) -> None:
        """Record a call event; while the database is unreachable the event is not recorded
        (counted and warned about) and answered all the same: Retell must not wait on it."""
        try:
            verified = await self._verify(body, header, "call", "/retell/events")
        except DatabaseDown as down:
            degraded("database", "voice_event", down.cause)
            return
        event = verified.payload.get("event")
        call = _section(verified.payload, "call")
        if event not in WEBHOOK_EVENTS:
            return
        _call_id(call)
        if verified.route is None:
            log.warning("retell event for an unknown number", to_number=call.get("to_number"))
            return
        values = event_values(verified.route, str(event), call)
        if values is None:
            return
        if not self.outage.admit():
            DEGRADED.labels(dependency="database", where="voice_event").inc()
            return
        await self.event_writes.write(values, str(event), call.get("call_id"))

    async def function(
        self, name: str, body: bytes, header: str | None, received_at: float | None = None
    ) -> dict[str, Any]:
        """Answer a function call by the deadline, counted from ``received_at`` (loop time; when
        the request arrived); its call-log record is queued (written within moments, after
        the answer — see ``voice.logbuffer``). Whatever a dependency does, the answer leaves
        by the deadline (ADR 0016): the work runs as a task the answer does not wait for past
        it."""
        loop = asyncio.get_running_loop()
        deadline = (received_at or loop.time()) + self.functions.deadline - ANSWER_MARGIN_S
        work = asyncio.create_task(
            self._function(name, body, header, deadline), name=f"voice-{name}"
        )
        try:
            return await answer_by(work, deadline + ABANDON_AFTER_S)
        except TimeoutError as exc:
            # Cancelled work that cannot even unwind is stuck in the database driver.
            self.outage.failed()
            count(classify(exc), "voice_function")
            log.warning("voice function abandoned at its deadline", function=name)
            return apology("timeout").body()
        except VoiceRefused:
            raise
        except Exception as exc:
            # Catch-all on purpose: Retell must never see a 5xx. Whatever failed outside the
            # function (the number's route with the database down, a bug) gets the apology,
            # nothing is written, and the classifier tells an outage from a bug.
            failure = classify(exc.cause if isinstance(exc, DatabaseDown) else exc)
            report(failure, "voice_function", function=name)
            if failure.dependency == "database":
                self.outage.failed()
            return apology(failure.code).body()

    async def _function(
        self, name: str, body: bytes, header: str | None, deadline: float
    ) -> dict[str, Any]:
        verified = await self._verify(body, header, "call", f"/retell/functions/{name}")
        if name not in FUNCTION_NAMES:
            raise VoiceRefused(404, "unknown_function", f"no voice function {name!r}")
        call = _section(verified.payload, "call")
        route = self._require_route(verified, call)
        retell_call_id = _call_id(call)
        if retell_call_id is None:
            raise VoiceRefused(400, "missing_call_id", "the body carries no call.call_id")
        problem = call_problem(call)
        if problem is not None:
            raise VoiceRefused(400, "invalid_call", problem)
        request = _FunctionCall(
            name, route, retell_call_id, call, _section(verified.payload, "args")
        )
        started = time.perf_counter()
        if self.in_flight >= self.max_in_flight or self._behind():
            return self._shed(request, "overloaded")
        if not self.outage.admit():
            # The database just failed to answer: do not wait for it again (ADR 0016).
            return self._shed(request, "database_unavailable")
        # Counted until the work has really ended, even when the answer left without it: work
        # still unwinding holds a database connection, so it still counts against the bound.
        self.in_flight += 1
        try:
            reply, ctx = await self._run(request, deadline)
        finally:
            self.in_flight -= 1
        judge(self.outage, reply)
        if ctx is not None:
            latency_ms = round((time.perf_counter() - started) * 1000)
            try:
                self._log(request, reply, latency_ms, ctx.call_id)
            except Exception as exc:
                # Catch-all on purpose: the function may have booked, moved or cancelled, and
                # the caller must hear what was done; queuing touches no dependency (a bug).
                report(classify(exc), "call_log", function=name, status=reply.status)
        return reply.body()

    async def _run(
        self, request: _FunctionCall, deadline: float
    ) -> tuple[Reply, CallContext | None]:
        name = request.name
        ctx: CallContext | None = None
        try:
            async with asyncio.timeout_at(deadline):
                ctx = await self._context(request)
        except CallNotOurs:
            raise VoiceRefused(404, "unknown_call", "the call belongs to another tenant") from None
        except TimeoutError as exc:
            # Expected when overloaded: no traceback (rendering one costs more CPU than a request).
            count(classify(exc), "voice_function")
            log.warning("voice function setup timed out", function=name)
        except Exception as exc:
            # Catch-all on purpose: before the function could start, whatever failed gets the
            # apology (Retell must never see a 5xx); classified and reported (ADR 0018).
            failure = classify(exc)
            report(failure, "voice_function", function=name)
            return apology(failure.code), None
        if ctx is None:
            return apology("setup_failed"), None
        return await self.functions.run(name, request.args, ctx, deadline), ctx

    def _behind(self) -> bool:
        if self.max_loop_lag is None:
            return False
        return self.loop_lag.current(asyncio.get_running_loop().time()) > self.max_loop_lag

    def _shed(self, request: _FunctionCall, reason: str) -> dict[str, Any]:
        """Not run (too many calls in progress, or the database just failed): the apology
        now, the refusal in the call log."""
        if reason == "overloaded":
            VOICE_OVERLOADED.inc()
            reply = Reply("error", say("busy", "de"), {"reason": reason})
        else:
            DEGRADED.labels(dependency="database", where="voice_function").inc()
            reply = apology(reason)
        call_id = call_id_for(request.route.tenant_id, request.retell_call_id)
        self._log(request, reply, 0, call_id)
        return reply.body()

    def _log(
        self, request: _FunctionCall, reply: Reply, latency_ms: int, call_id: uuid.UUID
    ) -> None:
        """Queue the function's call-log record (written behind in batches, ADR 0008)."""
        route = request.route
        record = function_record(request.name, request.args, reply, latency_ms, self._clock())
        row = call_row(route, request.retell_call_id, request.call)
        self.call_log.add(FunctionEntry(route.tenant_id, call_id, record, row))

    async def close(self) -> None:
        """Write the call-log records still queued and let event writes that outlived their
        answer finish (the app's shutdown)."""
        await self.event_writes.drain()
        await self.call_log.close()

    # -- steps ---------------------------------------------------------------------------------

    async def _verify(self, body: bytes, header: str | None, section: str, path: str) -> _Verified:
        payload = _json(body)
        try:
            route = await self.router.route(dialled(_section(payload, section).get("to_number")))
        except DATABASE_ERRORS as exc:
            if not database_down(exc):
                raise
            raise DatabaseDown(exc) from exc
        key = route.key if route is not None else self.router.fallback_key
        now_ms = int(self._clock().timestamp() * 1000)
        problem = signature.check(body, key, header, now_ms)
        if problem is not None:
            # Never the body: it carries the caller's number and the transcript.
            log.warning("retell request refused", path=path, problem=str(problem))
            raise VoiceRefused(401, "unauthorized", "missing or invalid X-Retell-Signature")
        if payload is None:
            raise VoiceRefused(400, "invalid_body", "the body is not a JSON object")
        try:
            # Text every database can store, whichever field it ends up in (call log, arguments).
            payload = untrusted.sanitised(payload)
        except untrusted.TooDeep:
            raise VoiceRefused(400, "invalid_body", "the body nests too deeply") from None
        return _Verified(route, payload)

    def _require_route(self, verified: _Verified, section: Mapping[str, Any]) -> Route:
        if verified.route is None:
            log.warning("retell request for an unknown number", to_number=section.get("to_number"))
            raise VoiceRefused(404, "unknown_number", "the dialled number is not configured")
        return verified.route

    async def _catalog(self, route: Route) -> BranchCatalog:
        return await self._booking.catalog(route.branch)

    async def _context(self, request: _FunctionCall) -> CallContext:
        route, retell_call_id, call = request.route, request.retell_call_id, request.call
        catalog = await self._catalog(route)
        caller = caller_of(call.get("from_number"), catalog.phone_region)
        call_id = call_id_for(route.tenant_id, retell_call_id)
        if request.name in _BOOKS:
            # The appointment will refer to the call: its row must exist first. Other
            # functions leave that to the call log (written with their record).
            call_id = await self.calls.ensure(call_row(route, retell_call_id, call))
        return CallContext(
            tenant_id=route.tenant_id,
            catalog=catalog,
            caller=caller,
            call_id=call_id,
            retell_call_id=retell_call_id,
            now=self._clock(),
            slot_secret=slots.secret_from_key(route.key or ""),
        )
