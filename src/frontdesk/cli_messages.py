"""``frontdesk messages settings``: show or change a tenant's reminder settings and sender
(``business.messaging``, ADR 0024; docs/messages.md)."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer
from rich.console import Console

from frontdesk.booking.unit_of_work import UnitOfWork
from frontdesk.business.messaging import MessageSettings, message_settings, set_message_settings
from frontdesk.business.owner import Owner
from frontdesk.db.repositories import tenants
from frontdesk.domain.clock import system_clock
from frontdesk.domain.errors import DomainError
from frontdesk.resources import open_resources
from frontdesk.settings import command_settings

console = Console()
messages_app = typer.Typer(help="Customer messages: reminder settings.", no_args_is_help=True)


@messages_app.command("settings")
def settings_command(
    tenant: Annotated[str, typer.Option(help="The tenant's slug.")],
    reminder_hours: Annotated[
        str | None, typer.Option(help="Hours before the appointment, or 'off'.")
    ] = None,
    reminder_email: Annotated[bool | None, typer.Option(help="Reminders by e-mail.")] = None,
    reminder_sms: Annotated[bool | None, typer.Option(help="Reminders by SMS.")] = None,
    mail_from: Annotated[
        str | None, typer.Option(help="Sender address ('' = FRONTDESK_MAIL_FROM).")
    ] = None,
) -> None:
    """Show the tenant's message settings; with options, change them first."""
    command_settings()
    try:
        shown = asyncio.run(_run(tenant, reminder_hours, reminder_email, reminder_sms, mail_from))
    except (DomainError, ValueError) as exc:
        console.print(f"[red]{getattr(exc, 'message', None) or exc}[/red]")
        raise typer.Exit(code=1) from None
    hours = "off" if shown.reminder_hours is None else f"{shown.reminder_hours} h before"
    console.print(
        f"reminders: {hours}; e-mail {'on' if shown.reminder_email else 'off'}, "
        f"SMS {'on' if shown.reminder_sms else 'off'}"
    )
    console.print(f"sender: {shown.mail_from or '(FRONTDESK_MAIL_FROM)'}")


async def _run(
    slug: str,
    hours: str | None,
    email: bool | None,
    sms: bool | None,
    mail_from: str | None,
) -> MessageSettings:
    async with open_resources(command_settings(), system_clock) as resources:
        async with resources.sessions() as session:
            row = await tenants.get_by_slug(session, slug)
        if row is None:
            raise ValueError(f"no tenant {slug!r}")
        uow = UnitOfWork(resources.sessions, clock=resources.clock)
        owner = Owner(row.id, "cli")
        current = await message_settings(uow, owner)
        if hours is None and email is None and sms is None and mail_from is None:
            return current
        wanted = MessageSettings(
            current.reminder_hours if hours is None else _hours(hours),
            current.reminder_email if email is None else email,
            current.reminder_sms if sms is None else sms,
            current.mail_from if mail_from is None else (mail_from or None),
        )
        return await set_message_settings(uow, owner, wanted)


def _hours(raw: str) -> int | None:
    if raw.strip().lower() in ("off", "aus", "0"):
        return None
    return int(raw)
