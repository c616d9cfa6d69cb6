"""The ``frontdesk`` command line: serve, seed the demo, migrate, manage API keys, Cal.com,
dev tools."""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
from datetime import timedelta
from enum import StrEnum
from typing import Annotated

import typer
import uvicorn
from retell import Retell, RetellError
from rich.console import Console
from rich.table import Table

from frontdesk.booking.queries import Queries
from frontdesk.cli_calcom import calcom_app
from frontdesk.cli_dev import dev_app
from frontdesk.cli_doctor import doctor_command
from frontdesk.cli_messages import messages_app
from frontdesk.cli_reconcile import reconcile_command
from frontdesk.db import migrate
from frontdesk.db.repositories import jobs as job_rows
from frontdesk.db.repositories import tenants
from frontdesk.db.seed import DemoCredentials, seed_demo
from frontdesk.db.tables import Job
from frontdesk.domain.clock import system_clock
from frontdesk.domain.model import JobState
from frontdesk.jobs.handlers import default_registry
from frontdesk.jobs.process import run_worker_process
from frontdesk.observability.tracing import configure_tracing
from frontdesk.resources import open_resources
from frontdesk.security import generate_api_key, generate_password
from frontdesk.settings import Settings, command_settings
from frontdesk.voice import agent as voice_agent

app = typer.Typer(
    help="frontdesk — the booking backend for AI phone receptionists.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    # Locals in tracebacks could print secrets (API keys, passwords).
    pretty_exceptions_show_locals=False,
)
db_app = typer.Typer(help="Database schema migrations.", no_args_is_help=True)
apikey_app = typer.Typer(help="Tenant API keys for the REST API.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(apikey_app, name="apikey")
app.add_typer(dev_app, name="dev")
app.add_typer(calcom_app, name="calcom")
app.add_typer(messages_app, name="messages")
app.command("reconcile")(reconcile_command)
app.command("doctor")(doctor_command)

console = Console()


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    no_demo: Annotated[
        bool, typer.Option("--no-demo", help="Do not seed the demo business.")
    ] = False,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            help="HTTP worker processes (PostgreSQL only). With more than one, the embedded job "
            "worker is off: run `frontdesk worker` as its own process.",
        ),
    ] = 1,
) -> None:
    """Migrate the database, seed the demo on an empty embedded database, and serve HTTP."""
    settings = command_settings()
    if workers > 1 and settings.is_sqlite:
        console.print(
            "[red]--workers > 1 needs PostgreSQL: the embedded SQLite database is served by "
            "one process.[/red]"
        )
        raise typer.Exit(code=2)
    migrate.upgrade(settings.database_url)
    if settings.is_sqlite and not no_demo:
        credentials = asyncio.run(_seed_if_empty(settings))
        if credentials is not None:
            _print_credentials(credentials)
    if workers > 1:
        _prepare_worker_processes(settings)
    uvicorn.run(
        "frontdesk.app:create_app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=None,
        proxy_headers=True,
    )


def _prepare_worker_processes(settings: Settings) -> None:
    """Environment for ``--workers > 1`` (inherited by uvicorn's worker processes).

    Jobs must run in one place that an operator controls, so the embedded job worker is
    switched off in every HTTP process; and the Prometheus metrics of all processes are merged
    through a shared directory (a fresh one unless ``PROMETHEUS_MULTIPROC_DIR`` is set).
    """
    os.environ["FRONTDESK_EMBEDDED_WORKER"] = "false"
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="frontdesk-metrics-")
    if settings.embedded_worker:
        console.print(
            "[yellow]Several HTTP workers: the embedded job worker is off. "
            "Run `frontdesk worker` as a separate process, or jobs will wait.[/yellow]"
        )


@app.command()
def demo() -> None:
    """Seed or re-seed the demo business (Salon Sonnenschein) and print its API key and logins.

    Re-seeding replaces the demo tenant and everything it owns. FRONTDESK_DEMO_API_KEY fixes the
    API key; otherwise a new one is generated each time.
    """
    settings = command_settings()
    migrate.upgrade(settings.database_url)
    _print_credentials(asyncio.run(_seed(settings)))


@db_app.command("upgrade")
def db_upgrade(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
) -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    settings = command_settings()
    migrate.upgrade(settings.database_url, revision)
    console.print(f"Database at [bold]{revision}[/bold].")


@db_app.command("downgrade")
def db_downgrade(
    revision: Annotated[str, typer.Argument(help="Target revision, e.g. -1 or base.")],
) -> None:
    """Revert migrations down to REVISION."""
    settings = command_settings()
    migrate.downgrade(settings.database_url, revision)
    console.print(f"Database at [bold]{revision}[/bold].")


@apikey_app.command("create")
def apikey_create(
    tenant: Annotated[str, typer.Option(help="Tenant slug, e.g. salon-sonnenschein.")],
    name: Annotated[str, typer.Option(help="What the key is for.")] = "cli",
) -> None:
    """Create a new API key for TENANT and print it once (only its digest is stored)."""
    settings = command_settings()
    key = asyncio.run(_create_key(settings, tenant, name))
    if key is None:
        console.print(f"[red]No tenant with slug {tenant!r}.[/red]")
        raise typer.Exit(code=1)
    console.print(f"API key for [bold]{tenant}[/bold] ({name}): {key}")


async def _seed_if_empty(settings: Settings) -> DemoCredentials | None:
    async with open_resources(settings, system_clock) as resources, resources.sessions() as session:
        if await tenants.count_tenants(session) > 0:
            return None
    return await _seed(settings)


async def _seed(settings: Settings) -> DemoCredentials:
    api_key = (
        settings.demo_api_key.get_secret_value() if settings.demo_api_key else generate_api_key()
    )
    async with open_resources(settings, system_clock) as resources, resources.sessions() as session:
        return await seed_demo(session, api_key=api_key, password=generate_password())


async def _create_key(settings: Settings, slug: str, name: str) -> str | None:
    async with open_resources(settings, system_clock) as resources, resources.sessions() as session:
        tenant = await tenants.get_by_slug(session, slug)
        if tenant is None:
            return None
        key = generate_api_key()
        await tenants.add_api_key(session, tenant.id, name, key)
        await session.commit()
        return key


def _print_credentials(credentials: DemoCredentials) -> None:
    table = Table(title="Demo business: Salon Sonnenschein (salon-sonnenschein)")
    table.add_column("what")
    table.add_column("value")
    table.add_row("API key", credentials.api_key)
    for login in credentials.logins:
        table.add_row(f"login ({login.role.value})", f"{login.email} / {login.password}")
    table.add_row("phone number", "+4930123456789")
    console.print(table)


# Job worker and queue operations (the transactional outbox, see docs/jobs.md).
jobs_app = typer.Typer(help="The job queue: list jobs, retry dead ones.", no_args_is_help=True)
app.add_typer(jobs_app, name="jobs")


@app.command()
def worker(
    concurrency: Annotated[int, typer.Option(min=1, help="Jobs run at the same time.")] = 8,
    lease: Annotated[
        float, typer.Option(min=1, help="Seconds a claim is held without a heartbeat.")
    ] = 60.0,
    grace: Annotated[
        float, typer.Option(min=0, help="Seconds in-flight jobs may finish after SIGTERM.")
    ] = 30.0,
    poll: Annotated[float, typer.Option(min=0.05, help="Seconds between idle polls.")] = 1.0,
) -> None:
    """Run a job worker until SIGTERM/SIGINT (then finish or release in-flight jobs)."""
    settings = command_settings()
    configure_tracing("frontdesk-worker")
    asyncio.run(
        run_worker_process(
            settings,
            default_registry(),
            concurrency=concurrency,
            lease=timedelta(seconds=lease),
            grace=grace,
            poll_interval=poll,
            clock=system_clock,
        )
    )


@jobs_app.command("list")
def jobs_list(
    state: Annotated[JobState | None, typer.Option(help="Only jobs in this state.")] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many, newest first.")] = 50,
) -> None:
    """List jobs, newest first (e.g. --state dead for the ones that need an operator)."""
    settings = command_settings()
    rows = asyncio.run(_list_jobs(settings, state, limit))
    table = Table(title=f"jobs ({state.value if state else 'all states'})")
    for column in ("id", "kind", "state", "attempts", "run after (UTC)"):
        table.add_column(column, no_wrap=True)
    table.add_column("tenant", overflow="fold")
    table.add_column("last error", overflow="fold")
    for job in rows:
        table.add_row(
            str(job.id),
            job.kind,
            job.state.value,
            f"{job.attempts}/{job.max_attempts}",
            job.run_after.strftime("%Y-%m-%d %H:%M:%S"),
            str(job.tenant_id or ""),
            _last_line(job.last_error),
        )
    console.print(table)


@jobs_app.command("retry")
def jobs_retry(job_id: Annotated[int, typer.Argument(help="Id of a dead job.")]) -> None:
    """Queue a dead job again, due now, with its attempts reset."""
    settings = command_settings()
    if not asyncio.run(_retry_job(settings, job_id)):
        console.print(f"[red]No dead job with id {job_id}.[/red]")
        raise typer.Exit(code=1)
    console.print(f"Job {job_id} queued again.")


async def _list_jobs(settings: Settings, state: JobState | None, limit: int) -> list[Job]:
    async with open_resources(settings, system_clock) as resources, resources.sessions() as session:
        return list(await job_rows.list_jobs(session, state=state, limit=limit))


async def _retry_job(settings: Settings, job_id: int) -> bool:
    async with open_resources(settings, system_clock) as resources, resources.sessions() as session:
        retried = await job_rows.retry_dead(session, job_id, resources.clock())
        await session.commit()
        return retried


def _last_line(error: str | None) -> str:
    """A traceback's last line says what went wrong; the full text is in the database."""
    if not error:
        return ""
    return error.strip().splitlines()[-1][:200]


# The Retell agent as code (frontdesk.voice.agent, docs/agent.md).
agent_app = typer.Typer(
    help="The Retell agent as code: print its configuration, push it to Retell.",
    no_args_is_help=True,
)
app.add_typer(agent_app, name="agent")


class AgentExportFormat(StrEnum):
    JSON = "json"
    PROMPT = "prompt"


@agent_app.command("export")
def agent_export(
    tenant: Annotated[str, typer.Option(help="Tenant slug, e.g. salon-sonnenschein.")],
    output: Annotated[
        AgentExportFormat,
        typer.Option("--format", help="json: LLM and agent settings; prompt: the prompt only."),
    ] = AgentExportFormat.JSON,
    voice_id: Annotated[
        str, typer.Option(help="Retell voice id for the agent.")
    ] = voice_agent.DEFAULT_VOICE_ID,
) -> None:
    """Print the Retell LLM (prompt, tools) and agent settings for TENANT, as push sends them."""
    settings = command_settings()
    profile = _agent_profile(settings, tenant)
    if output is AgentExportFormat.PROMPT:
        typer.echo(voice_agent.render_prompt(profile), nl=False)
        return
    config = voice_agent.export_config(profile, settings.base_url, voice_id=voice_id)
    typer.echo(json.dumps(config, ensure_ascii=False, indent=2))


@agent_app.command("push")
def agent_push(
    tenant: Annotated[str, typer.Option(help="Tenant slug, e.g. salon-sonnenschein.")],
    voice_id: Annotated[
        str | None,
        typer.Option(
            help=f"Retell voice id. Default: {voice_agent.DEFAULT_VOICE_ID} for a new agent; "
            "an existing agent keeps its voice."
        ),
    ] = None,
    api_base_url: Annotated[
        str | None,
        typer.Option(
            envvar="FRONTDESK_RETELL_API_BASE_URL",
            help="Retell API base URL (default https://api.retellai.com); for tests and proxies.",
        ),
    ] = None,
    publish: Annotated[
        bool,
        typer.Option(
            "--publish", help="Also publish the updated draft (numbers bound to a version)."
        ),
    ] = False,
) -> None:
    """Create or update TENANT's Retell LLM and agent (named frontdesk:SLUG) and print the ids."""
    settings = command_settings()
    profile = _agent_profile(settings, tenant)
    api_key = profile.retell_api_key or (
        settings.retell_api_key.get_secret_value() if settings.retell_api_key else None
    )
    if not api_key:
        console.print(
            f"[red]No Retell API key: set the tenant's ({tenant!r}) "
            "or FRONTDESK_RETELL_API_KEY.[/red]"
        )
        raise typer.Exit(code=1)
    client = Retell(api_key=api_key, base_url=api_base_url)
    try:
        result = voice_agent.push(
            client, profile, settings.base_url, voice_id=voice_id, publish=publish
        )
    except (voice_agent.AgentPushError, RetellError) as exc:
        console.print(f"[red]Push failed: {exc}[/red]")
        raise typer.Exit(code=1) from exc
    finally:
        client.close()
    verb = "Created" if result.created else "Updated"
    console.print(f"{verb} Retell agent {profile.agent_name}.")
    typer.echo(f"llm_id={result.llm_id}")
    typer.echo(f"agent_id={result.agent_id}")
    if result.published_version is not None:
        typer.echo(f"published_version={result.published_version}")


def _agent_profile(settings: Settings, slug: str) -> voice_agent.AgentProfile:
    profile = asyncio.run(_load_agent_profile(settings, slug))
    if profile is None:
        console.print(f"[red]No tenant with slug {slug!r}.[/red]")
        raise typer.Exit(code=1)
    return profile


async def _load_agent_profile(settings: Settings, slug: str) -> voice_agent.AgentProfile | None:
    async with open_resources(settings, system_clock) as resources:
        return await voice_agent.load_profile(
            Queries(resources.sessions, settings.secret_key), slug
        )
