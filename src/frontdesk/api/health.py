"""Liveness, readiness and metrics endpoints (unauthenticated by design)."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse

from frontdesk.api.deps import ResourcesDep
from frontdesk.failures import Kind, classify, report
from frontdesk.observability.logging import get_logger
from frontdesk.observability.metrics import READY, render_metrics
from frontdesk.resilience.deadline import answer_by
from frontdesk.resources import Resources

router = APIRouter(tags=["operations"])
log = get_logger(__name__)

# A probe's answer must come quickly: a load balancer asks often, and a database that hangs
# must read as "not ready" within this, not after a TCP or driver timeout (ADR 0016).
READINESS_TIMEOUT_S = 1.0


@router.get("/healthz", summary="The process is up")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="The database (and Redis, when configured) can be reached",
    responses={503: {"description": "A dependency is unreachable"}},
)
async def readyz(resources: ResourcesDep) -> JSONResponse:
    probes = {"database": resources.ping_database()}
    if resources.redis is not None:
        probes["redis"] = _ping_redis(resources)
    results = await asyncio.gather(*(_check(name, probe) for name, probe in probes.items()))
    checks = dict(zip(probes, results, strict=True))
    for name, result in checks.items():
        READY.labels(check=name).set(1 if result == "ok" else 0)
    ready = all(value == "ok" for value in checks.values())
    if not ready:
        log.warning("not ready", checks=checks)
    return JSONResponse(
        {"status": "ok" if ready else "unavailable", "checks": checks},
        status_code=200 if ready else 503,
    )


async def _ping_redis(resources: Resources) -> None:
    assert resources.redis is not None
    await resources.redis.ping()


async def _check(name: str, probe: Coroutine[Any, Any, None]) -> str:
    loop = asyncio.get_running_loop()
    work = asyncio.create_task(probe, name=f"readyz-{name}")
    try:
        await answer_by(work, loop.time() + READINESS_TIMEOUT_S)
    except Exception as exc:
        # Catch-all on purpose: a probe that cannot say "ok" says "not ready", whatever failed.
        # A dependency down is what /readyz exists to tell (the answer says it); anything else
        # is a bug in the probe, reported as one (traceback, kind=bug).
        failure = classify(exc, awaiting=name)
        if failure.kind is Kind.BUG:
            report(failure, "readyz", check=name)
        return f"error: {type(exc).__name__}"
    return "ok"


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
async def metrics() -> Response:
    body, content_type = render_metrics()
    return Response(content=body, media_type=content_type)
