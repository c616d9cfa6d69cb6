"""RFC 9457 problem details for every error the REST API returns.

Refusals raised on purpose (domain errors, ``ProblemError``, validation, HTTP errors) have
their exception handlers. Everything else reaches ``ErrorBoundary``, which asks the one
classifier (ADR 0018): a failed dependency is a 503 (or 502) with the vocabulary's code, a bug
a 500 ``internal_error`` that says nothing about its cause — the traceback goes to the log.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from frontdesk.api.methods import allowed_methods
from frontdesk.domain.errors import DomainError, SlotUnavailable
from frontdesk.failures import Failure, classify, domain_meaning, meaning, report

PROBLEM_JSON = "application/problem+json"


class ProblemError(Exception):
    """An HTTP-level refusal (auth, idempotency) raised from the API layer itself."""

    def __init__(
        self, status: int, code: str, title: str, detail: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(detail)
        self.status, self.code, self.title, self.detail = status, code, title, detail
        self.headers = headers


def problem(
    request: Request,
    status: int,
    code: str,
    title: str,
    detail: str,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body = {
        "type": f"/problems/{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
        "instance": request.url.path,
        **extra,
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def install_problem_handlers(app: FastAPI) -> None:
    """Map domain errors, validation errors and HTTP errors to problem details (everything
    else is ``ErrorBoundary``'s)."""

    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> JSONResponse:
        report(classify(exc), "rest")
        extra: dict[str, Any] = {}
        if isinstance(exc, SlotUnavailable):
            extra["alternatives"] = [
                {
                    "start": alt.start.isoformat(),
                    "end": alt.end.isoformat(),
                    "staff_id": str(alt.staff_id),
                }
                for alt in exc.alternatives
            ]
            if exc.holiday:
                extra["holiday"] = exc.holiday
        told = domain_meaning(exc)
        return problem(request, told.status, exc.code, told.title, told.detail, **extra)

    @app.exception_handler(ProblemError)
    async def _problem(request: Request, exc: ProblemError) -> JSONResponse:
        return problem(request, exc.status, exc.code, exc.title, exc.detail, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"loc": list(err.get("loc", ())), "msg": err.get("msg", ""), "type": err.get("type")}
            for err in exc.errors()
        ]
        return problem(
            request,
            422,
            "validation_error",
            "Invalid request",
            "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors),
            errors=errors,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed", 413: "body_too_large"}.get(
            exc.status_code, "http_error"
        )
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            allowed = allowed_methods(request.app.router.routes, request.scope)
            if allowed:
                headers["Allow"] = ", ".join(allowed)
        return problem(request, exc.status_code, code, str(exc.detail), str(exc.detail), headers)


# How a part of the site shows a failure (request, HTTP status) when problem JSON is not for it.
FailurePage = Callable[[Request, int], Response]


class ErrorBoundary:
    """The REST API's last handler: any exception no handler took is classified and answered
    as problem JSON — 503/502 for a failed dependency (the vocabulary's code, ``Retry-After``
    when it gives one), 500 ``internal_error`` for a bug, counted and logged with its
    traceback by ``failures.report``. Installed inside the request-context middleware, so the
    log line carries the request id and the access line the status.

    Starlette's own last handler (``ServerErrorMiddleware``) re-raises after answering, so the
    server logs the traceback a second time; here the exception ends with its report. A
    response already started cannot be replaced: the exception is reported and re-raised.
    """

    def __init__(self, app: ASGIApp, pages: Mapping[str, FailurePage] | None = None) -> None:
        self.app = app
        # Path prefix → how a failure is shown there instead of problem JSON (the web app's
        # error page under /admin).
        self.pages = dict(pages or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def sending(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except Exception as exc:
            # The catch-all is the point: whatever failed, the client gets problem JSON and
            # the failure is counted as what it is (a bug is never called an outage).
            failure = classify(exc)
            report(failure, "rest", path=scope.get("path"))
            if started:
                raise
            request = Request(scope)
            page = self._page_for(request.url.path)
            if page is not None:
                told = meaning(failure.code)
                await page(request, told.status)(scope, receive, send)
                return
            await _failure_response(request, failure)(scope, receive, send)

    def _page_for(self, path: str) -> FailurePage | None:
        for prefix, page in self.pages.items():
            if path == prefix or path.startswith(prefix + "/"):
                return page
        return None


def _failure_response(request: Request, failure: Failure) -> JSONResponse:
    """The problem answer for a classified failure (a domain error only arrives here when it
    was raised outside a route, e.g. in a middleware)."""
    if isinstance(failure.exc, DomainError):
        told = domain_meaning(failure.exc)
    else:
        told = meaning(failure.code)
    headers = {"Retry-After": str(told.retry_after)} if told.retry_after else None
    return problem(request, told.status, failure.code, told.title, told.detail, headers)
