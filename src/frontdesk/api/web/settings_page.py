"""``/admin/settings``: owners only. The overview of the business (name, language, zone, its
branches and their calendars, its staff) with a link to every settings form below this path
(docs/web.md)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from frontdesk.api.web import nav
from frontdesk.api.web.deps import OwnerUser, ScheduleDep
from frontdesk.api.web.settings_deps import OwnerDep, UowDep
from frontdesk.api.web.templating import render
from frontdesk.business import retell, team

router = APIRouter()
nav.register(nav.NavItem("nav.settings", "/admin/settings", 400, nav.owners_only))


@router.get("/settings", include_in_schema=False)
async def settings_page(
    request: Request, user: OwnerUser, owner: OwnerDep, uow: UowDep, schedule: ScheduleDep
) -> Response:
    context = {
        "branches": await schedule.branches(user.tenant_id),
        "staff": await team.staff_members(uow, owner),
        "retell_key": await retell.retell_key(uow, owner),
        "retention_days": await team.transcript_retention(uow, owner),
    }
    return render(request, "settings.html", context)
