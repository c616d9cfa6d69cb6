"""The schedule: ``/admin/schedule?date=YYYY-MM-DD&view=day|week`` and the fragment its
polling asks for (``/admin/schedule/updates``), which answers 204 while nothing changed."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import Response

from frontdesk.api.web import nav
from frontdesk.api.web.deps import CurrentUser, ScheduleDep
from frontdesk.api.web.schedule_view import VIEWS, day_board, week_days
from frontdesk.api.web.templating import render, translator_for
from frontdesk.booking.schedule import Schedule
from frontdesk.domain.clock import Clock

router = APIRouter()
nav.register(nav.NavItem("nav.schedule", "/admin/schedule", 100))


@dataclass(frozen=True, slots=True)
class ScheduleQuery:
    """The shown day and view, and what was wrong with the query (message key and value)."""

    day: date
    view: str
    problems: tuple[tuple[str, str], ...] = ()

    @property
    def first(self) -> date:
        return self.day - timedelta(days=self.day.weekday()) if self.view == "week" else self.day

    @property
    def days(self) -> int:
        return 7 if self.view == "week" else 1

    @property
    def step(self) -> timedelta:
        return timedelta(days=self.days)


def parse_query(raw_date: str | None, raw_view: str | None, today: date) -> ScheduleQuery:
    """Never fails: a bad value is reported and replaced by today or the day view."""
    problems: list[tuple[str, str]] = []
    day = today
    if raw_date:
        try:
            day = date.fromisoformat(raw_date)
        except ValueError:
            problems.append(("schedule.bad_date", raw_date[:40]))
    view = raw_view or "day"
    if view not in VIEWS:
        problems.append(("schedule.bad_view", view[:40]))
        view = "day"
    return ScheduleQuery(day, view, tuple(problems))


@router.get("/schedule", include_in_schema=False)
async def schedule_page(
    request: Request,
    user: CurrentUser,
    schedule: ScheduleDep,
    date: str | None = None,
    view: str | None = None,
) -> Response:
    today = await _today(request, schedule, user.tenant_id)
    query = parse_query(date, view, today)
    context = await _board_context(request, schedule, user.tenant_id, query, today)
    return render(request, "schedule.html", context, status_code=400 if query.problems else 200)


@router.get("/schedule/updates", include_in_schema=False)
async def schedule_updates(
    request: Request,
    user: CurrentUser,
    schedule: ScheduleDep,
    date: str | None = None,
    view: str | None = None,
    version: str = "",
) -> Response:
    """The board again when something on it changed since ``version``, else 204 (HTMX swaps
    nothing): the poll costs one small query while the day is quiet."""
    today = await _today(request, schedule, user.tenant_id)
    query = parse_query(date, view, today)
    current = await schedule.version(user.tenant_id, query.first, query.days)
    if current is None or current == version:
        return Response(status_code=204)
    context = await _board_context(request, schedule, user.tenant_id, query, today)
    return render(request, "schedule_board.html", context)


async def _board_context(
    request: Request, schedule: Schedule, tenant_id: uuid.UUID, query: ScheduleQuery, today: date
) -> dict[str, object]:
    plan = await schedule.plan(tenant_id, query.first, query.days)
    t = translator_for(request)
    context: dict[str, object] = {
        "query": query,
        "today": today,
        "plan": plan,
        "previous": query.first - query.step,
        "next": query.first + query.step,
        "poll_seconds": request.app.state.resources.settings.web_poll_seconds,
    }
    if plan is not None and query.view == "day":
        context["board"] = day_board(plan, plan.days[0], t)
    elif plan is not None:
        context["week"] = week_days(plan, t)
        context["week_title"] = t(
            "schedule.week_of",
            first=t.date(plan.days[0].day, "medium"),
            last=t.date(plan.days[-1].day, "medium"),
        )
    return context


async def _today(request: Request, schedule: Schedule, tenant_id: uuid.UUID) -> date:
    """Today in the branch's zone; a tenant without branches (an empty schedule) has no zone
    and gets the clock's UTC day."""
    today = await schedule.today(tenant_id)
    if today is not None:
        return today
    clock: Clock = request.app.state.resources.clock
    return clock().date()
