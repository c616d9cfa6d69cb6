"""What ``calcom connect`` and ``calcom status`` print: rich tables built from their reports.

Only names, ids and states are shown; the API key and the webhook secret are never part of a
report, so nothing here can print them.
"""

from __future__ import annotations

from datetime import UTC, datetime

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from frontdesk.calendars.calcom.connect import ConnectReport
from frontdesk.calendars.calcom.linking import Plan
from frontdesk.calendars.calcom.status import LinkStatus

_SECRET_SOURCES = {
    "new": "new, stored (set on every subscription)",
    "kept": "the tenant's earlier one, kept (set on every subscription)",
    "given": "the one given with --webhook-secret, stored; nothing subscribed",
}


class ProgressSteps:
    """``connect.Progress`` on a rich progress bar."""

    def __init__(self, console: Console) -> None:
        self._bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            console=console,
            # The tables say what was done; the bar only shows that it is going on.
            transient=True,
        )
        self._task = self._bar.add_task("Connecting to Cal.com", total=None)

    def __enter__(self) -> ProgressSteps:
        self._bar.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._bar.stop()

    def expect(self, total: int) -> None:
        self._bar.update(self._task, total=total)

    def step(self, what: str) -> None:
        self._bar.update(self._task, advance=1, description=what)


def _table(title: str, *columns: str) -> Table:
    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column, overflow="fold")
    return table


def render_connect(console: Console, report: ConnectReport) -> None:
    team = report.team
    console.print(
        f"Linked [bold]{report.tenant}[/bold] (branch {report.branch}) to Cal.com team "
        f"[bold]{team.name}[/bold] (id {team.id}{f', {team.slug}' if team.slug else ''})."
    )
    plan = report.plan
    console.print(_service_links(report, plan))
    console.print(_staff_links(report, plan))
    console.print(_created(plan))
    console.print(_unmatched(report, plan))
    _render_webhooks(console, report)


def _service_links(report: ConnectReport, plan: Plan) -> Table:
    table = _table("Services ↔ event types", "service", "event type", "id", "how")
    for link in plan.service_links:
        title = report.event_types.get(link.remote, "")
        table.add_row(report.local_names.get(link.local, ""), title, str(link.remote), link.how)
    for new in plan.new_services:
        table.add_row(new.name, new.name, str(new.event_type_id), "created here")
    return table


def _staff_links(report: ConnectReport, plan: Plan) -> Table:
    table = _table("Staff ↔ hosts", "staff", "host", "user id", "how")
    for link in plan.staff_links:
        host = report.hosts.get(link.remote, "")
        table.add_row(report.local_names.get(link.local, ""), host, str(link.remote), link.how)
    for new in plan.new_staff:
        name = f"{new.first_name} {new.last_name}".strip()
        table.add_row(name, name, str(new.user_id), "created here")
    return table


def _created(plan: Plan) -> Table:
    table = _table("Created here", "kind", "name", "Cal.com id", "details")
    for new in plan.new_services:
        table.add_row("service", new.name, str(new.event_type_id), f"{new.minutes} min")
    for person in plan.new_staff:
        name = f"{person.first_name} {person.last_name}".strip()
        detail = f"{person.email or 'no e-mail'}; no working hours (Cal.com has them)"
        table.add_row("staff", name, str(person.user_id), detail)
    if not plan.new_services and not plan.new_staff:
        table.add_row("—", "nothing", "", "")
    return table


def _unmatched(report: ConnectReport, plan: Plan) -> Table:
    table = _table("Not matched", "what", "name", "why")
    for item in plan.unmatched:
        table.add_row(item.side, item.name, item.why)
    for event_type_id in report.hosts_unknown:
        why = "none of its hosts is known here; the service keeps its staff"
        table.add_row("hosts", report.event_types.get(event_type_id, str(event_type_id)), why)
    if not plan.unmatched and not report.hosts_unknown:
        table.add_row("—", "nothing", "")
    return table


def _render_webhooks(console: Console, report: ConnectReport) -> None:
    table = _table(f"Webhooks → {report.subscriber_url}", "event type", "id", "webhook", "outcome")
    for outcome in report.webhooks:
        table.add_row(
            outcome.title,
            str(outcome.event_type_id),
            str(outcome.webhook_id or ""),
            "subscribed" if outcome.webhook_id is not None else f"failed: {outcome.error}",
        )
    if not report.webhooks:
        table.add_row("—", "", "", "none subscribed")
    console.print(table)
    console.print(f"Subscriber URL: {report.subscriber_url}", soft_wrap=True)
    if report.removed_webhooks:
        console.print(f"Replaced {report.removed_webhooks} earlier subscription(s).")
    if report.secret_source:
        console.print(f"Webhook secret: {_SECRET_SOURCES[report.secret_source]}.")
    if report.webhook_refused:
        console.print(f"[yellow]{report.webhook_refused}[/yellow]", soft_wrap=True)


# -- status ---------------------------------------------------------------------------------


def _when(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC") if moment else "never"


def render_status(console: Console, status: LinkStatus) -> None:
    tenant = status.overview.tenant
    key = {
        "encrypted": "stored encrypted",
        "plain": "stored PLAIN (set FRONTDESK_SECRET_KEY and connect again)",
        "missing": "missing (connect again)",
    }[status.key]
    link = _table(f"Cal.com link of {tenant.slug}", "what", "value")
    link.add_row("base URL", f"{status.base_url} ({'tenant' if status.own_url else 'default'})")
    link.add_row("API key", key)
    link.add_row("webhook secret", "present" if status.webhook_secret else "missing")
    for linked in status.overview.branches:
        config = linked.branch.calendar_config or {}
        hooks = config.get("webhooks") or {}
        link.add_row(f"branch {linked.branch.name}", f"provider {linked.branch.calendar_provider}")
        link.add_row("  team", f"{config.get('team_id')} ({config.get('team_slug') or '—'})")
        link.add_row("  linked at", str(config.get("linked_at", "—")))
        link.add_row(
            "  webhook subscriptions",
            f"{len(hooks)}" + (f" (event types {', '.join(sorted(hooks))})" if hooks else ""),
        )
        mirror = linked.mirror
        link.add_row(
            "  availability mirror",
            f"{mirror.days} days, {mirror.stale_days} stale, {mirror.never_fetched} never "
            f"fetched; fetched {_when(mirror.oldest_fetch)} … {_when(mirror.newest_fetch)}",
        )
    link.add_row("breaker", _breaker(status))
    unsynced = status.overview.unsynced
    link.add_row(
        "appointments not in sync",
        ", ".join(f"{state.value} {count}" for state, count in unsynced.items()),
    )
    link.add_row("last sync", _when(status.overview.last_synced_at))
    console.print(link)
    for linked in status.overview.branches:
        services = _table(f"Services of {linked.branch.name}", "service", "event type")
        for name, event_type_id in linked.services:
            services.add_row(name, str(event_type_id) if event_type_id else "not linked")
        staff = _table(f"Staff of {linked.branch.name}", "staff", "Cal.com user")
        for name, user_id in linked.staff:
            staff.add_row(name, str(user_id) if user_id else "not linked")
        console.print(services)
        console.print(staff)


def _breaker(status: LinkStatus) -> str:
    snapshot = status.breaker
    if snapshot is None:
        return (
            "not visible: without FRONTDESK_REDIS_URL each process keeps its breaker in memory, "
            "and this one is not the server's"
        )
    until = (
        f" until {datetime.fromtimestamp(snapshot.until, UTC):%H:%M:%S} UTC"
        if snapshot.until
        else ""
    )
    return f"{snapshot.state.value}{until}, {snapshot.recent_failures} recent failure(s)"
