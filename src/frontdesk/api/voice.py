"""Retell's endpoints: ``/retell/functions/{name}``, ``/retell/inbound``, ``/retell/events``.

HTTP only: the raw body and the signature header go to ``voice.gateway``; its refusals become
problem responses (401 bad signature, 404 unknown number or function, 400 malformed body;
413 from ``api.limits`` before the body is read).
Business outcomes are always 200 with a ``status`` and a ``message`` the agent can speak.
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from frontdesk.api.errors import ProblemError
from frontdesk.api.rest.schemas import ProblemOut
from frontdesk.domain import rules
from frontdesk.observability.metrics import VOICE_FUNCTION_LATENCY
from frontdesk.voice.gateway import VoiceGateway, VoiceRefused
from frontdesk.voice.names import FUNCTION_NAMES
from frontdesk.voice.signature import HEADER

# The bodies are read raw (the signature covers the exact bytes), so FastAPI cannot derive
# their schemas: they are declared here, as Retell sends them (reference/retell.md).
# Retell's timestamps; a function call whose ``call`` carries one outside this range is refused
# before anything is written (400 invalid_call), an event ignores it.
_MILLIS = {
    "type": "integer",
    "description": "ms since 1970",
    "minimum": int(rules.EARLIEST.timestamp() * 1000),
    "exclusiveMaximum": int(rules.LATEST.timestamp() * 1000),
}
_CALL = {
    "type": "object",
    "properties": {
        "call_id": {"type": "string", "minLength": 1, "maxLength": rules.MAX_CALL_ID},
        "to_number": {"type": "string"},
        "from_number": {"type": "string"},
        "agent_id": {"type": "string"},
        "direction": {"type": "string"},
        "call_status": {"type": "string"},
        "start_timestamp": _MILLIS,
        "end_timestamp": _MILLIS,
        "duration_ms": {"type": "integer"},
        "transcript": {"type": "string"},
        "call_analysis": {"type": "object"},
    },
}
_FUNCTION_BODY = {
    "type": "object",
    "required": ["name", "args", "call"],
    "properties": {
        "name": {"type": "string"},
        "args": {"type": "object"},
        # A function is always asked within a call: Retell sends its id with every request.
        "call": {**_CALL, "required": ["call_id"]},
    },
}
_INBOUND_BODY = {
    "type": "object",
    "required": ["event", "call_inbound"],
    "properties": {
        "event": {"type": "string", "enum": ["call_inbound"]},
        "call_inbound": {
            "type": "object",
            "properties": {
                "from_number": {"type": "string"},
                "to_number": {"type": "string"},
                "agent_id": {"type": "string"},
            },
        },
    },
}
_EVENT_BODY = {
    "type": "object",
    "required": ["event", "call"],
    "properties": {
        "event": {"type": "string", "enum": ["call_started", "call_ended", "call_analyzed"]},
        "call": _CALL,
    },
}
_SIGNATURE = {
    "name": HEADER,
    "in": "header",
    "required": True,
    "description": "v=<ms>,d=<hex HMAC-SHA256 of the raw body + ms>, keyed with the Retell key",
    "schema": {"type": "string"},
}


def _problem_response(text: str) -> dict[str, Any]:
    return {"model": ProblemOut, "content": {"application/problem+json": {}}, "description": text}


_REFUSALS: dict[int | str, dict[str, Any]] = {
    400: _problem_response(
        "invalid_body, missing_call_id, invalid_call_id, invalid_call (after the signature)"
    ),
    401: _problem_response("unauthorized: missing, malformed, stale or wrong signature"),
    404: _problem_response("unknown_number, unknown_function, unknown_call"),
    413: _problem_response("body_too_large (64 KB; events 1 MB)"),
}


def _openapi(body: dict[str, Any]) -> dict[str, Any]:
    return {
        "requestBody": {"required": True, "content": {"application/json": {"schema": body}}},
        "parameters": [_SIGNATURE],
    }


router = APIRouter(prefix="/retell", tags=["voice"], responses=_REFUSALS)

_TITLES = {400: "Bad request", 401: "Unauthorized", 404: "Not found"}


def _gateway(request: Request) -> VoiceGateway:
    gateway: VoiceGateway = request.app.state.voice
    return gateway


def _problem(refused: VoiceRefused) -> ProblemError:
    title = _TITLES.get(refused.status, "Refused")
    return ProblemError(refused.status, refused.code, title, refused.detail)


@router.post(
    "/functions/{name}",
    summary="A custom function called by the agent mid-call",
    response_model=dict[str, Any],
    openapi_extra=_openapi(_FUNCTION_BODY),
)
async def function(name: str, request: Request) -> Response:
    # The deadline counts from here, before the body is read: time spent waiting for it is the
    # caller's time too.
    loop = asyncio.get_running_loop()
    received_at = loop.time()
    body = await request.body()
    answer: dict[str, Any] | None = None
    try:
        answer = await _gateway(request).function(
            name, body, request.headers.get(HEADER), received_at
        )
    except VoiceRefused as refused:
        raise _problem(refused) from None
    finally:
        label = name if name in FUNCTION_NAMES else "unknown"
        VOICE_FUNCTION_LATENCY.labels(function=label, outcome=_outcome(answer)).observe(
            loop.time() - received_at
        )
    return JSONResponse(answer)


def _outcome(answer: dict[str, Any] | None) -> str:
    """The latency metric's outcome (a bounded set, see docs/metrics.md); ``None``: refused."""
    if answer is None:
        return "refused"
    if answer.get("status") != "error":
        return "ok"
    reason = answer.get("reason")
    return reason if reason in ("overloaded", "timeout") else "error"


@router.post(
    "/inbound",
    summary="Retell's inbound-call webhook: who is calling, what day it is",
    openapi_extra=_openapi(_INBOUND_BODY),
)
async def inbound(request: Request) -> dict[str, Any]:
    body = await request.body()
    try:
        return await _gateway(request).inbound(body, request.headers.get(HEADER))
    except VoiceRefused as refused:
        raise _problem(refused) from None


@router.post(
    "/events",
    status_code=204,
    summary="Call events: started, ended, analyzed",
    openapi_extra=_openapi(_EVENT_BODY),
)
async def events(request: Request) -> Response:
    body = await request.body()
    try:
        await _gateway(request).event(body, request.headers.get(HEADER))
    except VoiceRefused as refused:
        raise _problem(refused) from None
    return Response(status_code=204)
