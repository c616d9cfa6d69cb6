"""Retell's endpoints: ``/retell/functions/{name}``, ``/retell/inbound``, ``/retell/events``.

HTTP only: the raw body and the signature header go to ``voice.gateway``; its refusals become
problem responses (401 bad signature, 404 unknown number or function, 400 malformed body).
Business outcomes are always 200 with a ``status`` and a ``message`` the agent can speak.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from frontdesk.api.errors import ProblemError
from frontdesk.voice.gateway import VoiceGateway, VoiceRefused
from frontdesk.voice.signature import HEADER

router = APIRouter(prefix="/retell", tags=["voice"])

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
)
async def function(name: str, request: Request) -> Response:
    body = await request.body()
    try:
        answer = await _gateway(request).function(name, body, request.headers.get(HEADER))
    except VoiceRefused as refused:
        raise _problem(refused) from None
    return JSONResponse(answer)


@router.post("/inbound", summary="Retell's inbound-call webhook: who is calling, what day it is")
async def inbound(request: Request) -> dict[str, Any]:
    body = await request.body()
    try:
        return await _gateway(request).inbound(body, request.headers.get(HEADER))
    except VoiceRefused as refused:
        raise _problem(refused) from None


@router.post("/events", status_code=204, summary="Call events: started, ended, analyzed")
async def events(request: Request) -> Response:
    body = await request.body()
    try:
        await _gateway(request).event(body, request.headers.get(HEADER))
    except VoiceRefused as refused:
        raise _problem(refused) from None
    return Response(status_code=204)
