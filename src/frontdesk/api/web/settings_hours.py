"""``/admin/settings/branches/{id}/hours`` (opening hours) and ``/admin/settings/staff/{id}/week``
(a staff member's working week with breaks): one form per week, Monday to Sunday, up to
``WINDOWS_SHOWN`` windows a day; a day without windows is closed (not working)."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import APIRouter, Request
from fastapi.responses import Response

from frontdesk.api.web import settings_forms
from frontdesk.api.web.settings_deps import (
    OwnerDep,
    UowDep,
    form_of,
    found,
    id_of,
    refused,
    saved,
)
from frontdesk.api.web.settings_forms import WINDOWS_SHOWN, FormProblem
from frontdesk.api.web.templating import render
from frontdesk.business import hours
from frontdesk.business.views import WeekView
from frontdesk.domain.errors import InvalidSetting

router = APIRouter()
Rows = list[list[tuple[str, str, str]]]


@router.get("/settings/branches/{branch_id}/hours", include_in_schema=False)
async def opening_hours_page(
    request: Request, branch_id: str, owner: OwnerDep, uow: UowDep
) -> Response:
    week = await found(hours.opening_hours(uow, owner, id_of(branch_id)))
    return render(request, "settings_week.html", _context(request, week, _rows_of(week), False))


@router.post("/settings/branches/{branch_id}/hours", include_in_schema=False)
async def set_opening_hours(
    request: Request, branch_id: str, owner: OwnerDep, uow: UowDep
) -> Response:
    key = id_of(branch_id)
    week = await found(hours.opening_hours(uow, owner, key))
    form = await form_of(request)
    context = _context(request, week, _rows_from(form), False)
    try:
        days = settings_forms.week(form, with_breaks=False)
        await found(hours.set_opening_hours(uow, owner, key, days))
    except FormProblem as problem:
        return refused(request, "settings_week.html", context, problem.field, problem.message)
    except InvalidSetting as refusal:
        return refused(request, "settings_week.html", context, None, refusal.message or "")
    return saved(request.url.path)


@router.get("/settings/staff/{staff_id}/week", include_in_schema=False)
async def staff_week_page(
    request: Request, staff_id: str, owner: OwnerDep, uow: UowDep
) -> Response:
    week = await found(hours.staff_week(uow, owner, id_of(staff_id)))
    return render(request, "settings_week.html", _context(request, week, _rows_of(week), True))


@router.post("/settings/staff/{staff_id}/week", include_in_schema=False)
async def set_staff_week(request: Request, staff_id: str, owner: OwnerDep, uow: UowDep) -> Response:
    key = id_of(staff_id)
    week = await found(hours.staff_week(uow, owner, key))
    form = await form_of(request)
    context = _context(request, week, _rows_from(form), True)
    try:
        days = settings_forms.week(form, with_breaks=True)
        await found(hours.set_staff_week(uow, owner, key, days))
    except FormProblem as problem:
        return refused(request, "settings_week.html", context, problem.field, problem.message)
    except InvalidSetting as refusal:
        return refused(request, "settings_week.html", context, None, refusal.message or "")
    return saved(request.url.path)


def _context(request: Request, week: WeekView, rows: Rows, with_breaks: bool) -> dict[str, object]:
    return {
        "week": week,
        "rows": rows,
        "with_breaks": with_breaks,
        "action": request.url.path,
        "errors": {},
    }


def _rows_of(week: WeekView) -> Rows:
    """The stored week as the form's rows (empty rows up to ``WINDOWS_SHOWN`` a day)."""
    rows = []
    for day in week.days:
        shown = [settings_forms.window_text(w) for w in day.windows]
        rows.append(shown + [("", "", "")] * max(WINDOWS_SHOWN - len(shown), 0))
    return rows


def _rows_from(form: Mapping[str, str]) -> Rows:
    """What the owner typed, shown again as it was when the form is refused."""
    return [
        [
            (
                form.get(f"d{day}_{row}_start", ""),
                form.get(f"d{day}_{row}_end", ""),
                form.get(f"d{day}_{row}_breaks", ""),
            )
            for row in range(WINDOWS_SHOWN)
        ]
        for day in range(7)
    ]
