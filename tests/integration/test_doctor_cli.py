"""`frontdesk doctor` on both databases: a healthy install exits 0; Redis stopped, a wrong
database URL, a hung database, a tenant without a Retell key, clock skew and settings that do
not load are each reported and exit 1 — without a traceback, without a hang and without a
secret in the output."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from tests.doctor_support import (
    closed_port,
    doctor,
    problems,
    row,
    runner,
    server_clock,
    silent_listener,
    statuses,
)
from tests.services_support import DIALECTS, REDIS_URL

from frontdesk import cli_doctor, secrets
from frontdesk.cli import app
from frontdesk.db.seed import DemoCredentials
from frontdesk.db.tables import Tenant
from frontdesk.settings import get_settings

# Starts real frontdesk processes (left out of CI's shifted-clock stage: .ci/run).
pytestmark = pytest.mark.processes

SLUG = "salon-sonnenschein"
RETELL_KEY = "key_doctor_fallback_0123456789"
POSTGRESQL = pytest.param("postgresql", marks=pytest.mark.postgres)
TENANT_RETELL_KEY = "key_tenant_own_abcdefghijklmnop"


@pytest.fixture(autouse=True)
def fresh_settings() -> Iterator[None]:
    """Each test's FRONTDESK_* are read afresh, and none outlives the test in the cache."""
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
async def cli_env(
    engine: AsyncEngine, demo: DemoCredentials, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """The demo salon in the test's database and a healthy configuration pointing at it."""
    url = engine.url.render_as_string(hide_password=False)
    secret_key = secrets.new_key()
    monkeypatch.setenv("FRONTDESK_DATABASE_URL", url)
    monkeypatch.setenv("FRONTDESK_SECRET_KEY", secret_key)
    monkeypatch.setenv("FRONTDESK_RETELL_API_KEY", RETELL_KEY)
    monkeypatch.setenv("FRONTDESK_BASE_URL", "https://frontdesk.example")
    monkeypatch.delenv("FRONTDESK_REDIS_URL", raising=False)
    clock = await server_clock(engine)
    monkeypatch.setattr(cli_doctor, "doctor_clock", lambda: clock)
    get_settings.cache_clear()
    yield secret_key
    get_settings.cache_clear()


def never_printed(output: str, *values: str) -> None:
    for value in values:
        assert value not in output


async def test_a_healthy_install_exits_zero(cli_env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FRONTDESK_REDIS_URL", REDIS_URL)
    get_settings.cache_clear()
    result, findings = await doctor()
    assert result.exit_code == 0, findings
    assert problems(findings) == []
    assert row(findings, "database")["status"] == "ok"
    assert row(findings, "migrations")["finding"] == "the database is at the newest migration"
    assert row(findings, "redis")["status"] == "ok"
    assert row(findings, "clock")["status"] == "ok"
    assert row(findings, "retell key", SLUG)["finding"].startswith("none of its own")
    assert row(findings, "phone numbers", SLUG)["finding"] == "+4930123456789"
    assert row(findings, "calendar", SLUG)["status"] == "ok"
    never_printed(result.stdout + result.stderr, cli_env, RETELL_KEY)


async def test_the_table_says_what_to_do(cli_env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "400")
    monkeypatch.setenv("FRONTDESK_REDIS_URL", f"redis://:hunter2pass@127.0.0.1:{closed_port()}/1")
    get_settings.cache_clear()
    result = await asyncio.to_thread(runner.invoke, app, ["doctor"])
    assert result.exit_code == 1
    out = " ".join(result.stdout.split())
    assert "what to do" in out
    assert "start Redis or fix FRONTDESK_REDIS_URL" in out
    assert "warning(s), 1 failure(s)" in out
    assert "***" in out
    never_printed(result.stdout + result.stderr, "hunter2pass", cli_env, RETELL_KEY)


async def test_redis_stopped_is_a_failure(cli_env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FRONTDESK_REDIS_URL", f"redis://127.0.0.1:{closed_port()}/1")
    get_settings.cache_clear()
    result, findings = await doctor()
    assert result.exit_code == 1
    redis = row(findings, "redis")
    assert redis["status"] == "fail"
    assert "unreachable" in redis["finding"]
    # Everything else is still checked and fine.
    assert [f["check"] for f in problems(findings)] == ["redis"]


async def test_a_tenant_without_a_retell_key(cli_env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FRONTDESK_RETELL_API_KEY")
    get_settings.cache_clear()
    result, findings = await doctor()
    assert result.exit_code == 1
    retell = row(findings, "retell key", SLUG)
    assert retell["status"] == "fail"
    assert "its calls are refused" in retell["finding"]
    assert "/admin/settings" in retell["action"]


async def test_a_retell_key_sealed_with_another_secret_key(
    cli_env: str, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """The key is stored, but FRONTDESK_SECRET_KEY changed since: it cannot be opened."""
    sealed = secrets.seal(
        secrets.SecretStr(TENANT_RETELL_KEY), secrets.SecretStr(secrets.new_key())
    )
    async with sessions() as session:
        await session.execute(update(Tenant).values(retell_api_key=sealed))
        await session.commit()
    result, findings = await doctor()
    assert result.exit_code == 1
    retell = row(findings, "retell key", SLUG)
    assert retell["status"] == "fail"
    assert "cannot be opened" in retell["finding"]
    never_printed(result.stdout + result.stderr, TENANT_RETELL_KEY, sealed)


async def test_the_tenants_own_key_opens(
    cli_env: str, sessions: async_sessionmaker[AsyncSession], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FRONTDESK_RETELL_API_KEY")
    get_settings.cache_clear()
    sealed = secrets.seal(SecretStr(TENANT_RETELL_KEY), SecretStr(cli_env))
    async with sessions() as session:
        await session.execute(update(Tenant).values(retell_api_key=sealed))
        await session.commit()
    result, findings = await doctor()
    assert result.exit_code == 0, findings
    assert row(findings, "retell key", SLUG)["finding"] == "stored and opens"
    never_printed(result.stdout + result.stderr, TENANT_RETELL_KEY)


# SQLite reads this machine's clock: there is no other clock to differ from.
@pytest.mark.parametrize("engine", [POSTGRESQL], indirect=True)
@pytest.mark.parametrize("skew", [timedelta(seconds=-60), timedelta(seconds=60)])
async def test_clock_skew_against_the_database_server(
    cli_env: str, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch, skew: timedelta
) -> None:
    on_time = await server_clock(engine)
    monkeypatch.setattr(cli_doctor, "doctor_clock", lambda: lambda: on_time() + skew)
    result, findings = await doctor()
    assert result.exit_code == 1
    clock = row(findings, "clock")
    assert clock["status"] == "fail"
    assert ("ahead" if skew > timedelta(0) else "behind") in clock["finding"]


@pytest.mark.parametrize("fresh_database_url", DIALECTS, indirect=True)
async def test_an_unmigrated_database(
    fresh_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FRONTDESK_DATABASE_URL", fresh_database_url)
    get_settings.cache_clear()
    if fresh_database_url.startswith("sqlite"):
        await asyncio.to_thread(Path(fresh_database_url.split("///", 1)[1]).touch)
    result, findings = await doctor()
    assert result.exit_code == 1
    assert row(findings, "database")["status"] == "ok"
    assert row(findings, "migrations")["status"] == "fail"
    assert "frontdesk db upgrade" in row(findings, "migrations")["action"]


@pytest.mark.parametrize("engine", [POSTGRESQL], indirect=True)
@pytest.mark.parametrize("where", ["closed port", "no such database"])
async def test_a_wrong_postgresql_url(
    cli_env: str, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    good = engine.url
    wrong = (
        good.set(port=closed_port(), password="s3cret-db-pass")
        if where == "closed port"
        else good.set(database="frontdesk_does_not_exist", password="s3cret-db-pass")
    )
    monkeypatch.setenv("FRONTDESK_DATABASE_URL", wrong.render_as_string(hide_password=False))
    get_settings.cache_clear()
    result, findings = await doctor()
    assert result.exit_code == 1
    database = row(findings, "database")
    assert database["status"] == "fail"
    assert "unreachable" in database["finding"]
    assert statuses(findings)[f"tenants {database['subject']}"] == "skip"
    never_printed(result.stdout + result.stderr, "s3cret-db-pass", "Traceback")


async def test_a_missing_sqlite_file_is_reported_not_created(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "nowhere" / "frontdesk.db"
    monkeypatch.setenv("FRONTDESK_DATABASE_URL", f"sqlite+aiosqlite:///{path}")
    get_settings.cache_clear()
    result, findings = await doctor()
    assert result.exit_code == 1
    assert row(findings, "database")["status"] == "fail"
    assert "does not exist" in row(findings, "database")["finding"]
    assert not path.exists()


@pytest.mark.postgres
async def test_a_hung_database_is_bounded_by_the_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    with silent_listener() as port:
        url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/frontdesk"
        monkeypatch.setenv("FRONTDESK_DATABASE_URL", url)
        get_settings.cache_clear()
        result, findings = await doctor("--timeout", "0.5")
    assert result.exit_code == 1
    assert row(findings, "database")["finding"] == "unreachable: no answer within 0.5 s"


async def test_settings_that_do_not_load(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FRONTDESK_DB_POOL_SIZE", "zero-secret-ish")
    get_settings.cache_clear()
    result, findings = await doctor()
    assert result.exit_code == 1
    bad = row(findings, "configuration", "FRONTDESK_DB_POOL_SIZE")
    assert bad["status"] == "fail"
    never_printed(result.stdout + result.stderr, "zero-secret-ish")


def _run(cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "frontdesk", "doctor"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_doctor_as_a_process_from_the_shell(tmp_path: Path) -> None:
    """An operator's shell: exit 1 before anything exists, 0 once the demo is seeded with a
    Retell key configured, 1 again when Redis is configured but down."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FRONTDESK_")}
    env["COLUMNS"] = "300"
    empty = _run(tmp_path, env)
    assert empty.returncode == 1, empty.stdout + empty.stderr
    assert "does not exist" in empty.stdout
    assert not (tmp_path / "frontdesk.db").exists()

    seeded = subprocess.run(
        [sys.executable, "-m", "frontdesk", "demo"], cwd=tmp_path, env=env, capture_output=True
    )
    assert seeded.returncode == 0
    env["FRONTDESK_RETELL_API_KEY"] = RETELL_KEY
    healthy = _run(tmp_path, env)
    assert healthy.returncode == 0, healthy.stdout + healthy.stderr
    assert "0 failure(s)" in healthy.stdout
    assert "Traceback" not in healthy.stderr

    env["FRONTDESK_REDIS_URL"] = f"redis://127.0.0.1:{closed_port()}/1"
    down = _run(tmp_path, env)
    assert down.returncode == 1
    assert "1 failure(s)" in down.stdout
    assert RETELL_KEY not in down.stdout + down.stderr


@pytest.mark.parametrize(
    ("variable", "value", "check"),
    [
        ("FRONTDESK_DATABASE_URL", "not a url at all", "database"),
        ("FRONTDESK_DATABASE_URL", "mysql+aiomysql://fd:s3cret-db-pass@db/fd", "database"),
        ("FRONTDESK_REDIS_URL", "localhost:6379", "redis"),
    ],
)
async def test_urls_that_cannot_even_be_used_are_findings(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, variable: str, value: str, check: str
) -> None:
    monkeypatch.setenv("FRONTDESK_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'fd.db'}")
    monkeypatch.setenv(variable, value)
    get_settings.cache_clear()
    result, findings = await doctor()
    assert result.exit_code == 1
    assert row(findings, check)["status"] == "fail"
    never_printed(result.stdout + result.stderr, "s3cret-db-pass", "Traceback")
