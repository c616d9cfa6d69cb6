"""``frontdesk doctor`` as the tests run it: through the CLI runner (in a thread, since the
command runs its own event loop) with ``--json``, and the findings read back by check."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from click.testing import Result
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from typer.testing import CliRunner

from frontdesk.cli import app
from frontdesk.domain.clock import Clock, system_clock

runner = CliRunner()


async def doctor(*args: str) -> tuple[Result, list[dict[str, Any]]]:
    result = await asyncio.to_thread(runner.invoke, app, ["doctor", "--json", *args])
    try:
        findings = json.loads(result.stdout)
    except json.JSONDecodeError as exc:
        raise AssertionError(f"not JSON: {result.stdout}\n{result.stderr}") from exc
    return result, findings


def rows(findings: list[dict[str, Any]], check: str) -> list[dict[str, Any]]:
    return [f for f in findings if f["check"] == check]


def row(findings: list[dict[str, Any]], check: str, subject: str | None = None) -> dict[str, Any]:
    found = [f for f in rows(findings, check) if subject is None or f["subject"] == subject]
    assert len(found) == 1, (check, subject, findings)
    return found[0]


def statuses(findings: list[dict[str, Any]]) -> dict[str, str]:
    return {f"{f['check']} {f['subject']}": f["status"] for f in findings}


def problems(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [f for f in findings if f["status"] in {"fail", "warn"}]


async def server_clock(engine: AsyncEngine) -> Clock:
    """This machine's clock moved to the database server's: the suite also runs with the test
    process's clock shifted by libfaketime while the PostgreSQL server keeps the real one, and
    a healthy-install test must not read that as skew."""
    if engine.dialect.name == "sqlite":
        return system_clock
    async with engine.connect() as conn:
        server = (await conn.execute(text("SELECT now()"))).scalar_one()
    assert isinstance(server, datetime)
    offset: timedelta = server - system_clock()
    return lambda: system_clock() + offset


def closed_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def silent_listener() -> Iterator[int]:
    """A port that accepts TCP connections and never says a word: a hung server."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        yield sock.getsockname()[1]
