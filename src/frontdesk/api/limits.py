"""Request body limits per endpoint, enforced before the body is read.

Every endpoint's bodies have a natural size: a voice function call is a few hundred bytes, a
call event carries the transcript (tens of kilobytes for a long call), a REST request is small.
A larger body is refused with 413 before the application reads it: at once when
``Content-Length`` says so, else (chunked) as soon as the bytes received pass the limit. An
unauthenticated 100 MB body therefore costs nothing but the refusal.

Header sizes are bounded by the HTTP server itself (uvicorn: 16 KB per request head by default).
"""

from __future__ import annotations

import json

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

KIB = 1024
MIB = 1024 * KIB
# Longest prefix first; the first that matches the path decides.
BODY_LIMITS: tuple[tuple[str, int], ...] = (
    ("/retell/functions/", 64 * KIB),
    ("/retell/inbound", 64 * KIB),
    ("/retell/events", 1 * MIB),
    ("/api/", 64 * KIB),
    # A Cal.com booking payload is a few kilobytes; long descriptions and many attendees stay
    # far below this.
    ("/calcom/webhook/", 256 * KIB),
    # The customer's manage page posts one choice and its form token.
    ("/m/", 4 * KIB),
)
DEFAULT_LIMIT = 1 * MIB


def body_limit(path: str) -> int:
    """The largest body (bytes) a request to ``path`` may carry."""
    for prefix, limit in BODY_LIMITS:
        if path.startswith(prefix):
            return limit
    return DEFAULT_LIMIT


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` when a streamed body passes its limit (the problem handlers turn
    it into the 413 problem; FastAPI's body parser re-raises HTTP exceptions unchanged)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body exceeds {limit} bytes")


class BodyLimitMiddleware:
    """Refuses bodies over ``body_limit(path)`` with a 413 problem, reading no more than that."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = body_limit(scope["path"])
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _refuse(scope, send, limit)
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        await self.app(scope, limited, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            # At most 18 digits: anything longer is over every limit anyway.
            digits = value.strip()[:19]
            return int(digits) if digits.isdigit() else None
    return None


async def _refuse(scope: Scope, send: Send, limit: int) -> None:
    body = json.dumps(
        {
            "type": "/problems/body_too_large",
            "title": "Request body too large",
            "status": 413,
            "detail": f"the request body exceeds {limit} bytes",
            "code": "body_too_large",
            "instance": scope["path"],
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
