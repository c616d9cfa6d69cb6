"""``/admin/settings/messages``: what customers hear from the business (ADR 0024) — reminders
(off or N hours before; e-mail and/or SMS) and the sender address, each branch's address as the
messages show it, and which logins get an e-mail on phone bookings, cancellations and sync
conflicts. Owners only; every change goes through ``business.messaging`` (checked, audited)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from frontdesk.api.web import settings_forms
from frontdesk.api.web.settings_deps import OwnerDep, UowDep, form_of, found, id_of, refused, saved
from frontdesk.api.web.settings_forms import FormProblem
from frontdesk.api.web.templating import render
from frontdesk.booking.unit_of_work import UnitOfWork
from frontdesk.business import messaging
from frontdesk.business.messaging import MessageSettings
from frontdesk.business.owner import Owner
from frontdesk.domain.errors import InvalidSetting

router = APIRouter()
PAGE = "/admin/settings/messages"
TEMPLATE = "settings_messages.html"
DEFAULT_HOURS = 24  # what the hours field offers while reminders are off


@router.get("/settings/messages", include_in_schema=False)
async def messages_page(request: Request, owner: OwnerDep, uow: UowDep) -> Response:
    current = await messaging.message_settings(uow, owner)
    return render(request, TEMPLATE, await _context(uow, owner, _form_of_settings(current)))


@router.post("/settings/messages", include_in_schema=False)
async def set_reminders(request: Request, owner: OwnerDep, uow: UowDep) -> Response:
    """Reminders and sender in one form: refused as a whole (nothing written) or stored."""
    form = _reminder_form(await form_of(request))
    try:
        wanted = _wanted(form)
        await messaging.set_message_settings(uow, owner, wanted)
    except (FormProblem, InvalidSetting) as problem:
        field, message = _field_and_message(problem)
        return refused(request, TEMPLATE, await _context(uow, owner, form), field, message)
    return saved(PAGE)


@router.post("/settings/messages/branches/{branch_id}/address", include_in_schema=False)
async def set_address(branch_id: str, request: Request, owner: OwnerDep, uow: UowDep) -> Response:
    branch = id_of(branch_id)
    typed = (await form_of(request)).get("address", "")
    try:
        await found(messaging.set_branch_address(uow, owner, branch, typed))
    except InvalidSetting as refusal:
        current = await messaging.message_settings(uow, owner)
        context = await _context(uow, owner, _form_of_settings(current))
        context["typed_address"] = {str(branch): typed}
        field = f"address-{branch}"
        return refused(request, TEMPLATE, context, field, refusal.message or "")
    return saved(PAGE)


@router.post("/settings/messages/logins/{user_id}/notify", include_in_schema=False)
async def set_notify(user_id: str, request: Request, owner: OwnerDep, uow: UowDep) -> Response:
    """``notify=1`` switches the login's e-mail on, anything else off (a button per login)."""
    on = (await form_of(request)).get("notify") == "1"
    await found(messaging.set_notify_by_email(uow, owner, id_of(user_id), on))
    return saved(PAGE)


def _reminder_form(posted: dict[str, str]) -> dict[str, object]:
    """The form as typed (shown again on a refusal): checkboxes are there or not."""
    return {
        "reminders": "off" if posted.get("reminders") == "off" else "on",
        "reminder_hours": posted.get("reminder_hours", "").strip(),
        "reminder_email": "reminder_email" in posted,
        "reminder_sms": "reminder_sms" in posted,
        "mail_from": posted.get("mail_from", "").strip(),
    }


def _form_of_settings(current: MessageSettings) -> dict[str, object]:
    return {
        "reminders": "off" if current.reminder_hours is None else "on",
        "reminder_hours": str(current.reminder_hours or DEFAULT_HOURS),
        "reminder_email": current.reminder_email,
        "reminder_sms": current.reminder_sms,
        "mail_from": current.mail_from or "",
    }


def _wanted(form: dict[str, object]) -> MessageSettings:
    hours: int | None = None
    if form["reminders"] == "on":
        label = "Die Stunden vor dem Termin"
        hours = settings_forms.whole_number(str(form["reminder_hours"]), "reminder_hours", label)
    return MessageSettings(
        hours,
        bool(form["reminder_email"]),
        bool(form["reminder_sms"]),
        str(form["mail_from"]) or None,
    )


def _field_and_message(problem: FormProblem | InvalidSetting) -> tuple[str | None, str]:
    if isinstance(problem, FormProblem):
        return problem.field, problem.message
    return problem.field, problem.message or ""


async def _context(uow: UnitOfWork, owner: Owner, form: dict[str, object]) -> dict[str, object]:
    return {
        "form": form,
        "branches": await messaging.branch_addresses(uow, owner),
        "logins": await messaging.logins(uow, owner),
        "max_hours": messaging.MAX_REMINDER_HOURS,
        "max_address": messaging.MAX_ADDRESS,
        "typed_address": {},
        "errors": {},
    }
