"""The calendar provider of a tenant's branches: its status, connecting Cal.com (the
``calcom connect`` use case, audited) and going back to the built-in calendar."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from pydantic import SecretStr

from frontdesk.booking.unit_of_work import UnitOfWork
from frontdesk.business.hours import branch_of
from frontdesk.business.owner import Owner, record
from frontdesk.business.retell import tenant_of
from frontdesk.calendars.calcom.client import CalcomClient
from frontdesk.calendars.calcom.connect import ConnectReport, ConnectRequest, connect
from frontdesk.calendars.calcom.status import LinkStatus, link_status
from frontdesk.db.repositories import calendar_links
from frontdesk.domain.errors import SettingNotFound
from frontdesk.resilience.breaker import CircuitBreaker


async def calendar_status(
    uow: UnitOfWork, owner: Owner, *, default_api_url: str, breaker: CircuitBreaker | None
) -> LinkStatus:
    """Which branches are linked, how fresh their mirror is, how the key is stored."""
    async with uow.reading() as session:
        slug = (await tenant_of(session, owner)).slug
    status = await link_status(uow.sessions, slug, default_api_url=default_api_url, breaker=breaker)
    if status is None:  # the tenant went away since it was read
        raise SettingNotFound(f"no tenant {owner.tenant_id}", "Diesen Betrieb gibt es nicht.")
    return status


async def connect_calendar(
    uow: UnitOfWork,
    owner: Owner,
    make_client: Callable[[str], CalcomClient],
    api_key: SecretStr,
    webhook_base_url: str,
    *,
    default_api_url: str,
    secret_key: SecretStr | None,
    branch: str | None = None,
    team_id: int | None = None,
) -> ConnectReport:
    """Link a branch to the tenant's Cal.com team (``ConnectFailed`` says why not), then audit
    it. Cal.com is read before anything is written, so a refusal leaves nothing changed."""
    async with uow.reading() as session:
        slug = (await tenant_of(session, owner)).slug
    request = ConnectRequest(
        tenant=slug,
        api_key=api_key,
        webhook_base_url=webhook_base_url,
        team_id=team_id,
        branch=branch,
    )
    report = await connect(
        uow.sessions,
        make_client,
        request,
        default_api_url=default_api_url,
        clock=uow.clock,
        secret_key=secret_key,
    )
    async with uow.writing() as session:
        after = {"provider": "calcom", "team_id": report.team.id, "branch": report.branch}
        await record(uow, session, owner, "calendar.connect", ("branch", report.branch_id),
                     None, after)  # fmt: skip
        await uow.commit(session)
    return report


async def disconnect_calendar(uow: UnitOfWork, owner: Owner, branch_id: uuid.UUID) -> bool:
    """The branch back on the built-in calendar: our own hours decide again, at once (its
    catalogue version is bumped) and no appointment is synchronised any more (the branch has
    no provider link). Cal.com's webhook subscriptions stay until removed in its dashboard or
    replaced by the next connect. Returns whether the branch was linked."""
    async with uow.writing() as session:
        branch = await branch_of(session, owner, branch_id)
        tenant = await tenant_of(session, owner)
        before = {"provider": str(branch.calendar_provider.value)}
        was_linked = await calendar_links.unlink_branch(session, tenant, branch)
        await record(uow, session, owner, "calendar.disconnect", ("branch", branch.id), before,
                     {"provider": "builtin"})  # fmt: skip
        await uow.commit(session)
    return was_linked
