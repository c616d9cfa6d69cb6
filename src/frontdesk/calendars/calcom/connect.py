"""``frontdesk calcom connect`` and ``calcom status`` as use cases.

Connect runs in four phases, so no transaction is open while Cal.com is asked:

1. read Cal.com: the key's user (proves the key), the team, its members (the only place hosts'
   e-mails are) and its event types with their hosts;
2. in one transaction: read the branch's staff and services, compute the plan
   (``linking.plan_links``, pure) and write it (``repositories.calendar_links.write_link``):
   links, local rows for what is missing, services' hosts, the branch switched to Cal.com,
   the key sealed;
3. subscribe to every linked event type's bookings (team event-type webhooks, `subscribe.py`);
4. in a second transaction: the subscriptions and the webhook secret.

A refused subscription (the key's user is not a team admin) does not undo the link: the report
says how to create one team webhook by hand and connect again with ``--webhook-secret``.
Nothing here prints or logs the API key; it travels as a ``SecretStr`` and is stored sealed.
"""

from __future__ import annotations

import secrets as token
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from pydantic import SecretStr

from frontdesk import secrets
from frontdesk.calendars.calcom.client import CalcomClient
from frontdesk.calendars.calcom.connect_model import (
    READ_STEPS,
    TRIGGERS,
    ConnectFailed,
    ConnectReport,
    ConnectRequest,
    Linked,
    Progress,
    Silent,
    WebhookOutcome,
)
from frontdesk.calendars.calcom.linking import (
    LocalPerson,
    LocalService,
    RemoteEventType,
    RemotePerson,
    plan_links,
    service_score,
)
from frontdesk.calendars.calcom.schemas import Membership, Team, TeamEventType
from frontdesk.calendars.calcom.subscribe import manual_webhook_help, subscribe
from frontdesk.calendars.errors import (
    CalendarAuthFailed,
    CalendarError,
    CalendarUnavailable,
)
from frontdesk.db.engine import DbSession, SessionFactory
from frontdesk.db.repositories import calendar_links, tenants
from frontdesk.db.tables import Branch, Tenant
from frontdesk.domain.clock import Clock
from frontdesk.observability.logging import get_logger

# A team whose name is this close to the tenant's is taken as the tenant's team.
TEAM_THRESHOLD = 0.9

log = get_logger(__name__)

__all__ = [
    "TRIGGERS",
    "ConnectFailed",
    "ConnectReport",
    "ConnectRequest",
    "Progress",
    "WebhookOutcome",
    "connect",
    "manual_webhook_help",
]


async def connect(
    sessions: SessionFactory,
    make_client: Callable[[str], CalcomClient],
    request: ConnectRequest,
    *,
    default_api_url: str,
    clock: Clock,
    secret_key: SecretStr | None,
    progress: Progress | None = None,
    new_secret: Callable[[], str] = lambda: token.token_urlsafe(32),
) -> ConnectReport:
    """Link TENANT's branch to its Cal.com team; see the module docstring.

    ``make_client`` builds the client for a base URL: --api-url, else the URL an earlier
    connect stored for the tenant (so a second run reaches the same Cal.com), else the setting.
    """
    steps = progress or Silent()
    steps.expect(READ_STEPS)
    # Input mistakes (tenant, branch) fail before anything is asked of Cal.com.
    tenant, branch_id = await _target(sessions, request.tenant, request.branch)
    base_url = request.api_url or tenant.calcom_api_url or default_api_url
    client = make_client(base_url)
    team, members, event_types = await _read_calcom(
        client, tenant, request.team_id, base_url, steps
    )
    calcom = _Calcom(team, _hosts(event_types, members), event_types, members)
    async with sessions() as session:
        linked = await _link(session, branch_id, calcom, request, clock(), secret_key)
        await session.commit()
    steps.step("Linked staff and services")
    plan = linked.report.plan
    log.info(
        "calcom_linked",
        tenant=request.tenant,
        team_id=team.id,
        services=len(plan.service_links) + len(plan.new_services),
        staff=len(plan.staff_links) + len(plan.new_staff),
    )
    return await subscribe(
        sessions, client, request, tenant.calcom_webhook_secret, linked, steps, new_secret
    )


@dataclass(frozen=True, slots=True)
class _Calcom:
    """What was read from Cal.com."""

    team: Team
    people: list[RemotePerson]
    event_types: tuple[TeamEventType, ...]
    members: tuple[Membership, ...]


async def _link(
    session: DbSession,
    branch_id: uuid.UUID,
    calcom: _Calcom,
    request: ConnectRequest,
    now: datetime,
    secret_key: SecretStr | None,
) -> Linked:
    """Plan against the branch's rows and write the plan (the caller commits)."""
    branch = await session.get_one(Branch, branch_id)
    staff = await calendar_links.staff_of_branch(session, branch.id)
    services = await calendar_links.services_of_branch(session, branch.id)
    plan = plan_links(
        [LocalPerson(s.id, s.name, s.email, s.calcom_user_id) for s in staff],
        [LocalService(s.id, s.name, tuple(s.aliases), s.calcom_event_type_id) for s in services],
        calcom.people,
        [_remote_event_type(et, calcom.members) for et in calcom.event_types],
    )
    previous = dict((branch.calendar_config or {}).get("webhooks") or {})
    team = calcom.team
    written = await calendar_links.write_link(
        session,
        calendar_links.LinkWrite(
            branch=branch,
            tenant=await session.get_one(Tenant, branch.tenant_id),
            staff_links={link.local: link.remote for link in plan.staff_links},
            service_links={link.local: link.remote for link in plan.service_links},
            new_staff=[
                calendar_links.StaffToCreate(n.user_id, n.first_name, n.last_name, n.email)
                for n in plan.new_staff
            ],
            new_services=[
                calendar_links.ServiceToCreate(n.event_type_id, n.name, n.minutes)
                for n in plan.new_services
            ],
            hosts=plan.hosts,
            calendar_config={
                "team_id": team.id,
                "team_slug": team.slug or "",
                "linked_at": now.isoformat(),
                "webhooks": previous,
            },
            sealed_api_key=secrets.seal(request.api_key, secret_key),
            api_url=request.api_url,
        ),
    )
    report = ConnectReport(
        tenant=request.tenant,
        branch=branch.name,
        team=team,
        plan=plan,
        branch_id=branch.id,
        local_names={s.id: s.name for s in staff} | {s.id: s.name for s in services},
        event_types={et.id: et.title for et in calcom.event_types},
        hosts={p.user_id: p.name for p in calcom.people},
        hosts_unknown=written.hosts_unknown,
        subscriber_url=request.subscriber_url,
    )
    return Linked(report, branch.id, previous)


# -- reading Cal.com ----------------------------------------------------------------------------


async def _target(
    sessions: SessionFactory, slug: str, branch: str | None
) -> tuple[Tenant, uuid.UUID]:
    """The tenant and the branch to link: ``branch`` by name, else the tenant's first."""
    async with sessions() as session:
        tenant = await tenants.get_by_slug(session, slug)
        if tenant is None:
            raise ConnectFailed(f"No tenant with slug {slug!r}.", exit_code=2)
        branches = await calendar_links.branches_of_tenant(session, tenant.id)
    if not branches:
        raise ConnectFailed("The tenant has no branch to link.", exit_code=2)
    if branch is None:
        return tenant, branches[0].id
    for row in branches:
        if row.name.casefold() == branch.strip().casefold():
            return tenant, row.id
    known = ", ".join(b.name for b in branches)
    raise ConnectFailed(f"No branch {branch!r}; the tenant's branches: {known}.", exit_code=2)


async def _read_calcom(
    client: CalcomClient, tenant: Tenant, team_id: int | None, base_url: str, steps: Progress
) -> tuple[Team, tuple[Membership, ...], tuple[TeamEventType, ...]]:
    try:
        await client.me()
        steps.step("Read the key's account")
        team = _choose_team(await client.teams(), tenant, team_id)
        steps.step(f"Chose team {team.name}")
        members = await client.memberships(team.id)
        steps.step(f"Read {len(members)} team members")
        event_types = await client.team_event_types(team.id)
        steps.step(f"Read {len(event_types)} event types")
    except CalendarAuthFailed as exc:
        raise ConnectFailed(f"Cal.com refused the API key ({exc.status}).") from exc
    except CalendarUnavailable as exc:
        raise ConnectFailed(f"Cal.com unreachable at {base_url} ({exc.reason}).") from exc
    except CalendarError as exc:
        raise ConnectFailed(f"Cal.com refused the request ({exc.status}): {exc.message}") from exc
    return team, members, event_types


def _choose_team(teams: Sequence[Team], tenant: Tenant, team_id: int | None) -> Team:
    """--team when given; the only team; else the team named like the tenant."""
    choices = [t for t in teams if not t.is_organization]
    listing = "; ".join(f"{t.id} ({t.name})" for t in choices) or "none"
    if team_id is not None:
        for team in choices:
            if team.id == team_id:
                return team
        raise ConnectFailed(f"No team {team_id} for this key; its teams: {listing}.", exit_code=2)
    if not choices:
        raise ConnectFailed(
            "The key's user belongs to no Cal.com team; frontdesk links a team's event types.",
            exit_code=2,
        )
    if len(choices) == 1:
        return choices[0]
    named = [t for t in choices if _team_score(t, tenant) >= TEAM_THRESHOLD]
    if len(named) == 1:
        return named[0]
    raise ConnectFailed(
        f"Several teams; pass --team with one of: {listing}.",
        exit_code=2,
    )


def _team_score(team: Team, tenant: Tenant) -> float:
    ours = (tenant.name, tenant.slug)
    theirs = (team.name, team.slug or team.name)
    return max(service_score(a, b) for a in ours for b in theirs)


def _hosts(
    event_types: Sequence[TeamEventType], members: Sequence[Membership]
) -> list[RemotePerson]:
    """Every person hosting one of the event types, with name and e-mail from the team's
    memberships (hosts carry neither reliably), in order of first appearance."""
    by_user = {m.user_id: m for m in members}
    people: dict[int, RemotePerson] = {}
    for event_type in event_types:
        for user_id, host_name in _host_entries(event_type, members):
            if user_id in people:
                continue
            member = by_user.get(user_id)
            name = (member.user.name if member else None) or host_name
            username = member.user.username if member else None
            email = member.user.email if member else None
            people[user_id] = RemotePerson(
                user_id, (name or username or email or str(user_id)).strip(), email
            )
    return list(people.values())


def _host_entries(
    event_type: TeamEventType, members: Sequence[Membership]
) -> list[tuple[int, str | None]]:
    if event_type.hosts:
        return [(h.user_id, h.name or h.username) for h in event_type.hosts]
    if event_type.assign_all_team_members:
        return [(m.user_id, m.user.name) for m in members if m.accepted]
    return []


def _remote_event_type(event_type: TeamEventType, members: Sequence[Membership]) -> RemoteEventType:
    hosts = tuple(user_id for user_id, _ in _host_entries(event_type, members))
    return RemoteEventType(
        event_type.id, event_type.title, event_type.slug, event_type.length_in_minutes, hosts
    )
