"""The customer's manage page: ``/m/{token}`` (public, no login; ADR 0026, docs/manage-link.md).

GET shows the appointment (never changes anything: mail scanners and link previews fetch
links); POST ``/cancel`` and ``/move`` change it through the booking use cases
(``booking.manage``). The token is the capability: it is checked (HMAC, constant time) before
any database read, and every failure of a token we did not issue looks the same. Forms carry a
value derived from the token (``form_token``) instead of a session's CSRF token.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from frontdesk.api.deps import BookingDep
from frontdesk.api.web import manage_view
from frontdesk.api.web.action_errors import refusal
from frontdesk.api.web.i18n import Translator, language_of_locale
from frontdesk.api.web.templating import render, translator_for
from frontdesk.booking import manage
from frontdesk.booking.manage import Gone, LinkGone, ManagedAppointment
from frontdesk.booking.manage_link import (
    LinkRef,
    LinkState,
    form_token,
    form_token_ok,
    link_key,
    manage_path,
    verify,
)
from frontdesk.booking.service import BookingService
from frontdesk.domain.errors import DomainError, FeeNotAccepted, SlotUnavailable, TooLateToCancel

router = APIRouter(prefix="/m")
# The page is about one person's appointment: no caches, no search engines.
_PRIVATE = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex, nofollow"}
_DAY_RANGE = timedelta(days=366)


def _key(request: Request) -> bytes:
    return link_key(request.app.state.resources.settings)


def _ref(request: Request, token: str) -> LinkRef:
    """The link's appointment, or ``LinkGone`` before any database read."""
    check = verify(_key(request), token, request.app.state.resources.clock())
    if check.state is LinkState.INVALID or check.ref is None:
        raise LinkGone(Gone.UNKNOWN)
    if check.state is LinkState.EXPIRED:
        raise LinkGone(Gone.EXPIRED)
    return check.ref


@router.get("/{token}", include_in_schema=False)
async def manage_page(
    request: Request, booking: BookingDep, token: str, date: str | None = None, done: str = ""
) -> Response:
    try:
        managed = await manage.open_link(booking.uow, _ref(request, token))
    except LinkGone as gone:
        cancelled = gone.why is Gone.CANCELLED and done == "cancelled"
        return _gone(request, gone, status=200 if cancelled else None, done=cancelled)
    context = await _context(request, booking, managed, token, date)
    context["done"] = "manage.done.moved" if done == "moved" else None
    return _render(request, managed, context)


@router.post("/{token}/cancel", include_in_schema=False)
async def cancel(request: Request, booking: BookingDep, token: str) -> Response:
    try:
        ref = _ref(request, token)
        refused = await _form_refused(request, token)
        if refused is not None:
            return refused
        await manage.cancel_by_link(booking.uow, ref)
    except LinkGone as gone:
        return _gone(request, gone)
    except DomainError as exc:
        return await _refused(request, booking, token, exc)
    return RedirectResponse(f"/m/{token}?done=cancelled", 303, headers=_PRIVATE)


@router.post("/{token}/move", include_in_schema=False)
async def move(request: Request, booking: BookingDep, token: str) -> Response:
    try:
        ref = _ref(request, token)
        refused = await _form_refused(request, token)
        if refused is not None:
            return refused
        choice = manage_view.chosen((await request.form()).get("slot"))
        if choice is None:
            managed = await manage.open_link(booking.uow, ref)
            context = await _context(request, booking, managed, token, None)
            context["error"] = _t(managed)("manage.choose_time")
            return _render(request, managed, context, 422)
        moved = await manage.move_by_link(booking.uow, ref, *choice)
    except LinkGone as gone:
        return _gone(request, gone)
    except DomainError as exc:
        return await _refused(request, booking, token, exc)
    target = manage_path(_key(request), moved.ref) + "?done=moved"
    return RedirectResponse(target, 303, headers=_PRIVATE)


async def _form_refused(request: Request, token: str) -> Response | None:
    """The form must send the value the page derived from this link (ADR 0026)."""
    sent = (await request.form()).get("csrf_token")
    if form_token_ok(_key(request), token, sent if isinstance(sent, str) else None):
        return None
    t = translator_for(request)
    return _page(request, t, "manage_gone.html", {"message": t("manage.gone.form")}, 403)


async def _refused(
    request: Request, booking: BookingService, token: str, exc: DomainError
) -> Response:
    """The page again, as it is now (nothing was written), with the reason on top."""
    try:
        managed = await manage.open_link(booking.uow, _ref(request, token))
    except LinkGone as gone:
        return _gone(request, gone)
    t = _t(managed)
    context = await _context(request, booking, managed, token, None)
    if isinstance(exc, FeeNotAccepted):
        context["error"] = manage_view.fee_refusal(t, managed, exc.fee_cents)
    elif isinstance(exc, TooLateToCancel):
        context["error"] = manage_view.too_late_refusal(t, managed)
    else:
        why = refusal(exc)
        context["error"] = t(why.key, holiday=why.holiday or "")
        if isinstance(exc, SlotUnavailable) and exc.alternatives:
            context["alternatives"] = manage_view.alternatives(t, managed, exc.alternatives)
    return _render(request, managed, context, exc.status if exc.status in (409, 503) else 422)


async def _context(
    request: Request,
    booking: BookingService,
    managed: ManagedAppointment,
    token: str,
    raw_day: str | None,
) -> dict[str, Any]:
    t = _t(managed)
    try:
        day = date.fromisoformat(raw_day) if raw_day else managed.start.date()
    except ValueError:
        day = managed.start.date()
    if abs(day - managed.start.date()) > _DAY_RANGE:
        # Nothing is bookable that far off (the horizon is shorter); and date arithmetic
        # near year 1 or 9999 would overflow.
        day = managed.start.date()
    slots = await manage.free_times(booking.uow, managed, day)
    return {
        "a": managed,
        "token": token,
        "form_token": form_token(_key(request), token),
        "policy": manage_view.policy_lines(t, managed),
        "move_day": day,
        "times": manage_view.choices(t, managed, slots),
        "alternatives": [],
        "error": None,
        "done": None,
    }


def _t(managed: ManagedAppointment) -> Translator:
    """The business's language: the customer reads what the business's messages said."""
    return Translator(language_of_locale(managed.locale))


def _render(
    request: Request, managed: ManagedAppointment, context: dict[str, Any], status: int = 200
) -> Response:
    return _page(request, _t(managed), "manage.html", context, status)


def _gone(
    request: Request, gone: LinkGone, status: int | None = None, done: bool = False
) -> Response:
    """A link that no longer acts, said politely; a link we never issued and one whose
    appointment no longer exists read alike (404), so nothing tells whether it existed."""
    t = Translator(language_of_locale(gone.locale)) if gone.locale else translator_for(request)
    key = "manage.done.cancelled" if done else f"manage.gone.{gone.why.value}"
    if gone.why is Gone.UNKNOWN:
        key = "manage.gone.invalid"
    code = status or (404 if gone.why is Gone.UNKNOWN else 410)
    return _page(request, t, "manage_gone.html", {"message": t(key), "done": done}, code)


def failure_page(request: Request, status: int) -> Response:
    """A bug or a failed dependency under /m: a customer's page, not the business's."""
    t = translator_for(request)
    return _page(request, t, "manage_gone.html", {"message": t("manage.gone.unavailable")}, status)


def _page(
    request: Request, t: Translator, template: str, context: dict[str, Any], status: int
) -> Response:
    values = {"t": t, "lang": t.language, "csrf_token": "", **context}
    return render(request, template, values, status_code=status, headers=_PRIVATE)
