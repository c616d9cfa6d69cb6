"""The five agent functions: one turn, one answer the agent can speak.

Each function takes Retell's free-text or ISO arguments, runs the booking use cases and returns
a ``Reply``: a ``status``, a ``message`` of at most two sentences, and the data behind it
(``slots`` with slot ids, an ``appointment``, ``appointments``). Business outcomes are never
errors: a missing or unreadable argument is ``needs_clarification`` with the question to ask,
and every function answers within ``deadline`` seconds whatever a dependency does.

Who the caller is comes from ``CallContext.caller`` (the caller ID), never from the arguments.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from frontdesk import availability
from frontdesk.booking.catalog import BranchCatalog, ServiceInfo, StaffInfo
from frontdesk.booking.customers import CustomerInput
from frontdesk.booking.policy import cancellation_terms
from frontdesk.booking.service import BookingRequest, BookingService
from frontdesk.booking.views import AppointmentView, BookingOutcome, SlotView
from frontdesk.db.engine import reading
from frontdesk.db.repositories import appointments as appointment_rows
from frontdesk.db.repositories import calls as call_rows
from frontdesk.db.tables import Appointment
from frontdesk.domain.errors import (
    AlreadyCancelled,
    AppointmentNotFound,
    DomainError,
    InvalidEmail,
    InvalidRequest,
    NotChangeable,
    SlotUnavailable,
    TooLateToCancel,
)
from frontdesk.domain.model import AppointmentSource, AppointmentStatus
from frontdesk.language import de, en
from frontdesk.language.match import NameMatcher, ServiceMatcher
from frontdesk.language.when import When
from frontdesk.observability.logging import get_logger
from frontdesk.voice import replies, slots
from frontdesk.voice.replies import say
from frontdesk.voice.routing import Caller

log = get_logger(__name__)

FUNCTION_NAMES = (
    "check_availability",
    "book_appointment",
    "find_appointments",
    "cancel_appointment",
    "reschedule_appointment",
)
DEADLINE_S = 2.5
SEARCH_DAYS = 14
MAX_SLOTS = 3
MAX_LISTED = 3
_ACTIVE = (AppointmentStatus.CONFIRMED, AppointmentStatus.PENDING)
# Offered options sit at least this far apart, so three choices are three real choices.
_SPREAD = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class CallContext:
    """Everything a function may rely on, established before it runs."""

    tenant_id: uuid.UUID
    catalog: BranchCatalog
    caller: Caller
    call_id: uuid.UUID
    retell_call_id: str
    now: datetime
    slot_secret: bytes

    @property
    def language(self) -> str:
        return replies.language_of(self.catalog.locale)

    @property
    def local_now(self) -> datetime:
        return self.now.astimezone(self.catalog.tz)

    @property
    def today(self) -> date:
        return self.local_now.date()


@dataclass(frozen=True, slots=True)
class Reply:
    """A function's answer; ``links`` and ``customer_id`` are for the call log only."""

    status: str
    message: str
    data: dict[str, Any] = field(default_factory=dict)
    links: tuple[tuple[uuid.UUID, str], ...] = ()
    customer_id: uuid.UUID | None = None

    def body(self) -> dict[str, Any]:
        return {"status": self.status, "message": self.message, **self.data}


class _Ask(Exception):
    """Stop here and answer ``reply`` (a question back or a refusal)."""

    def __init__(self, reply: Reply) -> None:
        super().__init__(reply.status)
        self.reply = reply


@dataclass(frozen=True, slots=True)
class _Person:
    """A staff member as ``NameMatcher`` needs it (nicknames count as aliases)."""

    id: uuid.UUID
    name: str
    aliases: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Matchers:
    catalog: BranchCatalog
    services: ServiceMatcher[ServiceInfo]
    staff: NameMatcher[_Person]


@dataclass(frozen=True, slots=True)
class _Target:
    """A resolved booking target: service, exact start, and the staff member if required."""

    service: ServiceInfo
    start: datetime
    staff_id: uuid.UUID | None


Handler = Callable[[Mapping[str, Any], CallContext], Awaitable[Reply]]


class VoiceFunctions:
    """Runs the agent functions for one process; matchers are cached per catalogue."""

    def __init__(
        self,
        booking: BookingService,
        sessions: async_sessionmaker[AsyncSession],
        deadline: float = DEADLINE_S,
    ) -> None:
        self._booking = booking
        self._sessions = sessions
        self.deadline = deadline
        self._matchers: dict[uuid.UUID, _Matchers] = {}
        self._handlers: dict[str, Handler] = {
            "check_availability": self.check_availability,
            "book_appointment": self.book_appointment,
            "find_appointments": self.find_appointments,
            "cancel_appointment": self.cancel_appointment,
            "reschedule_appointment": self.reschedule_appointment,
        }

    async def run(
        self,
        name: str,
        args: Mapping[str, Any],
        ctx: CallContext,
        deadline_at: float | None = None,
    ) -> Reply:
        """Answer one function call by ``deadline_at`` (loop time; default ``deadline`` from
        now); never raises for business reasons."""
        handler = self._handlers[name]
        if deadline_at is None:
            deadline_at = asyncio.get_running_loop().time() + self.deadline
        try:
            async with asyncio.timeout_at(deadline_at):
                return await handler(args, ctx)
        except _Ask as ask:
            return ask.reply
        except TimeoutError:
            log.warning("voice function timed out", function=name, deadline_s=self.deadline)
            return _error(ctx, "timeout")
        except DomainError as exc:
            log.warning("voice function refused", function=name, code=exc.code)
            return _error(ctx, exc.code)
        except Exception:
            log.exception("voice function failed", function=name)
            return _error(ctx, "internal_error")

    # -- check_availability --------------------------------------------------------------------

    async def check_availability(self, args: Mapping[str, Any], ctx: CallContext) -> Reply:
        service = self._service(ctx, _arg(args, "service"))
        staff = self._staff(ctx, _arg(args, "staff"), service)
        when = _parse_when(ctx, _arg(args, "date"), _arg(args, "time"))
        if when.time is not None:
            day = when.date or ctx.today
            start = datetime.combine(day, when.time, ctx.catalog.tz)
            return await self._check_start(ctx, service, staff, start)
        return await self._check_range(ctx, service, staff, when)

    async def _check_start(
        self, ctx: CallContext, service: ServiceInfo, staff: StaffInfo | None, start: datetime
    ) -> Reply:
        """One exact start: free, or why not and what instead."""
        lang, today = ctx.language, ctx.today
        day = start.date()
        requested = start.isoformat()
        spoken = replies.when_text(start, today, lang)
        same_day: list[SlotView] = []
        # The asked-for day alone first: when the time is free, or the day itself has enough
        # alternatives (they come before any later day's), that is the whole answer.
        if day >= today:
            same_day = await self._find(ctx, service, staff, day, 1)
            hit = next((s for s in same_day if s.start == start), None)
            if hit is not None:
                message = say("available", lang, when=spoken, staff=hit.staff_name)
                return _slots_reply(ctx, "available", message, requested, [hit], staff is not None)
        beyond = day > today + service.rules.horizon
        closed = _closed_reason(ctx.catalog, service, day)
        if same_day:
            picked = _near(start, same_day, ctx.catalog)
            if not beyond and closed is None and len(picked) == MAX_SLOTS:
                return self._instead_reply(ctx, service, staff, start, picked)
        free = await self._find(ctx, service, staff, max(day, today))
        if beyond:
            last = today + service.rules.horizon
            message = say("beyond_horizon", lang, last=replies.day_text(last, today, lang))
            return Reply("no_availability", message, {"requested": requested, "slots": []})
        if closed is not None:
            return self._closed_reply(ctx, service, staff, day, closed, free, requested)
        picked = _near(start, free, ctx.catalog)
        if not picked:
            return _nothing_free(ctx, service, requested)
        return self._instead_reply(ctx, service, staff, start, picked)

    def _instead_reply(
        self,
        ctx: CallContext,
        service: ServiceInfo,
        staff: StaffInfo | None,
        start: datetime,
        picked: Sequence[SlotView],
    ) -> Reply:
        """The start is not free (past, too soon or taken): why, and the options near it."""
        lang, today = ctx.language, ctx.today
        if start <= ctx.now:
            key = "past"
        elif start < ctx.now + service.rules.min_notice:
            key = "too_soon"
        else:
            key = "taken"
        tz = ctx.catalog.tz
        options = replies.options_text([s.start for s in picked], tz, today, lang, start.date())
        spoken = replies.when_text(start, today, lang)
        message = say(key, lang, when=spoken, options=options)
        return _slots_reply(
            ctx, "unavailable", message, start.isoformat(), picked, staff is not None
        )

    async def _check_range(
        self, ctx: CallContext, service: ServiceInfo, staff: StaffInfo | None, when: When
    ) -> Reply:
        """A day, a range of days, a part of the day, or "as soon as possible"."""
        lang, today = ctx.language, ctx.today
        first = max(when.date or today, today)
        last = when.latest_date or (first + timedelta(days=SEARCH_DAYS - 1) if when.asap else first)
        requested = _requested_range(first, last, when)
        free = await self._find(ctx, service, staff, first, (last - first).days + SEARCH_DAYS)
        inside = [s for s in free if _within(s, first, last, when, ctx.catalog)]
        if inside:
            picked = _spread(inside)
            context = first if first == last else None
            starts = [s.start for s in picked]
            options = replies.options_text(starts, ctx.catalog.tz, today, lang, context)
            message = say("options", lang, service=service.name, options=options)
            return _slots_reply(ctx, "options", message, requested, picked, staff is not None)
        closed = _closed_reason(ctx.catalog, service, first) if first == last else None
        if closed is not None:
            return self._closed_reply(ctx, service, staff, first, closed, free, requested)
        # Nothing inside the asked-for period: the nearest free starts around its beginning.
        around = datetime.combine(first, when.earliest or time(9), ctx.catalog.tz)
        picked = _near(around, free, ctx.catalog)
        if not picked:
            return _nothing_free(ctx, service, requested)
        period = _period_text(first, last, when, today, lang)
        options = replies.options_text([s.start for s in picked], ctx.catalog.tz, today, lang)
        message = say("window_full", lang, when=period, service=service.name, options=options)
        return _slots_reply(ctx, "unavailable", message, requested, picked, staff is not None)

    def _closed_reply(
        self,
        ctx: CallContext,
        service: ServiceInfo,
        staff: StaffInfo | None,
        day: date,
        closed: str,
        free: Sequence[SlotView],
        requested: str,
    ) -> Reply:
        """The branch is closed that day: say so (holiday by name), offer the next open days."""
        lang, today = ctx.language, ctx.today
        tz = ctx.catalog.tz
        picked = _first_per_day([s for s in free if s.start.astimezone(tz).date() > day], tz)
        if not picked:
            return _nothing_free(ctx, service, requested)
        options = replies.options_text([s.start for s in picked], tz, today, lang)
        spoken_day = replies.day_text(day, today, lang)
        if closed == "closed":
            message = say("closed", lang, day=spoken_day, options=options)
            extra: dict[str, Any] = {"closed": True}
        else:
            message = say("holiday", lang, day=spoken_day, holiday=closed, options=options)
            extra = {"closed": True, "holiday": closed}
        reply = _slots_reply(ctx, "unavailable", message, requested, picked, staff is not None)
        reply.data.update(extra)
        return reply

    async def _find(
        self,
        ctx: CallContext,
        service: ServiceInfo,
        staff: StaffInfo | None,
        first: date,
        days: int = SEARCH_DAYS,
    ) -> list[SlotView]:
        found = await self._booking.find_slots(
            ctx.tenant_id,
            service.id,
            first_day=first,
            days=max(1, min(days, 60)),
            staff_id=staff.id if staff is not None else None,
        )
        return found.slots

    # -- book_appointment ------------------------------------------------------------------

    async def book_appointment(self, args: Mapping[str, Any], ctx: CallContext) -> Reply:
        target = self._target(ctx, args, "slot_id", "date", "time")
        key = _idempotency_key(ctx, target)
        outcome = await self._book(ctx, args, target, key)
        if outcome.replayed and outcome.appointment.status not in _ACTIVE:
            # The same slot was booked and cancelled earlier in this call: a new booking.
            outcome = await self._book(ctx, args, target, f"{key}:{outcome.appointment.id.hex[:8]}")
        view = outcome.appointment
        if outcome.duplicate and not outcome.replayed:
            return self._appointment_reply(ctx, "duplicate", "duplicate", view, ())
        return self._booked(ctx, view)

    async def _book(
        self, ctx: CallContext, args: Mapping[str, Any], target: _Target, key: str
    ) -> BookingOutcome:
        """Book for the caller (their customer record by caller ID, else a new one by name).

        A repeat of the same request in the same call (``key``) comes back ``replayed``; a
        refusal becomes the answer to give (``_Ask``).
        """
        request = BookingRequest(
            tenant_id=ctx.tenant_id,
            service_id=target.service.id,
            start=target.start,
            customer=CustomerInput(
                name=_arg(args, "customer_name") or "",
                phone=ctx.caller.phone,
                email=_arg(args, "email"),
                for_someone_else_by_name=True,
            ),
            source=AppointmentSource.PHONE,
            staff_id=target.staff_id,
            notes=_arg(args, "notes"),
            idempotency_key=key,
            call_id=ctx.call_id,
        )
        try:
            return await self._booking.book(request)
        except SlotUnavailable as exc:
            reply = self._unavailable(ctx, target.service, target.start, exc, target.staff_id)
            raise _Ask(reply) from None
        except InvalidEmail:
            raise _Ask(_clarify(say("ask_email", ctx.language), "email")) from None
        except InvalidRequest:
            # The one thing a phone booking can lack: a new caller's name (or one no rule allows).
            raise _Ask(_clarify(say("ask_name", ctx.language), "customer_name")) from None

    def _booked(self, ctx: CallContext, view: AppointmentView) -> Reply:
        return self._appointment_reply(ctx, "booked", "booked", view, ((view.id, "booked"),))

    # -- find_appointments -----------------------------------------------------------------

    async def find_appointments(self, args: Mapping[str, Any], ctx: CallContext) -> Reply:
        views = await self._visible(ctx)
        lang = ctx.language
        if not views:
            key = "none_anonymous" if ctx.caller.anonymous else "none"
            return Reply("none", say(key, lang), {"appointments": []})
        listed = views[:MAX_LISTED]
        spoken = [self._spoken_appointment(ctx, v) for v in listed]
        if len(views) == 1:
            message = say("found_one", lang, list=spoken[0])
        else:
            message = say("found_many", lang, count=len(views), list=replies.join_and(spoken, lang))
        data = {"appointments": [self._appointment_data(ctx, v) for v in listed]}
        return Reply("found", message, data)

    # -- cancel_appointment ----------------------------------------------------------------

    async def cancel_appointment(self, args: Mapping[str, Any], ctx: CallContext) -> Reply:
        row = await self._pick_appointment(ctx, _arg(args, "appointment_id"), _arg(args, "date"))
        lang = ctx.language
        if row.status is AppointmentStatus.CANCELLED:
            return self._appointment_reply(ctx, "already_cancelled", "already_cancelled", row, ())
        service = ctx.catalog.services.get(row.service_id)
        policy = service.cancellation_policy if service is not None else {}
        terms = cancellation_terms(policy, row.starts_at - ctx.now)
        if terms.allowed and terms.fee_cents and not _truthy(args.get("accept_fee")):
            fee = replies.price_text(terms.fee_cents, lang)
            data = {"fee_cents": terms.fee_cents, "appointment": self._appointment_data(ctx, row)}
            return Reply("fee_applies", say("fee_applies", lang, fee=fee), data)
        try:
            outcome = await self._booking.cancel(
                ctx.tenant_id, row.id, reason=_arg(args, "reason") or "am Telefon abgesagt"
            )
        except TooLateToCancel:
            return Reply("too_late", say("too_late", lang), {})
        except AlreadyCancelled:
            return self._appointment_reply(ctx, "already_cancelled", "already_cancelled", row, ())
        except (NotChangeable, AppointmentNotFound):
            return Reply("not_changeable", say("not_changeable", lang), {})
        view = outcome.appointment
        when = self._when_of(ctx, view.start)
        service_name = self._service_name(ctx, view.service_id)
        if outcome.fee_cents:
            fee = replies.price_text(outcome.fee_cents, lang)
            message = say("cancelled_fee", lang, when=when, service=service_name, fee=fee)
        else:
            message = say("cancelled", lang, when=when, service=service_name)
        data = {"fee_cents": outcome.fee_cents, "appointment": self._appointment_data(ctx, view)}
        return Reply("cancelled", message, data, links=((view.id, "cancelled"),))

    # -- reschedule_appointment ------------------------------------------------------------

    async def reschedule_appointment(self, args: Mapping[str, Any], ctx: CallContext) -> Reply:
        row = await self._pick_appointment(
            ctx, _arg(args, "appointment_id"), _arg(args, "old_date")
        )
        lang = ctx.language
        if row.status is AppointmentStatus.CANCELLED:
            return self._appointment_reply(ctx, "already_cancelled", "already_cancelled", row, ())
        service = ctx.catalog.services.get(row.service_id)
        if service is None:
            return Reply("not_changeable", say("not_changeable", lang), {})
        new_args = {"service": service.name, **args}
        target = self._target(ctx, new_args, "slot_id", "new_date", "new_time", fixed=service)
        if target.service.id != service.id:
            raise _Ask(_clarify(say("other_service_slot", lang), "slot_id"))
        if target.start == row.starts_at:
            # A repeat of a move that already happened: nothing to change.
            return self._appointment_reply(ctx, "rescheduled", "rescheduled", row, ())
        try:
            view = await self._booking.reschedule(
                ctx.tenant_id, row.id, target.start, staff_id=target.staff_id
            )
        except SlotUnavailable as exc:
            return self._unavailable(ctx, service, target.start, exc, target.staff_id)
        except AlreadyCancelled:
            return self._appointment_reply(ctx, "already_cancelled", "already_cancelled", row, ())
        except (NotChangeable, AppointmentNotFound):
            return Reply("not_changeable", say("not_changeable", lang), {})
        return self._appointment_reply(
            ctx, "rescheduled", "rescheduled", view, ((view.id, "rescheduled"),)
        )

    # -- shared steps ----------------------------------------------------------------------

    def _matchers_for(self, catalog: BranchCatalog) -> _Matchers:
        cached = self._matchers.get(catalog.branch_id)
        if cached is None or cached.catalog is not catalog:
            people = [_Person(s.id, s.name, s.nicknames) for s in catalog.staff.values()]
            cached = _Matchers(
                catalog, ServiceMatcher(catalog.services.values()), NameMatcher(people)
            )
            self._matchers[catalog.branch_id] = cached
        return cached

    def _service(self, ctx: CallContext, text: str | None) -> ServiceInfo:
        lang = ctx.language
        names = [s.name for s in ctx.catalog.services.values()]
        if not text:
            message = say("ask_service", lang, services=replies.join_and(names, lang))
            raise _Ask(_clarify(message, "service"))
        result = self._matchers_for(ctx.catalog).services.match(text)
        if result.ambiguous:
            choices = replies.join_or([s.name for s in result.candidates[:3]], lang)
            raise _Ask(_clarify(say("ask_which_service", lang, choices=choices), "service"))
        if result.resolved is None:
            message = say("ask_service", lang, services=replies.join_and(names, lang))
            raise _Ask(_clarify(message, "service"))
        return result.resolved

    def _staff(self, ctx: CallContext, text: str | None, service: ServiceInfo) -> StaffInfo | None:
        if not text or _means_anyone(text):
            return None
        lang, catalog = ctx.language, ctx.catalog
        result = self._matchers_for(catalog).staff.match(text)
        team = [s.name for s in catalog.staff.values()]
        if result.ambiguous:
            choices = replies.join_or([p.name for p in result.candidates[:3]], lang)
            raise _Ask(_clarify(say("ask_which_staff", lang, choices=choices), "staff"))
        if result.resolved is None:
            message = say("unknown_staff", lang, name=text, staff=replies.join_and(team, lang))
            raise _Ask(_clarify(message, "staff"))
        member = catalog.staff[result.resolved.id]
        if member.id not in service.rules.staff_ids:
            others = [catalog.staff[i].name for i in service.rules.staff_ids if i in catalog.staff]
            message = say(
                "staff_cannot",
                lang,
                staff=member.name,
                service=service.name,
                others=replies.join_or(sorted(others), lang),
            )
            raise _Ask(_clarify(message, "staff"))
        return member

    def _target(
        self,
        ctx: CallContext,
        args: Mapping[str, Any],
        slot_key: str,
        date_key: str,
        time_key: str,
        fixed: ServiceInfo | None = None,
    ) -> _Target:
        """What to book: a slot id when given, else service + exact date and time."""
        lang = ctx.language
        token = _arg(args, slot_key)
        if token:
            ref = slots.read(
                ctx.slot_secret,
                ctx.tenant_id,
                token,
                ctx.catalog.services.keys(),
                ctx.catalog.staff.keys(),
            )
            if ref is None:
                raise _Ask(_clarify(say("bad_slot", lang), slot_key))
            service = ctx.catalog.services[ref.service_id]
            return _Target(service, ref.start, ref.staff_id if ref.staff_pinned else None)
        service = fixed or self._service(ctx, _arg(args, "service"))
        staff = self._staff(ctx, _arg(args, "staff"), service)
        day_text = _arg(args, date_key) or _arg(args, "date")
        when = _parse_when(ctx, day_text, _arg(args, time_key) or _arg(args, "time"))
        if when.time is None:
            raise _Ask(_clarify(say("ask_time", lang), time_key))
        if when.date is None and day_text is None:
            raise _Ask(_clarify(say("ask_day", lang), date_key))
        day = when.date or ctx.today
        start = datetime.combine(day, when.time, ctx.catalog.tz).astimezone(UTC)
        return _Target(service, start, staff.id if staff is not None else None)

    async def _visible(self, ctx: CallContext) -> list[AppointmentView]:
        """Upcoming appointments the caller may see: theirs by caller ID, else this call's."""
        if ctx.caller.phone is not None:
            return await self._booking.find_for_customer(ctx.tenant_id, ctx.caller.phone)
        async with reading(self._sessions) as session:
            rows = await call_rows.appointments_of_call(
                session, ctx.tenant_id, ctx.call_id, ctx.now
            )
        return [AppointmentView.of(row) for row in rows]

    async def _pick_appointment(
        self, ctx: CallContext, appointment_id: str | None, day_text: str | None
    ) -> Appointment:
        """The one appointment the caller means and may change, or a question back."""
        lang = ctx.language
        not_found = "not_found_anonymous" if ctx.caller.anonymous else "not_found"
        if appointment_id:
            row = await self._own_row(ctx, appointment_id)
            if row is None:
                raise _Ask(Reply("not_found", say(not_found, lang), {}))
            return row
        views = await self._visible(ctx)
        if day_text:
            when = _parse_when(ctx, day_text, None)
            if when.date is not None:
                views = [v for v in views if v.start.astimezone(ctx.catalog.tz).date() == when.date]
            if when.time is not None:
                views = [v for v in views if v.start.astimezone(ctx.catalog.tz).time() == when.time]
        if len(views) == 1 and day_text:
            row = await self._own_row(ctx, str(views[0].id))
            if row is not None:
                return row
        if not views:
            raise _Ask(Reply("not_found", say(not_found, lang), {}))
        listed = views[:MAX_LISTED]
        spoken = replies.join_or([self._spoken_appointment(ctx, v) for v in listed], lang)
        reply = _clarify(say("ask_which_appointment", lang, list=spoken), "appointment_id")
        reply.data["appointments"] = [self._appointment_data(ctx, v) for v in listed]
        raise _Ask(reply)

    async def _own_row(self, ctx: CallContext, appointment_id: str) -> Appointment | None:
        """The appointment if the caller may change it: theirs by caller ID or made in this call."""
        try:
            wanted = uuid.UUID(appointment_id.strip())
        except ValueError:
            return None
        async with reading(self._sessions) as session:
            found = await appointment_rows.get_with_phone(session, ctx.tenant_id, wanted)
        if found is None:
            return None
        row, phone = found
        if row.call_id == ctx.call_id:
            return row
        return row if ctx.caller.phone is not None and phone == ctx.caller.phone else None

    def _unavailable(
        self,
        ctx: CallContext,
        service: ServiceInfo,
        start: datetime,
        exc: SlotUnavailable,
        staff_id: uuid.UUID | None,
    ) -> Reply:
        """A refused booking or move: taken (with alternatives) or not bookable at all."""
        lang, today = ctx.language, ctx.today
        local = start.astimezone(ctx.catalog.tz)
        spoken = replies.when_text(local, today, lang)
        views = [
            SlotView(
                a.start,
                a.end,
                a.staff_id,
                self._staff_name(ctx, a.staff_id),
                service.id,
                service.name,
            )
            for a in exc.alternatives[:MAX_SLOTS]
        ]
        status = "slot_taken" if exc.code == "slot_taken" else "unavailable"
        if not views:
            message = say("slot_taken_none", lang, when=spoken)
            return Reply(status, message, {"requested": local.isoformat(), "slots": []})
        options = replies.options_text(
            [v.start for v in views], ctx.catalog.tz, today, lang, local.date()
        )
        if exc.holiday:
            key = "holiday"
            message = say(
                key,
                lang,
                day=replies.day_text(local.date(), today, lang),
                holiday=exc.holiday,
                options=options,
            )
        else:
            key = {"slot_taken": "slot_taken", "too_soon": "too_soon", "in_past": "past"}.get(
                exc.code, "taken"
            )
            message = say(key, lang, when=spoken, options=options)
        reply = _slots_reply(ctx, status, message, local.isoformat(), views, staff_id is not None)
        reply.data["reason"] = exc.code
        return reply

    def _appointment_reply(
        self,
        ctx: CallContext,
        status: str,
        key: str,
        appointment: AppointmentView | Appointment,
        links: tuple[tuple[uuid.UUID, str], ...],
    ) -> Reply:
        view = (
            appointment
            if isinstance(appointment, AppointmentView)
            else AppointmentView.of(appointment)
        )
        message = say(
            key,
            ctx.language,
            when=self._when_of(ctx, view.start),
            service=self._service_name(ctx, view.service_id),
            staff=self._staff_name(ctx, view.staff_id),
        )
        data = {"appointment": self._appointment_data(ctx, view)}
        return Reply(status, message, data, links=links, customer_id=view.customer_id)

    def _appointment_data(
        self, ctx: CallContext, appointment: AppointmentView | Appointment
    ) -> dict[str, Any]:
        view = (
            appointment
            if isinstance(appointment, AppointmentView)
            else AppointmentView.of(appointment)
        )
        return {
            "id": str(view.id),
            "start": view.start.astimezone(ctx.catalog.tz).isoformat(),
            "service": self._service_name(ctx, view.service_id),
            "staff": self._staff_name(ctx, view.staff_id),
            "spoken": self._when_of(ctx, view.start),
        }

    def _spoken_appointment(self, ctx: CallContext, view: AppointmentView) -> str:
        return f"{self._service_name(ctx, view.service_id)} {self._when_of(ctx, view.start)}"

    def _when_of(self, ctx: CallContext, start: datetime) -> str:
        return replies.when_text(start.astimezone(ctx.catalog.tz), ctx.today, ctx.language)

    def _service_name(self, ctx: CallContext, service_id: uuid.UUID) -> str:
        service = ctx.catalog.services.get(service_id)
        return service.name if service is not None else ""

    def _staff_name(self, ctx: CallContext, staff_id: uuid.UUID) -> str:
        member = ctx.catalog.staff.get(staff_id)
        return member.name if member is not None else ""


# -- pure helpers ------------------------------------------------------------------------------


def _arg(args: Mapping[str, Any], key: str) -> str | None:
    """A string argument, trimmed; numbers are accepted as text, blanks and "null" are missing."""
    value = args.get(key)
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        value = str(value)
    if not isinstance(value, str):
        return None
    text = value.strip()
    return text if text and text.lower() not in {"null", "none", "undefined"} else None


def _truthy(value: object) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"true", "ja", "yes", "1"}
    return value is True


_ANYONE = frozenset({"egal", "beliebig", "irgendwer", "jemand", "any", "anyone", "whoever"})


def _means_anyone(text: str) -> bool:
    return bool(set(text.lower().replace(",", " ").split()) & _ANYONE)


def _clarify(message: str, missing: str) -> Reply:
    return Reply("needs_clarification", message, {"missing": missing})


def _error(ctx: CallContext, reason: str) -> Reply:
    return Reply("error", say("error", ctx.language), {"reason": reason})


def _parse_when(ctx: CallContext, day_text: str | None, time_text: str | None) -> When:
    """The caller's date/time words in the tenant's language, the other language second."""
    text = " ".join(part for part in (day_text, time_text) if part)
    if not text:
        return When(asap=True)
    parsers = (
        (en.parse_when, de.parse_when) if ctx.language == "en" else (de.parse_when, en.parse_when)
    )
    first = parsers[0](text, ctx.local_now)
    if first.understood:
        return first
    second = parsers[1](text, ctx.local_now)
    if second.understood:
        return second
    raise _Ask(_clarify(first.clarify or say("ask_day", ctx.language), "date"))


def _requested_range(first: date, last: date, when: When) -> str:
    """ISO 8601 for what was understood: a day, a day with a window, or an interval of days."""
    if first == last and (when.earliest or when.latest):
        lo = (when.earliest or time(0)).isoformat("minutes")
        hi = (when.latest or time(23, 59)).isoformat("minutes")
        return f"{first.isoformat()}T{lo}/{hi}"
    if first == last:
        return first.isoformat()
    return f"{first.isoformat()}/{last.isoformat()}"


def _period_text(first: date, last: date, when: When, today: date, lang: str) -> str:
    if first != last:
        return f"{replies.day_text(first, today, lang)} – {replies.day_text(last, today, lang)}"
    return replies.day_text(first, today, lang)


def _within(slot: SlotView, first: date, last: date, when: When, catalog: BranchCatalog) -> bool:
    start = slot.start.astimezone(catalog.tz)
    end = slot.end.astimezone(catalog.tz)
    if not first <= start.date() <= last:
        return False
    if when.earliest is not None and start.time() < when.earliest:
        return False
    return when.latest is None or end.time() <= when.latest or end.date() > start.date()


def _spread(free: Sequence[SlotView]) -> list[SlotView]:
    """Up to three options at least an hour apart where possible, earliest first."""
    picked: list[SlotView] = []
    for gap in (_SPREAD, timedelta(minutes=30), timedelta(0)):
        for slot in free:
            if len(picked) >= MAX_SLOTS:
                return sorted(picked, key=lambda s: s.start)
            if slot not in picked and all(abs(slot.start - p.start) >= gap for p in picked):
                if gap == timedelta(0) and any(slot.start == p.start for p in picked):
                    continue
                picked.append(slot)
    return sorted(picked, key=lambda s: s.start)


def _near(start: datetime, free: Sequence[SlotView], catalog: BranchCatalog) -> list[SlotView]:
    """The engine's choice of alternatives near ``start`` (same day first, then later days)."""
    by_key = {(s.start, s.staff_id): s for s in free}
    chosen = availability.alternatives(
        start,
        [availability.Slot(s.start, s.end, s.staff_id) for s in free],
        limit=MAX_SLOTS,
        tz=catalog.tz,
    )
    return [by_key[(c.start, c.staff_id)] for c in chosen]


def _first_per_day(free: Iterable[SlotView], tz: tzinfo) -> list[SlotView]:
    """The first free start of each of the next days that have one (the next open days)."""
    picked: dict[date, SlotView] = {}
    for slot in sorted(free, key=lambda s: s.start):
        picked.setdefault(slot.start.astimezone(tz).date(), slot)
        if len(picked) >= MAX_SLOTS:
            break
    return list(picked.values())


def _closed_reason(catalog: BranchCatalog, service: ServiceInfo, day: date) -> str | None:
    """The holiday's name, "closed" when nobody works or the branch is shut, else ``None``."""
    holiday = availability.is_holiday(day, catalog.rules.state, catalog.rules.country)
    if holiday:
        return holiday
    noon = datetime.combine(day, time(12), catalog.tz)
    if any(c.start <= noon < c.end for c in catalog.rules.closures):
        return "closed"
    working = any(
        schedule.weekday == day.weekday()
        for member in catalog.staff.values()
        if member.id in service.rules.staff_ids
        for schedule in member.weekly
    )
    return None if working else "closed"


def _nothing_free(ctx: CallContext, service: ServiceInfo, requested: str) -> Reply:
    message = say("no_availability", ctx.language, service=service.name, days=SEARCH_DAYS)
    return Reply("no_availability", message, {"requested": requested, "slots": []})


def _slots_reply(
    ctx: CallContext,
    status: str,
    message: str,
    requested: str,
    offered: Sequence[SlotView],
    pinned: bool,
) -> Reply:
    return Reply(
        status,
        message,
        {"requested": requested, "slots": [_slot_data(ctx, s, pinned) for s in offered]},
    )


def _slot_data(ctx: CallContext, slot: SlotView, pinned: bool) -> dict[str, Any]:
    ref = slots.SlotRef(slot.service_id, slot.staff_id, slot.start, staff_pinned=pinned)
    local = slot.start.astimezone(ctx.catalog.tz)
    return {
        "slot_id": slots.issue(ctx.slot_secret, ctx.tenant_id, ref),
        "start": local.isoformat(),
        "end": slot.end.astimezone(ctx.catalog.tz).isoformat(),
        "staff": slot.staff_name,
        "service": slot.service_name,
        "spoken": replies.when_text(local, ctx.today, ctx.language),
    }


def _idempotency_key(ctx: CallContext, target: _Target) -> str:
    """Same call, same service, same start: the same booking however often it is asked."""
    start = target.start.astimezone(UTC).strftime("%Y%m%dT%H%MZ")
    return f"retell:{ctx.retell_call_id}:{target.service.id}:{start}"[:255]
