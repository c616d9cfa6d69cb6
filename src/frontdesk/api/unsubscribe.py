"""``/m/unsubscribe/{token}``: the reminder unsubscribe link (public; the token is signed).

GET shows a page with one button and changes nothing (mail scanners open links ahead of the
reader); POST opts the customer out of reminders — also the RFC 8058 one-click POST that mail
clients send for the ``List-Unsubscribe-Post`` header of a reminder. German first, English
when the browser prefers it."""

from __future__ import annotations

from html import escape

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from frontdesk.api.deps import ResourcesDep
from frontdesk.messages.links import UNSUBSCRIBE_PATH
from frontdesk.messages.unsubscribe import Unsubscribed, unsubscribe, valid

router = APIRouter(include_in_schema=False)

_TEXT = {
    "de": {
        "title": "Terminerinnerungen abbestellen",
        "ask": "Möchten Sie keine Terminerinnerungen mehr erhalten?",
        "button": "Erinnerungen abbestellen",
        "done": "Erledigt: Sie erhalten keine Terminerinnerungen mehr. Bestätigungen zu "
        "Buchungen, Verlegungen und Absagen bekommen Sie weiterhin.",
        "invalid": "Dieser Link ist ungültig. Bitte verwenden Sie den Link aus Ihrer "
        "Erinnerung oder wenden Sie sich an das Geschäft.",
    },
    "en": {
        "title": "Stop appointment reminders",
        "ask": "Do you want to stop receiving appointment reminders?",
        "button": "Stop reminders",
        "done": "Done: you will receive no more appointment reminders. Confirmations of "
        "bookings, moves and cancellations still reach you.",
        "invalid": "This link is not valid. Please use the link from your reminder or "
        "contact the business.",
    },
}


def _language(request: Request) -> str:
    accept = request.headers.get("accept-language", "").lower()
    return "en" if accept.startswith("en") else "de"


def _page(language: str, body: str, status: int = 200) -> HTMLResponse:
    text = _TEXT[language]
    html = (
        f'<!doctype html><html lang="{language}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(text['title'])}</title></head><body><main>"
        f"<h1>{escape(text['title'])}</h1>{body}</main></body></html>"
    )
    return HTMLResponse(
        html,
        status_code=status,
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
    )


@router.get(UNSUBSCRIBE_PATH + "/{token}")
async def ask(token: str, request: Request, resources: ResourcesDep) -> HTMLResponse:
    language = _language(request)
    text = _TEXT[language]
    if not valid(resources.settings, token):
        return _page(language, f"<p>{escape(text['invalid'])}</p>", status=404)
    form = (
        f'<p>{escape(text["ask"])}</p><form method="post">'
        f'<button type="submit">{escape(text["button"])}</button></form>'
    )
    return _page(language, form)


@router.post(UNSUBSCRIBE_PATH + "/{token}")
async def confirm(token: str, request: Request, resources: ResourcesDep) -> HTMLResponse:
    language = _language(request)
    outcome = await unsubscribe(resources.sessions, resources.settings, resources.clock, token)
    if outcome is Unsubscribed.INVALID:
        return _page(language, f"<p>{escape(_TEXT[language]['invalid'])}</p>", status=404)
    return _page(language, f"<p>{escape(_TEXT[language]['done'])}</p>")
