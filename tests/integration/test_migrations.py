"""Every migration goes up, down and up again on both databases, and matches the models."""

from __future__ import annotations

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from tests.clock_support import FakeClock

from frontdesk.db.engine import create_engine
from frontdesk.db.migrate import current_revision, downgrade_engine, upgrade_engine
from frontdesk.db.tables import Base

pytestmark = pytest.mark.parametrize("fresh_database_url", ["sqlite", "postgresql"], indirect=True)

EXPECTED_TABLES = {
    "tenant", "branch", "phone_number", "staff", "working_hours", "working_break",
    "staff_absence", "branch_closure", "service", "service_staff", "customer", "appointment",
    "call", "call_appointment", "call_function", "job", "webhook_inbox", "idempotency_record",
    "api_key", "user_account", "audit_log", "booking_day", "calendar_mirror_day",
    "appointment_external_uid", "reconciliation_run", "customer_consent", "web_session",
    "opening_hours", "message_sequence", "message_delivery", "reminder_claim",
}  # fmt: skip


async def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            names = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
    finally:
        await engine.dispose()
    return names - {"alembic_version"}


async def test_upgrade_downgrade_upgrade(fresh_database_url: str) -> None:
    engine = create_engine(fresh_database_url)
    try:
        await upgrade_engine(engine)
        assert await current_revision(engine) is not None
        assert await _tables(fresh_database_url) == EXPECTED_TABLES
        await downgrade_engine(engine, "base")
        assert await current_revision(engine) is None
        assert await _tables(fresh_database_url) == set()
        await upgrade_engine(engine)
        assert await _tables(fresh_database_url) == EXPECTED_TABLES
    finally:
        await engine.dispose()


async def test_migrated_schema_matches_the_models(fresh_database_url: str) -> None:
    """Nothing in db/tables/ is missing from the migrations (the prior system's first failure)."""
    engine = create_engine(fresh_database_url)
    try:
        await upgrade_engine(engine)
        async with engine.connect() as conn:
            diff = await conn.run_sync(
                lambda c: compare_metadata(MigrationContext.configure(c), Base.metadata)
            )
    finally:
        await engine.dispose()
    assert diff == []


async def test_downgrade_keeps_data(fresh_database_url: str) -> None:
    """Stepping down one revision and up again loses no rows (no table rebuild cascades)."""
    from sqlalchemy import func, select

    from frontdesk.db.engine import create_session_factory
    from frontdesk.db.seed import seed_demo
    from frontdesk.db.tables import Staff

    engine = create_engine(fresh_database_url)
    try:
        await upgrade_engine(engine)
        async with create_session_factory(engine, FakeClock())() as session:
            await seed_demo(session, api_key="fd_keep", password="pw")
        await downgrade_engine(engine, "-1")
        await upgrade_engine(engine)
        async with create_session_factory(engine, FakeClock())() as session:
            count = (await session.execute(select(func.count()).select_from(Staff))).scalar_one()
    finally:
        await engine.dispose()
    assert count == 3


async def test_retell_keys_stored_before_sealing_are_marked_plain(fresh_database_url: str) -> None:
    """0008: a key written in plain text before is read as a sealed ``plain:`` value after the
    upgrade, and given back as it was by the downgrade."""
    from sqlalchemy import text

    engine = create_engine(fresh_database_url)
    insert = text(
        "INSERT INTO tenant (id, slug, name, locale, timezone, phone_region, retell_api_key,"
        " created_at, updated_at) VALUES (:id, 'old', 'Old', 'de-DE', 'Europe/Berlin', 'DE',"
        " 'key_old', :at, :at)"
    )
    read = text("SELECT retell_api_key FROM tenant WHERE slug = 'old'")
    try:
        await upgrade_engine(engine, "0005")
        async with engine.begin() as conn:
            await conn.execute(insert, {"id": uuid.uuid4().hex, "at": FakeClock()()})
        await upgrade_engine(engine, "0008")
        async with engine.connect() as conn:
            upgraded = (await conn.execute(read)).scalar_one()
        await downgrade_engine(engine, "0005")
        async with engine.connect() as conn:
            downgraded = (await conn.execute(read)).scalar_one()
    finally:
        await engine.dispose()
    assert (upgraded, downgraded) == ("plain:key_old", "key_old")
