"""The call log's write-behind buffer: batches, a refused record, a database that is down."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from tests.clock_support import NOW, at

from frontdesk import demo as demo_ids
from frontdesk.booking.call_log import CallLog, FunctionEntry, FunctionRecord
from frontdesk.db.repositories.catalog import BranchRef
from frontdesk.db.seed import DemoCredentials
from frontdesk.db.tables import Call, CallAppointment, CallFunction
from frontdesk.observability.metrics import CALL_LOG_DROPPED
from frontdesk.voice.calls import call_id_for, call_row
from frontdesk.voice.logbuffer import CallLogBuffer
from frontdesk.voice.routing import Route

_TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "PRAGMA")


def route() -> Route:
    tenant, branch = demo_ids.demo_id(), demo_ids.demo_id("branch", "mitte")
    return Route(
        demo_ids.PHONE_NUMBER, tenant, branch, None, BranchRef(branch, tenant, 1, at(1, 8))
    )


def entry(retell_call_id: str, name: str = "check_availability", **record: Any) -> FunctionEntry:
    where = route()
    call = {"call_id": retell_call_id, "to_number": demo_ids.PHONE_NUMBER}
    return FunctionEntry(
        where.tenant_id,
        call_id_for(where.tenant_id, retell_call_id),
        FunctionRecord(
            name=name, arguments={"a": 1}, status="ok", latency_ms=5, answered_at=NOW, **record
        ),
        call_row(where, retell_call_id, call),
    )


@contextmanager
def statements(engine: AsyncEngine) -> Iterator[list[str]]:
    seen: list[str] = []

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith(_TRANSACTION_CONTROL):
            seen.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", before)


async def rows(sessions: async_sessionmaker[AsyncSession], model: Any) -> list[Any]:
    async with sessions() as session:
        return list((await session.execute(select(model))).scalars())


def dropped() -> float:
    return CALL_LOG_DROPPED._value.get()


async def test_records_of_several_calls_are_written_in_one_transaction(
    db: AsyncEngine, sessions: async_sessionmaker[AsyncSession], demo: DemoCredentials
) -> None:
    buffer = CallLogBuffer(CallLog(sessions), interval=60)  # only the explicit flush writes
    customer = demo_ids.demo_id("customer", "erika")
    buffer.add(entry("call_a"))
    buffer.add(entry("call_a", "book_appointment", customer_id=customer))
    buffer.add(entry("call_b", "cancel_appointment"))
    with statements(db) as seen:
        await buffer.flush()
    # The calls, the functions, the calls' customers: three statements for the whole batch.
    assert len(seen) == 3, seen
    calls = {c.retell_call_id: c for c in await rows(sessions, Call)}
    assert set(calls) == {"call_a", "call_b"}
    assert calls["call_a"].id == call_id_for(demo_ids.demo_id(), "call_a")
    assert calls["call_a"].customer_id == customer
    functions = await rows(sessions, CallFunction)
    assert sorted(f.name for f in functions) == [
        "book_appointment",
        "cancel_appointment",
        "check_availability",
    ]
    await buffer.close()


async def test_a_refused_record_does_not_take_the_others_with_it(
    sessions: async_sessionmaker[AsyncSession], demo: DemoCredentials
) -> None:
    buffer = CallLogBuffer(CallLog(sessions), interval=60)
    before = dropped()
    buffer.add(entry("call_ok"))
    # Links an appointment that does not exist: the database refuses this record.
    buffer.add(entry("call_bad", "cancel_appointment", links=((uuid.uuid4(), "cancelled"),)))
    buffer.add(entry("call_ok", "find_appointments"))
    await buffer.flush()
    names = sorted(f.name for f in await rows(sessions, CallFunction))
    assert names == ["check_availability", "find_appointments"]
    assert await rows(sessions, CallAppointment) == []
    assert dropped() == before + 1


def bad_entry(retell_call_id: str, **call: Any) -> FunctionEntry:
    """A record whose call row or arguments no database can store as they are."""
    where = route()
    raw = {"call_id": retell_call_id, "to_number": demo_ids.PHONE_NUMBER, **call}
    return FunctionEntry(
        where.tenant_id,
        call_id_for(where.tenant_id, retell_call_id),
        FunctionRecord(
            name="check_availability",
            arguments={"q": "\ud800\x00"},
            status="ok",
            latency_ms=5,
            answered_at=NOW,
        ),
        call_row(where, retell_call_id, raw),
    )


@pytest.mark.parametrize(
    "bad",
    [{"from_number": "+49\ud800"}, {"from_number": "+49\x00"}, {"agent_id": "a" * 1000}],
    ids=["lone-surrogate", "nul", "too-long"],
)
async def test_text_no_database_stores_as_it_is_is_stored_cleaned_on_both(
    sessions: async_sessionmaker[AsyncSession], demo: DemoCredentials, bad: dict[str, Any]
) -> None:
    buffer = CallLogBuffer(CallLog(sessions), interval=60)
    before = dropped()
    for i in range(10):
        buffer.add(entry(f"call_{i}"))
    buffer.add(bad_entry("call_bad", **bad))
    for i in range(10, 20):
        buffer.add(entry(f"call_{i}"))
    await buffer.flush()
    assert len(await rows(sessions, CallFunction)) == 21
    assert dropped() == before
    (call,) = [c for c in await rows(sessions, Call) if c.retell_call_id == "call_bad"]
    assert call.from_number in (None, "+49\ufffd", "+49")
    assert call.agent_id is None or len(call.agent_id) <= 128


async def test_a_record_refused_for_any_reason_is_isolated_and_the_twenty_others_written(
    sessions: async_sessionmaker[AsyncSession], demo: DemoCredentials
) -> None:
    """Whatever the error (here the driver's UnicodeEncodeError, which is no DBAPI error): while
    the database answers, the batch is split until the bad record stands alone."""

    class Picky(CallLog):
        async def record_functions(self, entries: Any) -> None:
            if any(e.record.name == "poison" for e in entries):
                raise UnicodeEncodeError("utf-8", "+49\ud800", 3, 4, "surrogates not allowed")
            await super().record_functions(entries)

    buffer = CallLogBuffer(Picky(sessions), interval=60)
    before = dropped()
    for i in range(10):
        buffer.add(entry(f"call_{i}"))
    buffer.add(entry("call_bad", "poison"))
    for i in range(10, 20):
        buffer.add(entry(f"call_{i}"))
    await buffer.flush()
    assert len(await rows(sessions, CallFunction)) == 20
    assert dropped() == before + 1


async def test_a_database_that_is_down_loses_the_batch_counted_not_raised(
    sessions: async_sessionmaker[AsyncSession], demo: DemoCredentials
) -> None:
    class Down(CallLog):
        async def record_functions(self, entries: Any) -> None:
            raise OperationalError("INSERT", {}, Exception("connection refused"))

    buffer = CallLogBuffer(Down(sessions), interval=60)
    before = dropped()
    for n in range(3):
        buffer.add(entry(f"call_{n}"))
    await buffer.flush()
    assert dropped() == before + 3
    await buffer.flush()  # nothing left to retry
    assert dropped() == before + 3


async def test_records_are_written_shortly_without_a_flush_and_on_close(
    sessions: async_sessionmaker[AsyncSession], demo: DemoCredentials
) -> None:
    buffer = CallLogBuffer(CallLog(sessions), interval=0.01)
    buffer.add(entry("call_soon"))
    for _ in range(200):
        if await rows(sessions, CallFunction):
            break
        await asyncio.sleep(0.01)
    assert len(await rows(sessions, CallFunction)) == 1
    slow = CallLogBuffer(CallLog(sessions), interval=60)
    slow.add(entry("call_late"))
    await slow.close()
    assert len(await rows(sessions, CallFunction)) == 2
    await buffer.close()


@pytest.mark.parametrize("count", [1, 3])
async def test_a_backlog_beyond_its_bound_drops_new_records(
    sessions: async_sessionmaker[AsyncSession],
    demo: DemoCredentials,
    monkeypatch: pytest.MonkeyPatch,
    count: int,
) -> None:
    monkeypatch.setattr("frontdesk.voice.logbuffer.MAX_PENDING", 2)
    buffer = CallLogBuffer(CallLog(sessions), interval=60)
    before = dropped()
    for n in range(2 + count):
        buffer.add(entry(f"call_{n}"))
    assert dropped() == before + count
    await buffer.close()
    assert len(await rows(sessions, CallFunction)) == 2


async def test_closing_while_a_batch_is_written_loses_nothing(
    sessions: async_sessionmaker[AsyncSession], demo: DemoCredentials
) -> None:
    writing = asyncio.Event()

    class Slow(CallLog):
        async def record_functions(self, entries: Any) -> None:
            writing.set()
            await asyncio.sleep(0.2)
            await super().record_functions(entries)

    buffer = CallLogBuffer(Slow(sessions), interval=0)
    buffer.add(entry("call_busy"))
    await writing.wait()
    buffer.add(entry("call_busy", "find_appointments"))
    await buffer.close()
    names = sorted(f.name for f in await rows(sessions, CallFunction))
    assert names == ["check_availability", "find_appointments"]
