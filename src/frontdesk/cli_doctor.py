"""``frontdesk doctor``: check the installation and print what to do about each problem. The
checks are ``operations.doctor``; this module wires the real probes and renders the findings
(a table, or JSON for scripts). Exit 0 when nothing failed, 1 when something did (with
``--strict`` also on warnings) — ADR 0022."""

from __future__ import annotations

import asyncio
import json
import time
from contextlib import AsyncExitStack
from dataclasses import asdict
from typing import Annotated

import httpx
import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from frontdesk.calendars.calcom.transport import Guard
from frontdesk.calendars.providers import CalendarProviders
from frontdesk.db.engine import create_engine, create_session_factory
from frontdesk.domain.clock import Clock, system_clock
from frontdesk.operations.doctor import DEFAULT_TIMEOUT_S, Installation, run_doctor
from frontdesk.operations.doctor_adapters import (
    ProviderProbes,
    RedisPing,
    SqlDatabaseProbe,
    Unusable,
    revisions,
)
from frontdesk.operations.doctor_config import not_loaded
from frontdesk.operations.doctor_model import Finding, Status, exit_code
from frontdesk.operations.doctor_ports import DatabaseProbe, RedisProbe
from frontdesk.resilience.retry import RetryPolicy
from frontdesk.resources import connect_redis
from frontdesk.settings import Settings, command_settings

STYLE = {Status.OK: "green", Status.WARN: "yellow", Status.FAIL: "bold red", Status.SKIP: "dim"}


def http_client(per_check: float) -> httpx.AsyncClient:
    """The HTTP client outside calendars are reached with (tests put the emulator here)."""
    return httpx.AsyncClient(timeout=per_check)


def doctor_clock() -> Clock:
    """The clock compared with the database server's (tests put a shifted one here)."""
    return system_clock


def doctor_command(
    timeout: Annotated[
        float,
        typer.Option(min=0.1, max=120, help="Seconds each check may take before it fails."),
    ] = DEFAULT_TIMEOUT_S,
    strict: Annotated[
        bool, typer.Option("--strict", help="Exit 1 on warnings too, not only on failures.")
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the findings as JSON (for scripts).")
    ] = False,
) -> None:
    """Check configuration, database and migrations, Redis, the clock, every tenant's Retell
    key and numbers, and outside calendars (Cal.com: the key and the webhook subscriptions).

    Prints one row per finding with what to do. Exit 0 when nothing failed, 1 when something
    did (--strict: also on warnings). Never prints a secret.
    """
    try:
        settings = command_settings()
    except ValidationError as exc:
        findings = not_loaded(exc)
    else:
        findings = asyncio.run(_run(settings, timeout))
    render(findings, as_json=as_json)
    raise typer.Exit(code=exit_code(findings, strict=strict))


async def _run(settings: Settings, per_check: float) -> list[Finding]:
    clock = doctor_clock()
    head, known = revisions()
    async with AsyncExitStack() as stack:
        http = await stack.enter_async_context(http_client(per_check))
        # Its own breaker and budget, in process, and one attempt per request: a doctor run
        # must neither trip the servers' shared breaker nor wait through retries.
        guard = Guard.build(
            clock=clock,
            monotonic=time.monotonic,
            sleep=asyncio.sleep,
            retry=RetryPolicy(attempts=1),
            block_seconds=settings.calcom_block_seconds,
        )
        providers = CalendarProviders(settings, clock=clock, http=http, guard=guard)
        installation = Installation(
            database=_database(settings, clock, stack),
            redis=_redis(settings, stack),
            calendars=ProviderProbes(providers, seconds=per_check),
            head=head,
            known_revisions=known,
        )
        return await run_doctor(settings, installation, clock, per_check=per_check)


def _database(settings: Settings, clock: Clock, stack: AsyncExitStack) -> DatabaseProbe:
    """The database probe; a URL that cannot even make an engine becomes a finding."""
    try:
        engine = create_engine(settings.database_url, pool_size=1)
    except Exception as exc:  # a malformed URL, a driver that is not installed
        return Unusable(exc)
    stack.push_async_callback(engine.dispose)
    return SqlDatabaseProbe(engine, create_session_factory(engine, clock))


def _redis(settings: Settings, stack: AsyncExitStack) -> RedisProbe | None:
    if settings.redis_url is None:
        return None
    try:
        redis = connect_redis(settings.redis_url)
    except Exception as exc:  # a malformed URL
        return Unusable(exc)
    stack.push_async_callback(redis.aclose)
    return RedisPing(redis)


def render(findings: list[Finding], *, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps([asdict(f) for f in findings], ensure_ascii=False, indent=2))
        return
    console = Console()
    table = Table(title="frontdesk doctor", title_justify="left")
    table.add_column("status", no_wrap=True)
    table.add_column("check", no_wrap=True)
    table.add_column("subject", overflow="fold")
    table.add_column("finding", overflow="fold")
    table.add_column("what to do", overflow="fold")
    for f in findings:
        style = STYLE[f.status]
        table.add_row(
            f"[{style}]{f.status}[/{style}]", f.check, f.subject, f.finding, f.action or "-"
        )
    console.print(table)
    counts = {status: sum(f.status is status for f in findings) for status in Status}
    console.print(
        f"{counts[Status.OK]} ok, {counts[Status.WARN]} warning(s), "
        f"{counts[Status.FAIL]} failure(s), {counts[Status.SKIP]} skipped"
    )
