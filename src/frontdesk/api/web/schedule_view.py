"""The schedule as the templates draw it: positions in percent of the shown hours, texts in the
page's language. Pure presentation over ``booking.schedule``'s plan (no I/O)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from frontdesk.api.web.i18n import Translator
from frontdesk.booking.schedule import DayPlan, ScheduledAppointment, SchedulePlan, Span

# Shown when a day has nothing to place (closed, nobody working): a salon's usual day.
DEFAULT_HOURS = (8, 19)
VIEWS = ("day", "week")


@dataclass(frozen=True, slots=True)
class Block:
    kind: str  # appointment, hours, break, absence, closure
    top: float
    height: float
    time_text: str
    title: str = ""
    detail: str = ""
    status: str = ""
    appointment_id: uuid.UUID | None = None


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    blocks: tuple[Block, ...]
    appointments: tuple[Block, ...]
    working: bool
    staff_id: uuid.UUID | None = None  # the lane an appointment is dragged to


@dataclass(frozen=True, slots=True)
class DayBoard:
    day: date
    title: str
    holiday: str | None
    closures: tuple[Block, ...]
    columns: tuple[Column, ...]
    hour_marks: tuple[tuple[str, float], ...]


@dataclass(frozen=True, slots=True)
class WeekItem:
    time_text: str
    title: str
    detail: str
    status: str


@dataclass(frozen=True, slots=True)
class WeekDay:
    day: date
    title: str
    holiday: str | None
    closed: bool
    items: tuple[WeekItem, ...]


def day_board(plan: SchedulePlan, day_plan: DayPlan, t: Translator) -> DayBoard:
    first_hour, last_hour = _shown_hours(day_plan)
    origin = datetime.combine(day_plan.day, datetime.min.time(), plan.tz) + timedelta(
        hours=first_hour
    )
    total = timedelta(hours=last_hour - first_hour)

    def place(kind: str, start: datetime, end: datetime) -> Block:
        top = max(0.0, (start - origin) / total * 100)
        bottom = min(100.0, (end - origin) / total * 100)
        time_text = f"{t.time(start)}–{t.time(end)}"
        return Block(kind, round(top, 3), round(max(bottom - top, 0.5), 3), time_text)

    def appointment(item: ScheduledAppointment) -> Block:
        return replace(
            place("appointment", item.start, item.end),
            title=item.customer_name,
            detail=item.service_name,
            status=item.status.value,
            appointment_id=item.id,
        )

    columns = tuple(
        Column(
            name=member.name,
            blocks=tuple(place(s.kind, s.start, s.end) for s in member.spans),
            appointments=tuple(appointment(a) for a in member.appointments),
            working=any(s.kind == "hours" for s in member.spans),
            staff_id=member.staff_id,
        )
        for member in day_plan.staff
    )
    return DayBoard(
        day=day_plan.day,
        title=t.date(day_plan.day),
        holiday=day_plan.holiday,
        closures=tuple(place("closure", s.start, s.end) for s in day_plan.closures),
        columns=columns,
        hour_marks=tuple(
            (f"{hour:02d}:00", round((hour - first_hour) / (last_hour - first_hour) * 100, 3))
            for hour in range(first_hour, last_hour)
        ),
    )


def week_days(plan: SchedulePlan, t: Translator) -> tuple[WeekDay, ...]:
    return tuple(
        WeekDay(
            day=day_plan.day,
            title=t.date(day_plan.day, "EEEE, d. MMM" if t.language == "de" else "EEEE d MMM"),
            holiday=day_plan.holiday,
            closed=bool(day_plan.closures),
            items=tuple(
                WeekItem(
                    time_text=f"{t.time(item.start)}–{t.time(item.end)}",
                    title=item.customer_name,
                    detail=f"{item.service_name} · {member.name}",
                    status=item.status.value,
                )
                for item, member in sorted(
                    ((a, m) for m in day_plan.staff for a in m.appointments),
                    key=lambda pair: (pair[0].start, pair[1].name),
                )
            ),
        )
        for day_plan in plan.days
    )


def _shown_hours(day_plan: DayPlan) -> tuple[int, int]:
    """Whole hours from the earliest to the latest thing of the day (working hours,
    appointments, closures), or ``DEFAULT_HOURS`` when there is nothing."""
    spans: list[Span] = [s for m in day_plan.staff for s in m.spans if s.kind == "hours"]
    starts = [s.start for s in spans] + [a.start for m in day_plan.staff for a in m.appointments]
    ends = [s.end for s in spans] + [a.end for m in day_plan.staff for a in m.appointments]
    if not starts:
        return DEFAULT_HOURS
    earliest, latest = min(starts), max(ends)
    first = earliest.hour if earliest.date() == day_plan.day else 0
    last = latest.hour + (1 if latest.minute or latest.second else 0)
    if latest.date() > day_plan.day:
        last = 24
    return first, max(last, first + 1)
