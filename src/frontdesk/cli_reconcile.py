"""``frontdesk reconcile``: compare Cal.com's bookings with ours and fix what differs
(``booking.reconcile``, ADR 0017), printing a table per mismatch class."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from frontdesk.booking.reconcile import BranchReport, Window, reconcile
from frontdesk.booking.reconcile_diff import Kind
from frontdesk.booking.unit_of_work import UnitOfWork
from frontdesk.calendars.port import CalendarPorts
from frontdesk.domain.clock import system_clock
from frontdesk.resources import Resources, open_resources
from frontdesk.settings import command_settings, get_settings

console = Console()
DEFAULT_DAYS = 14
MAX_DAYS = 366


def calendar_ports(resources: Resources) -> CalendarPorts:
    """Where the command reaches the calendars (tests put a fake here)."""
    return resources.calendars


def reconcile_command(
    tenant: Annotated[
        str | None, typer.Option(help="Only this tenant's branches (slug); default: all.")
    ] = None,
    days: Annotated[
        int, typer.Option(min=1, max=MAX_DAYS, help="Days from today to compare.")
    ] = DEFAULT_DAYS,
) -> None:
    """Compare Cal.com's bookings with ours for the next DAYS days and fix the differences.

    Exit 0 when every branch was compared (also when mismatches were found and fixed); 1 when
    Cal.com could not be read for a branch.
    """
    command_settings()
    reports = asyncio.run(_run(tenant, days))
    if not reports:
        console.print("No branch on Cal.com to reconcile.")
    for report in reports:
        render(console, report)
    if any(r.error for r in reports):
        raise typer.Exit(code=1)


async def _run(tenant: str | None, days: int) -> list[BranchReport]:
    async with open_resources(get_settings(), system_clock) as resources:
        uow = UnitOfWork(
            resources.sessions, clock=resources.clock, calendars=calendar_ports(resources)
        )
        return await reconcile(uow, Window(days=days), tenant_slug=tenant)


def render(out: Console, report: BranchReport) -> None:
    """One branch's run: its window, then a table per class that had mismatches."""
    window = f"{report.start:%Y-%m-%d} .. {report.end:%Y-%m-%d}"
    out.print(f"[bold]{report.tenant_slug}[/bold] branch {report.branch_id} ({window})")
    if report.error:
        out.print(f"[red]Cal.com could not be read: {report.error}[/red]")
        return
    if not report.items:
        out.print("[green]In sync: nothing to fix.[/green]")
        return
    for kind in Kind:
        items = [i for i in report.items if i.mismatch.kind is kind]
        if not items:
            continue
        table = Table(title=f"{kind} ({len(items)})", title_justify="left")
        for column in ("Appointment", "Cal.com uid", "Start", "Fix", "Note"):
            table.add_column(column)
        for item in items:
            booking = item.mismatch.booking
            table.add_row(
                str(item.mismatch.appointment_id or "-"),
                booking.uid if booking else "-",
                booking.start.isoformat() if booking else "-",
                str(item.fix),
                item.note or "",
            )
        out.print(table)
