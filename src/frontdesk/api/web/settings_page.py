"""``/admin/settings``: owners only. The overview of the business (name, language, zone, its
branches and their calendars); the settings forms hang below this path (docs/web.md)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from frontdesk.api.web import nav
from frontdesk.api.web.deps import OwnerUser, ScheduleDep
from frontdesk.api.web.templating import render

router = APIRouter()
nav.register(nav.NavItem("nav.settings", "/admin/settings", 400, nav.owners_only))


@router.get("/settings", include_in_schema=False)
async def settings_page(request: Request, user: OwnerUser, schedule: ScheduleDep) -> Response:
    branches = await schedule.branches(user.tenant_id)
    return render(request, "settings.html", {"branches": branches})
