"""Liveness, readiness and metrics endpoints (unauthenticated by design)."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse

from frontdesk.api.deps import ResourcesDep
from frontdesk.observability.logging import get_logger
from frontdesk.observability.metrics import render_metrics

router = APIRouter(tags=["operations"])
log = get_logger(__name__)

READINESS_TIMEOUT_S = 2.0


@router.get("/healthz", summary="The process is up")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="The database (and Redis, when configured) can be reached",
    responses={503: {"description": "A dependency is unreachable"}},
)
async def readyz(resources: ResourcesDep) -> JSONResponse:
    checks = {"database": await _check(resources.ping_database())}
    if resources.redis is not None:
        checks["redis"] = await _check(resources.redis.ping())
    ready = all(value == "ok" for value in checks.values())
    if not ready:
        log.warning("not ready", checks=checks)
    return JSONResponse(
        {"status": "ok" if ready else "unavailable", "checks": checks},
        status_code=200 if ready else 503,
    )


async def _check(probe: object) -> str:
    try:
        await asyncio.wait_for(probe, READINESS_TIMEOUT_S)  # type: ignore[arg-type]
    except Exception as exc:  # any failure means "not ready"; the type is reported, not raised
        return f"error: {type(exc).__name__}"
    return "ok"


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
async def metrics() -> Response:
    body, content_type = render_metrics()
    return Response(content=body, media_type=content_type)
