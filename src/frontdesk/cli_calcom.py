"""``frontdesk calcom connect|status``: thin commands over ``calendars.calcom.connect`` and
``calendars.calcom.status``; what they print is ``calendars.calcom.report``."""

from __future__ import annotations

import asyncio
import time
from typing import Annotated

import httpx
import typer
from pydantic import SecretStr
from rich.console import Console

from frontdesk.calendars.calcom.client import CalcomClient
from frontdesk.calendars.calcom.connect import (
    ConnectFailed,
    ConnectReport,
    ConnectRequest,
    connect,
)
from frontdesk.calendars.calcom.report import ProgressSteps, render_connect, render_status
from frontdesk.calendars.calcom.status import LinkStatus, link_status
from frontdesk.calendars.calcom.transport import Guard
from frontdesk.calendars.mirror.refresher import MirrorRefresher, mirror_budget
from frontdesk.calendars.providers import CalendarProviders
from frontdesk.domain.clock import system_clock
from frontdesk.resources import Resources, open_resources
from frontdesk.settings import Settings, command_settings

calcom_app = typer.Typer(
    help="Cal.com: link a tenant's team (staff, services, webhooks) and show the link.",
    no_args_is_help=True,
    # Locals in tracebacks would print the API key.
    pretty_exceptions_show_locals=False,
)
console = Console()
# Each Cal.com request has its own deadline (the transport's); this only bounds a hung socket.
HTTP_TIMEOUT = 30.0


def http_client() -> httpx.AsyncClient:
    """The HTTP client Cal.com is reached with (tests put a stand-in transport here)."""
    return httpx.AsyncClient(timeout=HTTP_TIMEOUT)


def _guard(resources: Resources) -> Guard:
    return Guard.build(
        clock=resources.clock,
        monotonic=time.monotonic,
        sleep=asyncio.sleep,
        redis=resources.redis,
    )


@calcom_app.command("connect")
def calcom_connect(
    tenant: Annotated[str, typer.Option(help="Tenant slug, e.g. salon-sonnenschein.")],
    api_key: Annotated[
        str, typer.Option(help="A Cal.com API key of a team admin (cal_live_…); stored sealed.")
    ],
    api_url: Annotated[
        str | None,
        typer.Option(
            help="Cal.com API base URL for this tenant (default FRONTDESK_CALCOM_API_URL)."
        ),
    ] = None,
    webhook_url: Annotated[
        str | None,
        typer.Option(
            help="Public base URL Cal.com posts bookings to (default FRONTDESK_BASE_URL)."
        ),
    ] = None,
    webhook_secret: Annotated[
        str | None,
        typer.Option(
            help="Secret of a team webhook created in Cal.com by hand: stored, nothing subscribed."
        ),
    ] = None,
    team: Annotated[
        int | None, typer.Option(help="Cal.com team id, when the key's user has several teams.")
    ] = None,
    branch: Annotated[
        str | None, typer.Option(help="Branch to link (default: the tenant's first).")
    ] = None,
) -> None:
    """Link TENANT's branch to its Cal.com team; running it again updates the link.

    Staff ↔ hosts (e-mail, then name), services ↔ event types (tolerant name); what Cal.com has
    and frontdesk lacks is created here; the branch's calendar becomes Cal.com, the key is
    stored sealed, and each linked event type gets a webhook to FRONTDESK_BASE_URL (or
    --webhook-url). Exit 1 when Cal.com refuses or cannot be reached, 2 when an option must
    change.
    """
    settings = command_settings()
    request = ConnectRequest(
        tenant=tenant,
        api_key=SecretStr(api_key),
        webhook_base_url=webhook_url or settings.base_url,
        api_url=api_url,
        webhook_secret=SecretStr(webhook_secret) if webhook_secret else None,
        team_id=team,
        branch=branch,
    )
    try:
        report = asyncio.run(_connect(settings, request))
    except ConnectFailed as exc:
        console.print(f"[red]{exc}[/red]", soft_wrap=True)
        raise typer.Exit(code=exc.exit_code) from None
    render_connect(console, report)


async def _connect(settings: Settings, request: ConnectRequest) -> ConnectReport:
    async with open_resources(settings, system_clock) as resources, http_client() as http:
        guard = _guard(resources)

        def make_client(base_url: str) -> CalcomClient:
            return CalcomClient.for_tenant(
                http, tenant=request.tenant, api_key=request.api_key, guard=guard, base_url=base_url
            )

        with ProgressSteps(console) as steps:
            report = await connect(
                resources.sessions,
                make_client,
                request,
                default_api_url=settings.calcom_api_url,
                clock=resources.clock,
                secret_key=settings.secret_key,
                progress=steps,
            )
        await _prefetch(resources, settings, http, guard, report)
        return report


async def _prefetch(
    resources: Resources,
    settings: Settings,
    http: httpx.AsyncClient,
    guard: Guard,
    report: ConnectReport,
) -> None:
    """One run of the mirror refresh for the linked branch, so the phone agent can answer for
    the nearest days at once instead of after the server's next periodic run (30 s). One run
    stays within the mirror's per-run share; the server's worker fills the rest."""
    providers = CalendarProviders(settings, clock=resources.clock, http=http, guard=guard)
    refresher = MirrorRefresher(
        resources.sessions,
        providers.port,
        clock=resources.clock,
        monotonic=guard.monotonic,
        budget=mirror_budget(guard.budget),
    )
    with console.status("Reading availability from Cal.com"):
        runs = await refresher.refresh(report.branch_id)
    days = sum(run.days for run in runs)
    requests = sum(run.requests for run in runs)
    console.print(f"Availability mirrored: {days} day(s) from {requests} request(s).")


@calcom_app.command("status")
def calcom_status(
    tenant: Annotated[str, typer.Option(help="Tenant slug, e.g. salon-sonnenschein.")],
) -> None:
    """Show TENANT's Cal.com link, its health and what is not in sync yet.

    Team, URL, whether key and webhook secret are stored (never their values), linked services
    and staff, the circuit breaker (shared through Redis only), appointments not in sync, the
    availability mirror's age. Exit 1 when the tenant has no Cal.com link.
    """
    settings = command_settings()
    status = asyncio.run(_status(settings, tenant))
    if status is None:
        console.print(f"[red]No tenant with slug {tenant!r}.[/red]")
        raise typer.Exit(code=2)
    if not status.linked:
        console.print(
            f"[red]{tenant} has no Cal.com link: run `frontdesk calcom connect`.[/red]",
            soft_wrap=True,
        )
        raise typer.Exit(code=1)
    render_status(console, status)


async def _status(settings: Settings, slug: str) -> LinkStatus | None:
    async with open_resources(settings, system_clock) as resources:
        # Only a shared (Redis) breaker is another process's breaker.
        breaker = _guard(resources).breaker if resources.redis is not None else None
        return await link_status(
            resources.sessions,
            slug,
            default_api_url=settings.calcom_api_url,
            breaker=breaker,
        )
