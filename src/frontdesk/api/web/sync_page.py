"""``/admin/sync``: the sync health page (owners; in the menu when a branch uses an outside
calendar). Appointments not in step with the calendar and what to do about each, the last
reconciliation of every branch, and the tenant's dead jobs (booking/sync_admin.py)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import Response

from frontdesk.access.model import WebUser
from frontdesk.api.web import nav
from frontdesk.api.web.deps import OwnerUser
from frontdesk.api.web.errors import PageError
from frontdesk.api.web.settings_deps import OwnerDep, UowDep, found, id_of, saved
from frontdesk.api.web.templating import render
from frontdesk.booking import sync_admin
from frontdesk.domain.errors import DomainError, NotFound

router = APIRouter()
PAGE = "/admin/sync"
ACTIONS = {
    "retry": sync_admin.retry_sync,
    "accept": sync_admin.accept_calendar,
    "cancel": sync_admin.cancel_ours,
}


def _owner_with_calendar(user: WebUser) -> bool:
    return nav.owners_only(user) and nav.with_calendar_provider(user)


nav.register(nav.NavItem("nav.sync", PAGE, 500, _owner_with_calendar))


@router.get("/sync", include_in_schema=False)
async def sync_page(request: Request, user: OwnerUser, uow: UowDep) -> Response:
    health = await sync_admin.sync_health(uow, user.tenant_id)
    return render(request, "sync.html", _context(health, user.timezone))


@router.post("/sync/appointments/{appointment_id}/{action}", include_in_schema=False)
async def decide(
    request: Request, appointment_id: str, action: str, owner: OwnerDep, uow: UowDep
) -> Response:
    """retry, accept (the calendar's version) or cancel (ours)."""
    use_case = ACTIONS.get(action)
    if use_case is None:
        raise PageError(404, "error.not_found")
    try:
        await found(use_case(uow, owner.tenant_id, id_of(appointment_id), owner.actor))
    except NotFound:
        raise
    except DomainError:
        # Too late to cancel, changed meanwhile: the page again, saying so.
        health = await sync_admin.sync_health(uow, owner.tenant_id)
        context = _context(health, request.state.signed_in.user.timezone)
        return render(request, "sync.html", context | {"refused": "sync.refused"}, status_code=409)
    return saved(PAGE, f"flash.sync_{action}")


@router.post("/sync/jobs/{job_id}/retry", include_in_schema=False)
async def retry_job(job_id: str, owner: OwnerDep, uow: UowDep) -> Response:
    if not job_id.isdecimal() or len(job_id) > 18:
        raise PageError(404, "error.not_found")
    await found(sync_admin.retry_dead_job(uow, owner.tenant_id, int(job_id), owner.actor))
    return saved(PAGE, "flash.sync_job_retried")


def _context(health: sync_admin.SyncHealth, timezone: str) -> dict[str, object]:
    return {"health": health, "shown": sync_admin.SHOWN, "tz": ZoneInfo(timezone)}
