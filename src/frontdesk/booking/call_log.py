"""The call log: Retell's call events and every function invocation, stored against the call.

Events may arrive in any order and more than once (Retell retries for ten seconds), and a
function request may come before ``call_started``: every write is an upsert by Retell's call id
that only sets the fields the message actually carries, so nothing known is overwritten with
null and a finished call never becomes "ongoing" again.

The voice layer maps Retell's call object to row values (``voice.calls``) and queues function
records (``voice.logbuffer``, written behind in batches, ADR 0008); this module owns the
sessions and transactions of those writes.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from frontdesk import untrusted
from frontdesk.db.engine import SessionFactory, one_statement, reading
from frontdesk.db.errors import DATABASE_ERRORS, is_refused_row
from frontdesk.db.health import ping_session
from frontdesk.db.repositories import calls as call_rows

_MAX_CACHED = 10_000
REACHABLE_TIMEOUT_S = 1.0

# The values of a ``call`` row: ``id``, ``retell_call_id``, ``tenant_id`` and ``branch_id``,
# and whichever other columns are known.
CallRow = dict[str, Any]


# What "the database does not answer" looks like to ``reachable``; anything else is a bug.
_NOT_ANSWERING: tuple[type[Exception], ...] = (*DATABASE_ERRORS, TimeoutError, OSError)


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
    # What the agent was told to say (shown in the call's detail).
    answer: str | None = None
    links: tuple[tuple[uuid.UUID, str], ...] = ()
    customer_id: uuid.UUID | None = None


@dataclass(frozen=True, slots=True)
class FunctionEntry:
    """A function record and the call (ours) and tenant it belongs to."""

    tenant_id: uuid.UUID
    call_id: uuid.UUID
    record: FunctionRecord
    # The call row to create if no event or booking has created it yet.
    call: CallRow | None = None


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
        "answer": untrusted.text(record.answer) if record.answer is not None else None,
        "created_at": record.answered_at,
    }


class CallLog:
    """Writes the ``call``, ``call_function`` and ``call_appointment`` rows."""

    def __init__(self, sessions: SessionFactory) -> None:
        self._sessions = sessions
        # Retell call id → (our call id, tenant): calls never change tenant, so this is safe.
        self._known: dict[str, tuple[uuid.UUID, uuid.UUID]] = {}

    async def ensure(self, row: CallRow) -> uuid.UUID:
        """Make sure the call row exists (an appointment booked in the call refers to it); its
        id, or ``CallNotOurs`` when another tenant's call has this Retell id."""
        retell_call_id: str = row["retell_call_id"]
        known = self._known.get(retell_call_id)
        if known is None:
            # Usually the call log or ``call_started`` created the row already (one SELECT);
            # else one INSERT … RETURNING, and a SELECT again if a concurrent one won.
            async with reading(self._sessions) as session:
                known = await call_rows.find_by_retell_id(session, retell_call_id)
            if known is None:
                async with one_statement(self._sessions) as session:
                    known = await call_rows.insert_if_absent(session, row)
                if known is None:
                    async with reading(self._sessions) as session:
                        known = await call_rows.find_by_retell_id(session, retell_call_id)
            if known is None:
                raise CallNotOurs(retell_call_id)
            self._remember(retell_call_id, known)
        if known[1] != row["tenant_id"]:
            raise CallNotOurs(retell_call_id)
        return known[0]

    async def record_event(self, values: CallRow) -> None:
        """Merge one call webhook's values into the call row (any order, any number of
        times); only the keys present are written."""
        retell_call_id: str = values["retell_call_id"]
        tenant_id = values["tenant_id"]
        known = self._known.get(retell_call_id)
        if known is not None and known[1] != tenant_id:
            raise CallNotOurs(retell_call_id)
        async with self._sessions() as session:
            await call_rows.upsert_event(session, values)
            found = await call_rows.find_by_retell_id(session, retell_call_id)
            await session.commit()
        if found is None or found[1] != tenant_id:
            raise CallNotOurs(retell_call_id)
        self._remember(retell_call_id, found)

    def refuses(self, exc: BaseException) -> bool:
        """Whether ``exc`` from ``record_functions`` is the database refusing the data itself
        (a constraint, a value out of range): writing the same records again cannot help."""
        return is_refused_row(exc)

    async def reachable(self) -> bool:
        """Whether the database answers a trivial query within a second (after a failed write:
        was it the data or the database?)."""
        try:
            async with asyncio.timeout(REACHABLE_TIMEOUT_S), reading(self._sessions) as session:
                await ping_session(session)
        except _NOT_ANSWERING:
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
