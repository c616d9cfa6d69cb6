"""Cal.com's webhook endpoint: ``POST /calcom/webhook/{tenant_slug}``.

HTTP only: the raw body (capped at 256 KB by ``api.limits`` before it is read) and the
``X-Cal-Signature-256`` header go to ``booking.calendar_inbox``; its refusals become problem
responses (404 unknown tenant, 401 missing or wrong signature, 400 not a JSON envelope). No
authentication besides the signature. A taken delivery is 200 at once; the processing runs as
an outbox job.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from frontdesk.api.errors import ProblemError
from frontdesk.api.rest.schemas import ProblemOut
from frontdesk.booking.calendar_inbox import CalendarInbox, WebhookRefused
from frontdesk.calendars.calcom.webhook import SIGNATURE_HEADER

_TITLES = {400: "Bad request", 401: "Unauthorized", 404: "Not found"}
_BODY = {
    "type": "object",
    "required": ["triggerEvent"],
    "properties": {
        "triggerEvent": {"type": "string"},
        "createdAt": {"type": "string"},
        "payload": {"type": "object"},
    },
}


def _problem_response(text: str) -> dict[str, Any]:
    return {"model": ProblemOut, "content": {"application/problem+json": {}}, "description": text}


router = APIRouter(
    prefix="/calcom",
    tags=["calendar"],
    responses={
        400: _problem_response("invalid_body (after the signature)"),
        401: _problem_response("unauthorized: no secret here, missing or wrong signature"),
        404: _problem_response("unknown_tenant"),
        413: _problem_response("body_too_large (256 KB)"),
    },
)


@router.post(
    "/webhook/{tenant_slug}",
    summary="Cal.com's booking webhooks (signed with the tenant's webhook secret)",
    openapi_extra={
        "requestBody": {"required": True, "content": {"application/json": {"schema": _BODY}}},
        "parameters": [
            {
                "name": SIGNATURE_HEADER,
                "in": "header",
                "required": True,
                "description": "hex HMAC-SHA256 of the raw body, keyed with the webhook secret",
                "schema": {"type": "string"},
            }
        ],
    },
)
async def calcom_webhook(tenant_slug: str, request: Request) -> dict[str, str]:
    body = await request.body()
    inbox: CalendarInbox = request.app.state.calendar_inbox
    try:
        receipt = await inbox.receive(tenant_slug, body, request.headers.get(SIGNATURE_HEADER))
    except WebhookRefused as refused:
        title = _TITLES.get(refused.status, "Refused")
        raise ProblemError(refused.status, refused.code, title, refused.detail) from None
    return {"status": receipt.outcome}
