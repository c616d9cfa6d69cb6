"""``/admin/settings/branches/{id}/timeoff``: staff absences (vacation, sick, other) and the
branch's closures — the ones not over yet, a form to add each, and a button to remove one."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import Response

from frontdesk.api.web import settings_forms
from frontdesk.api.web.deps import ScheduleDep
from frontdesk.api.web.errors import PageError
from frontdesk.api.web.settings_deps import (
    OwnerDep,
    UowDep,
    form_of,
    found,
    id_of,
    refused,
    saved,
)
from frontdesk.api.web.settings_forms import FormProblem
from frontdesk.api.web.templating import render
from frontdesk.booking.schedule import BranchSummary
from frontdesk.booking.unit_of_work import UnitOfWork
from frontdesk.business import team, timeoff
from frontdesk.business.owner import Owner
from frontdesk.domain.errors import InvalidSetting

router = APIRouter()
TEMPLATE = "settings_timeoff.html"
# The kinds an absence is entered as; stored as the reason's German word (ADR 0021: no enum).
KINDS = {"vacation": "Urlaub", "sick": "Krank"}


@router.get("/settings/branches/{branch_id}/timeoff", include_in_schema=False)
async def timeoff_page(
    request: Request, branch_id: str, owner: OwnerDep, uow: UowDep, schedule: ScheduleDep
) -> Response:
    branch = await branch_of_path(schedule, owner, branch_id)
    return render(request, TEMPLATE, await _context(uow, owner, branch, {}))


@router.post("/settings/branches/{branch_id}/absences", include_in_schema=False)
async def add_absence(
    request: Request, branch_id: str, owner: OwnerDep, uow: UowDep, schedule: ScheduleDep
) -> Response:
    branch = await branch_of_path(schedule, owner, branch_id)
    form = await form_of(request)
    try:
        staff_id = id_of(form.get("staff_id", ""))
        starts_at, ends_at = _span(form, ZoneInfo(branch.timezone))
        reason = KINDS.get(form.get("kind", "")) or form.get("note", "")
        await found(timeoff.add_absence(uow, owner, staff_id, starts_at, ends_at, reason))
    except FormProblem as problem:
        context = await _context(uow, owner, branch, form)
        return refused(request, TEMPLATE, context, problem.field, problem.message)
    except InvalidSetting as refusal:
        context = await _context(uow, owner, branch, form)
        return refused(request, TEMPLATE, context, "absence", refusal.message or "")
    return saved(_page(branch.id))


@router.post("/settings/branches/{branch_id}/closures", include_in_schema=False)
async def add_closure(
    request: Request, branch_id: str, owner: OwnerDep, uow: UowDep, schedule: ScheduleDep
) -> Response:
    branch = await branch_of_path(schedule, owner, branch_id)
    form = await form_of(request)
    try:
        first = settings_forms.day_of(form.get("first_day", ""), "first_day")
        last = settings_forms.day_of(form.get("last_day", "") or str(first), "last_day")
        await found(timeoff.add_closure(uow, owner, branch.id, first, last, form.get("reason")))
    except FormProblem as problem:
        # Shown above the closure form: its field names are the absence form's, too.
        context = await _context(uow, owner, branch, {})
        return refused(request, TEMPLATE, context, "closure", problem.message)
    except InvalidSetting as refusal:
        context = await _context(uow, owner, branch, {})
        return refused(request, TEMPLATE, context, "closure", refusal.message or "")
    return saved(_page(branch.id))


@router.post("/settings/branches/{branch_id}/absences/{absence_id}/delete", include_in_schema=False)
async def remove_absence(
    branch_id: str, absence_id: str, owner: OwnerDep, uow: UowDep, schedule: ScheduleDep
) -> Response:
    branch = await branch_of_path(schedule, owner, branch_id)
    await found(timeoff.remove_absence(uow, owner, id_of(absence_id)))
    return saved(_page(branch.id), "flash.settings_removed")


@router.post("/settings/branches/{branch_id}/closures/{closure_id}/delete", include_in_schema=False)
async def remove_closure(
    branch_id: str, closure_id: str, owner: OwnerDep, uow: UowDep, schedule: ScheduleDep
) -> Response:
    branch = await branch_of_path(schedule, owner, branch_id)
    await found(timeoff.remove_closure(uow, owner, id_of(closure_id)))
    return saved(_page(branch.id), "flash.settings_removed")


async def branch_of_path(schedule: ScheduleDep, owner: Owner, raw: str) -> BranchSummary:
    """The tenant's branch of the path (another tenant's or an unknown id: 404)."""
    wanted = id_of(raw)
    for branch in await schedule.branches(owner.tenant_id):
        if branch.id == wanted:
            return branch
    raise PageError(404, "error.not_found")


async def _context(
    uow: UnitOfWork, owner: Owner, branch: BranchSummary, form: Mapping[str, str]
) -> dict[str, object]:
    staff = [s for s in await team.staff_members(uow, owner) if s.branch_id == branch.id]
    return {
        "branch": branch,
        "tz": ZoneInfo(branch.timezone),
        "staff": staff,
        "names": {s.id: s.name for s in staff},
        "absences": await timeoff.absences(uow, owner, branch.id),
        "closures": await timeoff.closures(uow, owner, branch.id),
        "form": form,
        "errors": {},
    }


def _span(form: Mapping[str, str], tz: ZoneInfo) -> tuple[datetime, datetime]:
    """From the first day (at a time, else its start) to the last day (at a time, else its
    end), in the branch's zone."""
    first = settings_forms.day_of(form.get("first_day", ""), "first_day")
    last = settings_forms.day_of(form.get("last_day", "") or str(first), "last_day")
    start_text, end_text = form.get("start_time", "").strip(), form.get("end_time", "").strip()
    start = settings_forms.clock_time(start_text, "start_time") if start_text else time(0)
    if end_text:
        end = datetime.combine(last, settings_forms.clock_time(end_text, "end_time"), tz)
    else:
        end = datetime.combine(last + timedelta(days=1), time(0), tz)
    return datetime.combine(first, start, tz), end


def _page(branch_id: uuid.UUID) -> str:
    return f"/admin/settings/branches/{branch_id}/timeoff"
