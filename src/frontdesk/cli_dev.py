"""``frontdesk dev …``: development tools (never for production) — the Cal.com emulator and
Cal.com mode end to end in one process."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from frontdesk import dev_calcom_demo as calcom_demo
from frontdesk.calendars.calcom.connect import ConnectFailed
from frontdesk.calendars.calcom.emulator import serve as emulator
from frontdesk.calendars.calcom.emulator.state import DEFAULT_API_KEY
from frontdesk.settings import command_settings

dev_app = typer.Typer(help="Development tools (never for production).", no_args_is_help=True)
console = Console()


@dev_app.command("calcom-emulator")
def dev_calcom_emulator(
    port: Annotated[int, typer.Option(help="TCP port.")] = 8055,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    seed: Annotated[str, typer.Option(help="The account to start with.")] = "demo",
    api_key: Annotated[str, typer.Option(help="The API key it accepts.")] = DEFAULT_API_KEY,
    webhook_delivery: Annotated[
        bool, typer.Option(help="POST webhooks to subscribers (off: only recorded).")
    ] = True,
    rate_window: Annotated[
        float,
        typer.Option(min=1, help="Seconds of the rate-limit window and block (Cal.com: 60)."),
    ] = 60.0,
) -> None:
    """Serve a Cal.com API v2 emulator (docs/calcom-emulator.md); prints its key and URL."""
    try:
        emulator.serve(
            host=host,
            port=port,
            seed=seed,
            api_key=api_key,
            webhook_delivery=webhook_delivery,
            console=console,
            rate_window=rate_window,
        )
    except emulator.UnknownSeed as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(code=2) from exc


@dev_app.command("calcom-demo")
def dev_calcom_demo(
    port: Annotated[int, typer.Option(help="frontdesk's TCP port.")] = 8000,
    emulator_port: Annotated[int, typer.Option(help="The Cal.com emulator's TCP port.")] = 8055,
) -> None:
    """Cal.com mode end to end: the emulator, the demo seeded afresh and linked to it, and
    frontdesk with its job worker, in one process on 127.0.0.1 until Ctrl-C."""
    settings = command_settings()
    try:
        calcom_demo.run(settings, port=port, emulator_port=emulator_port, console=console)
    except calcom_demo.EmulatorDidNotStart as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(code=1) from exc
    except ConnectFailed as exc:
        console.print(f"[red]{exc}[/red]", soft_wrap=True)
        raise typer.Exit(code=exc.exit_code) from exc
