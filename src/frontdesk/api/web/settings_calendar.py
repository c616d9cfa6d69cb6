"""``/admin/settings/calendar``: which calendar each branch uses, the Cal.com link's status,
connecting a branch to Cal.com with an API key (the ``calcom connect`` use case) and going back
to the built-in calendar."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import SecretStr

from frontdesk.api.web.deps import ScheduleDep
from frontdesk.api.web.settings_deps import OwnerDep, UowDep, form_of, found, id_of, refused, saved
from frontdesk.api.web.settings_timeoff import branch_of_path
from frontdesk.api.web.templating import render
from frontdesk.booking.unit_of_work import UnitOfWork
from frontdesk.business import calendar
from frontdesk.business.owner import Owner
from frontdesk.calendars.calcom.client import CalcomClient
from frontdesk.calendars.calcom.connect_model import ConnectFailed
from frontdesk.calendars.providers import CalendarProviders

router = APIRouter()
PAGE = "/admin/settings/calendar"
TEMPLATE = "settings_calendar.html"


@router.get("/settings/calendar", include_in_schema=False)
async def calendar_page(
    request: Request, owner: OwnerDep, uow: UowDep, schedule: ScheduleDep
) -> Response:
    return render(request, TEMPLATE, await _context(request, uow, owner, schedule))


@router.post("/settings/calendar/connect", include_in_schema=False)
async def connect(
    request: Request, owner: OwnerDep, uow: UowDep, schedule: ScheduleDep
) -> Response:
    """Link the chosen branch to the Cal.com team the key belongs to; Cal.com is read before
    anything is written, so a refusal changes nothing (the key is never shown again)."""
    form = await form_of(request)
    branch = await branch_of_path(schedule, owner, form.get("branch_id", ""))
    key = form.get("api_key", "").strip()
    if not key:
        context = await _context(request, uow, owner, schedule)
        return refused(request, TEMPLATE, context, "api_key", "settings.calcom_key_missing")
    settings = request.app.state.resources.settings
    providers: CalendarProviders = request.app.state.resources.calendars
    status = await calendar.calendar_status(
        uow, owner, default_api_url=settings.calcom_api_url, breaker=None
    )
    slug = status.overview.tenant.slug

    def make_client(base_url: str) -> CalcomClient:
        return CalcomClient.for_tenant(providers.http, tenant=slug, api_key=SecretStr(key),
                                       guard=providers.guard, base_url=base_url)  # fmt: skip

    try:
        await calendar.connect_calendar(
            uow,
            owner,
            make_client,
            SecretStr(key),
            settings.base_url,
            default_api_url=settings.calcom_api_url,
            secret_key=settings.secret_key,
            branch=branch.name,
        )
    except ConnectFailed as failed:
        context = await _context(request, uow, owner, schedule) | {"detail": str(failed)}
        return refused(request, TEMPLATE, context, "api_key", "settings.calcom_failed", 422)
    return saved(PAGE, "flash.calendar_connected")


@router.post("/settings/calendar/branches/{branch_id}/disconnect", include_in_schema=False)
async def disconnect(branch_id: str, owner: OwnerDep, uow: UowDep) -> Response:
    await found(calendar.disconnect_calendar(uow, owner, id_of(branch_id)))
    return saved(PAGE, "flash.calendar_disconnected")


async def _context(
    request: Request, uow: UnitOfWork, owner: Owner, schedule: ScheduleDep
) -> dict[str, object]:
    settings = request.app.state.resources.settings
    status = await calendar.calendar_status(
        uow, owner, default_api_url=settings.calcom_api_url, breaker=None
    )
    return {
        "branches": await schedule.branches(owner.tenant_id),
        "status": status,
        "errors": {},
        "detail": None,
    }
