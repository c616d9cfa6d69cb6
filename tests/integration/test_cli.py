"""The command line: help, idempotent demo seeding, API keys, and a real `frontdesk serve`."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from tests.process_support import wait_ready
from typer.testing import CliRunner

from frontdesk.cli import app
from frontdesk.settings import get_settings

runner = CliRunner()


@pytest.fixture
def sqlite_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = tmp_path / "cli.db"
    monkeypatch.setenv("FRONTDESK_DATABASE_URL", f"sqlite+aiosqlite:///{path}")
    monkeypatch.delenv("FRONTDESK_DEMO_API_KEY", raising=False)
    get_settings.cache_clear()
    yield path
    get_settings.cache_clear()


def _rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as conn:
        return conn.execute(sql).fetchall()


def test_help_lists_the_commands() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("serve", "demo", "db", "apikey"):
        assert command in result.output


def test_demo_twice_leaves_one_business_and_prints_credentials(
    sqlite_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = runner.invoke(app, ["demo"])
    assert first.exit_code == 0, first.output
    monkeypatch.setenv("FRONTDESK_DEMO_API_KEY", "fd_fixed_demo_key")
    get_settings.cache_clear()
    second = runner.invoke(app, ["demo"])
    assert second.exit_code == 0, second.output
    assert "fd_fixed_demo_key" in second.output
    assert "inhaber@salon-sonnenschein.de" in second.output
    assert _rows(sqlite_env, "SELECT slug FROM tenant") == [("salon-sonnenschein",)]
    assert _rows(sqlite_env, "SELECT count(*) FROM staff") == [(3,)]
    assert _rows(sqlite_env, "SELECT count(*) FROM api_key") == [(1,)]
    # Only the digest is stored.
    assert _rows(sqlite_env, "SELECT count(*) FROM api_key WHERE key_hash LIKE '%fixed%'") == [(0,)]


def test_apikey_create(sqlite_env: Path) -> None:
    assert runner.invoke(app, ["demo"]).exit_code == 0
    result = runner.invoke(app, ["apikey", "create", "--tenant", "salon-sonnenschein"])
    assert result.exit_code == 0, result.output
    assert "fd_" in result.output
    assert _rows(sqlite_env, "SELECT count(*) FROM api_key") == [(2,)]
    unknown = runner.invoke(app, ["apikey", "create", "--tenant", "nope"])
    assert unknown.exit_code == 1


def test_db_upgrade_and_downgrade(sqlite_env: Path) -> None:
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    assert _rows(sqlite_env, "SELECT count(*) FROM tenant") == [(0,)]
    assert runner.invoke(app, ["db", "downgrade", "base"]).exit_code == 0
    assert _rows(sqlite_env, "SELECT name FROM sqlite_master WHERE name = 'tenant'") == []


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.mark.parametrize("no_demo", [False, True])
def test_serve_runs_the_demo_on_embedded_sqlite(tmp_path: Path, no_demo: bool) -> None:
    """`frontdesk serve` from an empty directory: migrates, seeds, answers health checks."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("FRONTDESK_")}
    command = [sys.executable, "-m", "frontdesk", "serve", "--port", str(port)]
    process = subprocess.Popen(
        command + (["--no-demo"] if no_demo else []),
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_ready(f"http://127.0.0.1:{port}/healthz", process)
        assert httpx.get(f"http://127.0.0.1:{port}/readyz").json()["checks"] == {"database": "ok"}
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=20)
    # uvicorn shuts down gracefully, then re-raises SIGTERM so the exit status tells why.
    assert process.returncode in (0, -signal.SIGTERM), output
    assert "Application shutdown complete" in output
    tenants = _rows(tmp_path / "frontdesk.db", "SELECT slug FROM tenant")
    assert tenants == ([] if no_demo else [("salon-sonnenschein",)])
    # The demo's credentials table (a migration's description may also say "API key").
    assert ("Demo business" in output) is (not no_demo)
