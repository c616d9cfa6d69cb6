"""``OPTIONS`` and ``Allow`` that list every method a path answers.

Starlette matches routes one by one: a path served by two routes (``GET`` and ``PATCH
/appointments/{id}``) answers a wrong method with the ``Allow`` of the first route only, and
``OPTIONS`` with 405. Here the methods of every route matching the path are collected.
"""

from __future__ import annotations

from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Receive, Scope, Send

_METHODS = ("DELETE", "GET", "HEAD", "PATCH", "POST", "PUT")


def allowed_methods(routes: list[BaseRoute], scope: Scope) -> list[str]:
    """Every method some route serves at ``scope``'s path (plus ``OPTIONS``), sorted; empty
    when no route has that path. Asked method by method, through each route's own matching
    (included routers too), so no routing rule is re-implemented here."""
    methods = {
        method
        for method in _METHODS
        if any(route.matches({**scope, "method": method})[0] is Match.FULL for route in routes)
    }
    return sorted(methods | {"OPTIONS"}) if methods else []


class OptionsMiddleware:
    """Answers ``OPTIONS`` with 204 and the full ``Allow`` of the path (404 when unknown)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "OPTIONS":
            await self.app(scope, receive, send)
            return
        router = scope["app"].router
        allowed = allowed_methods(router.routes, {**scope, "method": "GET"})
        if not allowed:
            await self.app(scope, receive, send)
            return
        await send(
            {
                "type": "http.response.start",
                "status": 204,
                "headers": [(b"allow", ", ".join(allowed).encode())],
            }
        )
        await send({"type": "http.response.body", "body": b""})
