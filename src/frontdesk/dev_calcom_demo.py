"""``frontdesk dev calcom-demo``: Cal.com mode end to end in one process (development only).

The Cal.com emulator and frontdesk run side by side in one event loop: the demo is seeded
afresh, linked to the emulator with the same use case as ``frontdesk calcom connect``, and
served with its embedded job worker, which fills the availability mirror from the emulator
and writes bookings to it. One process, so one Ctrl-C ends both and nothing is left behind.
"""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import uvicorn
from pydantic import SecretStr
from rich.console import Console

from frontdesk import demo
from frontdesk.calendars.calcom.client import CalcomClient
from frontdesk.calendars.calcom.connect import ConnectReport, ConnectRequest, connect
from frontdesk.calendars.calcom.emulator import serve as emulator
from frontdesk.calendars.calcom.emulator.app import create_emulator_app
from frontdesk.calendars.calcom.emulator.state import DEFAULT_API_KEY
from frontdesk.calendars.calcom.transport import Guard
from frontdesk.db import migrate
from frontdesk.db.seed import DemoCredentials, seed_demo
from frontdesk.domain.clock import system_clock
from frontdesk.resources import Resources, open_resources
from frontdesk.security import generate_api_key, generate_password
from frontdesk.settings import Settings

HOST = "127.0.0.1"
# Connect asks the emulator a handful of times; each request has the transport's own deadline.
HTTP_TIMEOUT = 30.0
EMULATOR_START_SECONDS = 10.0
# The service the printed examples use (every demo host performs it).
EXAMPLE_SERVICE = "herrenhaarschnitt"


class EmulatorDidNotStart(RuntimeError):
    pass


class _Server(uvicorn.Server):
    """A uvicorn server that leaves signals alone: two servers share one loop here, and each
    would otherwise replace the other's handler (the first one would never hear Ctrl-C)."""

    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def run(settings: Settings, *, port: int, emulator_port: int, console: Console) -> None:
    """Seed, start the emulator, connect, serve; returns after SIGINT/SIGTERM."""
    migrate.upgrade(settings.database_url)
    asyncio.run(_run(settings, port=port, emulator_port=emulator_port, console=console))


async def _run(settings: Settings, *, port: int, emulator_port: int, console: Console) -> None:
    credentials = await _seed(settings)
    calcom = _Server(_emulator_config(emulator_port))
    frontdesk = _Server(
        uvicorn.Config(
            "frontdesk.app:create_app_from_env",
            factory=True,
            host=HOST,
            port=port,
            log_config=None,
            proxy_headers=True,
        )
    )
    _stop_both_on_signals(calcom, frontdesk)
    calcom_task = asyncio.create_task(calcom.serve())
    try:
        await _wait_started(calcom, calcom_task)
        calcom_url = f"http://{HOST}:{emulator_port}"
        await _connect(settings, calcom_url, f"http://{HOST}:{port}")
        _print_try(console, credentials, f"http://{HOST}:{port}", calcom_url)
        await frontdesk.serve()
    finally:
        calcom.should_exit = True
        await calcom_task


def _emulator_config(port: int) -> uvicorn.Config:
    state = emulator.build_state("demo", DEFAULT_API_KEY)
    return uvicorn.Config(create_emulator_app(state), host=HOST, port=port, log_config=None)


def _stop_both_on_signals(*servers: uvicorn.Server) -> None:
    def stop() -> None:
        for server in servers:
            # A second Ctrl-C stops at once instead of waiting for open connections.
            server.force_exit = server.should_exit
            server.should_exit = True

    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop)


async def _wait_started(server: uvicorn.Server, task: asyncio.Task[None]) -> None:
    """Until the emulator listens; a port in use ends its task early (uvicorn logs why)."""
    deadline = time.monotonic() + EMULATOR_START_SECONDS
    while not server.started:
        if task.done() or time.monotonic() > deadline:
            raise EmulatorDidNotStart(f"the Cal.com emulator did not start on {server.config.port}")
        await asyncio.sleep(0.05)


async def _seed(settings: Settings) -> DemoCredentials:
    """A fresh demo: the emulator starts empty, so no earlier appointment may claim a uid."""
    api_key = (
        settings.demo_api_key.get_secret_value() if settings.demo_api_key else generate_api_key()
    )
    async with open_resources(settings, system_clock) as resources, resources.sessions() as session:
        return await seed_demo(session, api_key=api_key, password=generate_password())


async def _connect(settings: Settings, calcom_url: str, frontdesk_url: str) -> ConnectReport:
    request = ConnectRequest(
        tenant=demo.TENANT_SLUG,
        api_key=SecretStr(DEFAULT_API_KEY),
        webhook_base_url=frontdesk_url,
        api_url=calcom_url,
    )
    async with (
        open_resources(settings, system_clock) as resources,
        httpx.AsyncClient(timeout=HTTP_TIMEOUT) as http,
    ):
        guard = _guard(resources)

        def make_client(base_url: str) -> CalcomClient:
            return CalcomClient.for_tenant(
                http, tenant=request.tenant, api_key=request.api_key, guard=guard, base_url=base_url
            )

        return await connect(
            resources.sessions,
            make_client,
            request,
            default_api_url=settings.calcom_api_url,
            clock=resources.clock,
            secret_key=settings.secret_key,
        )


def _guard(resources: Resources) -> Guard:
    return Guard.build(
        clock=resources.clock, monotonic=time.monotonic, sleep=asyncio.sleep, redis=resources.redis
    )


def _print_try(
    console: Console, credentials: DemoCredentials, frontdesk_url: str, calcom_url: str
) -> None:
    key = credentials.api_key
    service = demo.demo_id("service", EXAMPLE_SERVICE)
    auth = f"-H 'Authorization: Bearer {key}'"
    console.print(
        "\n".join(
            [
                "",
                "[bold]Cal.com mode, end to end[/bold] (development only; the demo was seeded "
                "afresh and linked to the emulator)",
                f"frontdesk:        {frontdesk_url}   API key {key}",
                f"Cal.com emulator: {calcom_url}   (team 4242 Salon Sonnenschein)",
                "",
                "Availability comes from the mirror, filled from the emulator within about a "
                "minute (until then: 503 calendar_unknown):",
                f"  curl -s {auth} '{frontdesk_url}/api/v1/availability?service={service}&days=7'",
                "Book one of the starts it lists (start and staff_id from the answer):",
                f"  curl -s {auth} -H 'content-type: application/json' "
                f'{frontdesk_url}/api/v1/appointments -d \'{{"service_id": "{service}", '
                '"start": "START", "staff_id": "STAFF_ID", '
                '"customer": {"name": "Erika Mustermann", "phone": "+4915112345678"}}\'',
                'The booking in "Cal.com" (metadata.frontdesk_appointment_id is ours):',
                f"  curl -s {calcom_url}/_emulator/state",
                "Ctrl-C stops both.",
                "",
            ]
        ),
        soft_wrap=True,
        highlight=False,
    )
