"""RFC 9457 problem details for every error the REST API returns."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from frontdesk.api.methods import allowed_methods
from frontdesk.booking.outage import DATABASE_ERRORS, database_down
from frontdesk.domain.errors import DomainError, SlotUnavailable
from frontdesk.observability.logging import get_logger
from frontdesk.resilience.outage import degraded

PROBLEM_JSON = "application/problem+json"
# When a client may try again after a database outage (seconds; a hint, not a promise).
RETRY_AFTER_OUTAGE_S = 5
log = get_logger(__name__)


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
    """Map domain errors, validation errors and HTTP errors to problem details."""

    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> JSONResponse:
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
        return problem(request, exc.status, exc.code, exc.title, exc.detail, **extra)

    @app.exception_handler(ProblemError)
    async def _problem(request: Request, exc: ProblemError) -> JSONResponse:
        return problem(request, exc.status, exc.code, exc.title, exc.detail, exc.headers)

    async def _database(request: Request, exc: Exception) -> JSONResponse:
        if not database_down(exc):
            # Not an outage (a bug in our SQL, a refusal no use case expected): the server
            # error handler logs the traceback and answers 500.
            raise exc
        degraded("database", "rest", exc, path=request.url.path)
        return problem(
            request,
            503,
            "database_unavailable",
            "Service unavailable",
            "The database cannot be reached; try again shortly.",
            {"Retry-After": str(RETRY_AFTER_OUTAGE_S)},
        )

    for error_type in DATABASE_ERRORS:
        app.add_exception_handler(error_type, _database)

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
