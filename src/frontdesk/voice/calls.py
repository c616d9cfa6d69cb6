"""The call log: Retell's call events and every function invocation, stored against the call.

Events may arrive in any order and more than once (Retell retries for ten seconds), and a
function request may come before ``call_started``: every write is an upsert by Retell's call id
that only sets the fields the message actually carries, so nothing known is overwritten with
null and a finished call never becomes "ongoing" again.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from frontdesk import untrusted
from frontdesk.db.engine import one_statement, reading
from frontdesk.db.repositories import calls as call_rows
from frontdesk.domain import rules
from frontdesk.voice.routing import Route

_DEFAULT_STATUS = {"call_started": "ongoing", "call_ended": "ended", "call_analyzed": "ended"}
_MAX_CACHED = 10_000
REACHABLE_TIMEOUT_S = 1.0
# Column widths of the ``call`` table: longer strings from Retell are cut, not refused.
_WIDTHS = {
    "agent_id": 128,
    "direction": 16,
    "from_number": 32,
    "to_number": 32,
    "call_status": 32,
    "disconnection_reason": 64,
    "sentiment": 32,
}


# What a function request's ``call`` object may carry before anything is written: Retell's ids
# and numbers are short, its timestamps are milliseconds of this century.
MAX_CALL_ID = 128
_MAX_FIELD = 256
_CHECKED_TEXT = ("call_id", "agent_id", "direction", "from_number", "to_number", "call_status")
_CHECKED_MILLIS = ("start_timestamp", "end_timestamp")


def call_problem(call: Mapping[str, Any]) -> str | None:
    """Why the ``call`` object cannot be stored as it is (which field), or ``None``.

    Checked before a function runs, so a request that would fail while logging (after a
    booking was committed) is refused before anything is written.
    """
    for key in _CHECKED_TEXT:
        value = call.get(key)
        if isinstance(value, str) and not _storable(
            value, MAX_CALL_ID if key == "call_id" else _MAX_FIELD
        ):
            return f"call.{key} is too long or not text"
    for key in _CHECKED_MILLIS:
        value = call.get(key)
        if value is not None and rules.epoch_millis(value) is None:
            return f"call.{key} is not a time of this century in milliseconds"
    return None


def _storable(text: str, limit: int) -> bool:
    """Fits ``limit`` characters, encodes as UTF-8 (no lone surrogates) and has no NUL."""
    if len(text) > limit or "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


# Our call ids derive from tenant and Retell call id: every process knows a call's id without
# asking the database (ADR 0008). A Retell id claimed by another tenant derives another id.
_CALL_NAMESPACE = uuid.UUID("5b7f0f0e-3c1a-4a6e-9d55-6a0d8c2e41f7")


def call_id_for(tenant_id: uuid.UUID, retell_call_id: str) -> uuid.UUID:
    """Our id of the tenant's call with this Retell id (the same in every process)."""
    return uuid.uuid5(_CALL_NAMESPACE, f"{tenant_id}:{retell_call_id}")


def call_row(route: Route, retell_call_id: str, call: Mapping[str, Any]) -> dict[str, Any]:
    """The ``call`` row a function request can create when no event has done so yet."""
    return {
        "id": call_id_for(route.tenant_id, retell_call_id),
        "retell_call_id": retell_call_id,
        "tenant_id": route.tenant_id,
        "branch_id": route.branch_id,
        "call_status": "ongoing",
        "agent_id": _text(call, "agent_id"),
        "direction": _text(call, "direction"),
        "from_number": _text(call, "from_number"),
        "to_number": _text(call, "to_number"),
        "started_at": _millis(call, "start_timestamp"),
    }


class CallNotOurs(Exception):
    """The Retell call id already belongs to another tenant's call."""


@dataclass(frozen=True, slots=True)
class FunctionRecord:
    """One function invocation as the log keeps it."""

    name: str
    arguments: dict[str, Any]
    status: str
    latency_ms: int
    # When the function answered, by the process's clock (the row is written a little later).
    answered_at: datetime
    error: str | None = None
    links: tuple[tuple[uuid.UUID, str], ...] = ()
    customer_id: uuid.UUID | None = None


@dataclass(frozen=True, slots=True)
class FunctionEntry:
    """A function record and the call (ours) and tenant it belongs to."""

    tenant_id: uuid.UUID
    call_id: uuid.UUID
    record: FunctionRecord
    # The call row to create if no event or booking has created it yet (see ``call_row``).
    call: dict[str, Any] | None = None


def _function_row(entry: FunctionEntry) -> dict[str, Any]:
    record = entry.record
    return {
        "tenant_id": entry.tenant_id,
        "call_id": entry.call_id,
        "name": record.name,
        # Already clean when it came through the gateway; cheap to make sure.
        "arguments": untrusted.sanitised(record.arguments),
        "status": record.status,
        "latency_ms": record.latency_ms,
        "error": untrusted.text(record.error) if record.error is not None else None,
        "created_at": record.answered_at,
    }


def _text(call: Mapping[str, Any], key: str, column: str | None = None) -> str | None:
    """The string at ``key``, cut to the width of ``column`` (default: the same name)."""
    value = call.get(key)
    if not isinstance(value, str) or not value:
        return None
    value = untrusted.text(value)
    width = _WIDTHS.get(column or key)
    return value[:width] if width else value


def _millis(call: Mapping[str, Any], key: str) -> datetime | None:
    return rules.epoch_millis(call.get(key))


def _event_fields(event: str, call: Mapping[str, Any]) -> dict[str, Any]:
    """The call columns this event's payload knows, and only those."""
    fields: dict[str, Any] = {
        key: _text(call, key)
        for key in ("agent_id", "direction", "from_number", "to_number", "disconnection_reason")
    }
    fields["call_status"] = _text(call, "call_status") or _DEFAULT_STATUS.get(event)
    fields["started_at"] = _millis(call, "start_timestamp")
    fields["ended_at"] = _millis(call, "end_timestamp")
    fields["duration_ms"] = rules.duration_millis(call.get("duration_ms"))
    transcript = call.get("transcript")
    if isinstance(transcript, str) and transcript:
        fields["transcript"] = transcript
    analysis = call.get("call_analysis")
    if isinstance(analysis, dict) and analysis:
        fields["analysis"] = analysis
        fields["summary"] = (
            analysis.get("call_summary") if isinstance(analysis.get("call_summary"), str) else None
        )
        fields["sentiment"] = _text(analysis, "user_sentiment", "sentiment")
        successful = analysis.get("call_successful")
        fields["successful"] = successful if isinstance(successful, bool) else None
    return {key: value for key, value in fields.items() if value is not None}


class CallLog:
    """Writes the ``call``, ``call_function`` and ``call_appointment`` rows."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        # Retell call id → (our call id, tenant): calls never change tenant, so this is safe.
        self._known: dict[str, tuple[uuid.UUID, uuid.UUID]] = {}

    async def ensure(self, route: Route, retell_call_id: str, call: Mapping[str, Any]) -> uuid.UUID:
        """Make sure the call row exists (an appointment booked in the call refers to it); its
        id, or ``CallNotOurs`` when another tenant's call has this Retell id."""
        known = self._known.get(retell_call_id)
        if known is None:
            # Usually the call log or ``call_started`` created the row already (one SELECT);
            # else one INSERT … RETURNING, and a SELECT again if a concurrent one won.
            async with reading(self._sessions) as session:
                known = await call_rows.find_by_retell_id(session, retell_call_id)
            if known is None:
                async with one_statement(self._sessions) as session:
                    row = call_row(route, retell_call_id, call)
                    known = await call_rows.insert_if_absent(session, row)
                if known is None:
                    async with reading(self._sessions) as session:
                        known = await call_rows.find_by_retell_id(session, retell_call_id)
            if known is None:
                raise CallNotOurs(retell_call_id)
            self._remember(retell_call_id, known)
        if known[1] != route.tenant_id:
            raise CallNotOurs(retell_call_id)
        return known[0]

    async def record_event(self, route: Route, event: str, call: Mapping[str, Any]) -> None:
        """Merge one call webhook into the call row (any order, any number of times)."""
        retell_call_id = _text(call, "call_id")
        if retell_call_id is None:
            return
        known = self._known.get(retell_call_id)
        if known is not None and known[1] != route.tenant_id:
            raise CallNotOurs(retell_call_id)
        values = {
            "id": call_id_for(route.tenant_id, retell_call_id),
            "retell_call_id": retell_call_id,
            "tenant_id": route.tenant_id,
            "branch_id": route.branch_id,
            **_event_fields(event, call),
        }
        async with self._sessions() as session:
            await call_rows.upsert_event(session, values)
            found = await call_rows.find_by_retell_id(session, retell_call_id)
            await session.commit()
        if found is None or found[1] != route.tenant_id:
            raise CallNotOurs(retell_call_id)
        self._remember(retell_call_id, found)

    async def reachable(self) -> bool:
        """Whether the database answers a trivial query within a second (after a failed write:
        was it the data or the database?)."""
        try:
            async with asyncio.timeout(REACHABLE_TIMEOUT_S), reading(self._sessions) as session:
                await session.execute(text("SELECT 1"))
        except Exception:
            return False
        return True

    async def record_functions(self, entries: Sequence[FunctionEntry]) -> None:
        """Log invocations of any calls in one transaction, with the appointments they booked,
        moved or cancelled; each call's outcome becomes its latest such action."""
        links: dict[tuple[uuid.UUID, uuid.UUID, str], uuid.UUID] = {}
        changes: dict[uuid.UUID, tuple[str | None, uuid.UUID | None]] = {}
        for entry in entries:
            record = entry.record
            for appointment_id, action in record.links:
                links[(entry.call_id, appointment_id, action)] = entry.tenant_id
            outcome, customer = changes.get(entry.call_id, (None, None))
            if record.links:
                outcome = record.links[-1][1]
            changes[entry.call_id] = (outcome, customer or record.customer_id)
        # Calls this process has seen stored (by an event, a booking or an earlier batch) need
        # no insert; the others get one multi-row INSERT that skips existing rows.
        calls = {
            e.call_id: e.call
            for e in entries
            if e.call is not None and e.call["retell_call_id"] not in self._known
        }
        async with self._sessions() as session:
            await call_rows.insert_all_absent(session, list(calls.values()))
            await call_rows.add_functions(session, [_function_row(e) for e in entries])
            await call_rows.link_appointments(
                session,
                [
                    {"tenant_id": t, "call_id": c, "appointment_id": a, "action": action}
                    for (c, a, action), t in links.items()
                ],
            )
            await call_rows.set_outcomes_and_customers(
                session, [(c, o, k) for c, (o, k) in changes.items() if o or k]
            )
            await session.commit()
        for row in calls.values():
            self._remember(row["retell_call_id"], (row["id"], row["tenant_id"]))

    def _remember(self, retell_call_id: str, known: tuple[uuid.UUID, uuid.UUID]) -> None:
        if len(self._known) >= _MAX_CACHED:
            self._known.clear()
        self._known[retell_call_id] = known
