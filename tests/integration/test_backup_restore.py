"""The backup and restore scripts of deploy/backup/ as an operator runs them: a seeded database
with bookings is backed up (pg_dump / sqlite3 .backup), restored into a fresh database, and the
restored one has the same bookings at the newest migration."""

from __future__ import annotations

import os
import subprocess
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select
from tests.booking_support import request
from tests.clock_support import FakeClock, at
from tests.services_support import PG_HOST, PG_PORT, PG_USER, drop_database_url

from frontdesk.booking.service import BookingService
from frontdesk.db.engine import create_engine, create_session_factory
from frontdesk.db.migrate import current_revision, upgrade_engine
from frontdesk.db.seed import seed_demo
from frontdesk.db.tables import Appointment
from frontdesk.operations.doctor_adapters import revisions

ROOT = Path(__file__).resolve().parents[2]
BACKUP = ROOT / "deploy" / "backup" / "frontdesk-backup.sh"
RESTORE = ROOT / "deploy" / "backup" / "frontdesk-restore.sh"

pytestmark = pytest.mark.parametrize("fresh_database_url", ["sqlite", "postgresql"], indirect=True)


async def _seed(url: str) -> set[uuid.UUID]:
    """The demo and two bookings; the appointments' ids."""
    engine = create_engine(url)
    try:
        await upgrade_engine(engine)
        clock = FakeClock()
        sessions = create_session_factory(engine, clock)
        async with sessions() as session:
            await seed_demo(session, api_key="fd_backup_test_key", password="pw")
        service = BookingService(sessions, clock=clock)
        for hour in (10, 11):
            await service.book(request(start=at(1, hour)))
        return await _appointments(url)
    finally:
        await engine.dispose()


async def _appointments(url: str) -> set[uuid.UUID]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return set((await conn.execute(select(Appointment.id))).scalars())
    finally:
        await engine.dispose()


async def _revision(url: str) -> str | None:
    engine = create_engine(url)
    try:
        return await current_revision(engine)
    finally:
        await engine.dispose()


def _script(*argv: str | Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in argv], env=env, capture_output=True, text=True, timeout=120
    )


def _backups(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir()) if directory.exists() else []


def _private_and_not_empty(path: Path) -> bool:
    """Readable by its owner only (a dump holds customers' data and sealed keys)."""
    facts = path.stat()
    return facts.st_size > 0 and facts.st_mode & 0o777 == 0o600


def _restore_target(url: str, tmp_path: Path) -> str:
    if url.startswith("sqlite"):
        return f"sqlite+aiosqlite:///{tmp_path / 'restored' / 'frontdesk.db'}"
    return f"postgresql+psycopg://{PG_USER}@{PG_HOST}:{PG_PORT}/fd_restore_{uuid.uuid4().hex[:10]}"


async def test_backup_then_restore_into_a_fresh_database(
    fresh_database_url: str, tmp_path: Path
) -> None:
    booked = await _seed(fresh_database_url)
    assert len(booked) == 2
    env = {k: v for k, v in os.environ.items() if not k.startswith("FRONTDESK_")}
    env |= {"FRONTDESK_DATABASE_URL": fresh_database_url, "BACKUP_DIR": str(tmp_path / "bk")}

    backup = _script(BACKUP, env=env)
    assert backup.returncode == 0, backup.stderr
    dump = Path(backup.stdout.strip())
    assert _backups(tmp_path / "bk") == [dump.name]
    assert _private_and_not_empty(dump)

    target = _restore_target(fresh_database_url, tmp_path)
    (tmp_path / "restored").mkdir()
    try:
        restored = _script(RESTORE, dump, target, env=env)
        assert restored.returncode == 0, restored.stderr
        head, _known = revisions()
        assert f"revision: {head}" in restored.stdout
        assert "appointments: 2" in restored.stdout
        assert await _appointments(target) == booked
        assert await _revision(target) == head

        # Never over an existing database: a second restore into the same target refuses.
        again = _script(RESTORE, dump, target, env=env)
        assert again.returncode != 0
        assert await _appointments(target) == booked
    finally:
        drop_database_url(target)


async def test_a_backup_of_an_unreachable_database_fails_loudly(
    fresh_database_url: str, tmp_path: Path
) -> None:
    if fresh_database_url.startswith("sqlite"):
        broken = f"sqlite+aiosqlite:///{tmp_path / 'missing.db'}"
    else:
        broken = fresh_database_url.rsplit("/", 1)[0] + "/fd_does_not_exist"
    env = {k: v for k, v in os.environ.items() if not k.startswith("FRONTDESK_")}
    env |= {"FRONTDESK_DATABASE_URL": broken, "BACKUP_DIR": str(tmp_path / "bk")}
    result = _script(BACKUP, env=env)
    assert result.returncode != 0
    # Nothing that could be taken for a backup, not even a half-written one.
    assert _backups(tmp_path / "bk") == []


def test_only_the_newest_backups_are_kept(fresh_database_url: str, tmp_path: Path) -> None:
    """By the time in their names, not their files' age (a clock may be wrong)."""
    if fresh_database_url.startswith("sqlite"):
        database = tmp_path / "fd.db"
        subprocess.run(["sqlite3", str(database), "CREATE TABLE t (x);"], check=True)
        fresh_database_url = f"sqlite+aiosqlite:///{database}"
    directory = tmp_path / "bk"
    directory.mkdir()
    older = ["frontdesk-20000101T031500Z.dump", "frontdesk-20000102T031500Z.db"]
    for name in [*older, "notes.txt"]:
        (directory / name).write_text("old", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("FRONTDESK_")}
    env |= {
        "FRONTDESK_DATABASE_URL": fresh_database_url,
        "BACKUP_DIR": str(directory),
        "KEEP_BACKUPS": "2",
    }
    result = _script(BACKUP, env=env)
    assert result.returncode == 0, result.stderr
    new = Path(result.stdout.strip()).name
    assert _backups(directory) == sorted([older[1], new, "notes.txt"])
