"""Health, readiness, metrics, OpenAPI and the request id on every response."""

from __future__ import annotations

import httpx
import pytest
import redis.asyncio as aioredis
from sqlalchemy.ext.asyncio import AsyncEngine
from tests.app_support import client_for, settings_for
from tests.services_support import REDIS_URL

from frontdesk.app import create_app


async def test_healthz(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_checks_the_database(client: httpx.AsyncClient) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok"}


async def test_readyz_checks_redis_when_configured(
    db: AsyncEngine, redis_client: aioredis.Redis
) -> None:
    app = create_app(settings_for(db, redis_url=REDIS_URL))
    async for client in client_for(app):
        response = await client.get("/readyz")
        assert response.status_code == 200
        assert response.json()["checks"] == {"database": "ok", "redis": "ok"}


async def test_readyz_is_503_when_redis_is_unreachable(db: AsyncEngine) -> None:
    app = create_app(settings_for(db, redis_url="redis://127.0.0.1:1/0"))
    async for client in client_for(app):
        response = await client.get("/readyz")
        assert response.status_code == 503
        body = response.json()
        assert body["status"] == "unavailable"
        assert body["checks"]["database"] == "ok"
        assert body["checks"]["redis"].startswith("error")


async def test_request_id_is_generated_and_returned(client: httpx.AsyncClient) -> None:
    first = await client.get("/healthz")
    second = await client.get("/healthz")
    assert len(first.headers["x-request-id"]) == 32
    assert first.headers["x-request-id"] != second.headers["x-request-id"]


async def test_a_callers_request_id_is_kept_when_sane(client: httpx.AsyncClient) -> None:
    kept = await client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert kept.headers["x-request-id"] == "abc-123"
    replaced = await client.get("/healthz", headers={"X-Request-ID": "evil\x7f" + "x" * 100})
    assert replaced.headers["x-request-id"] != "evil"
    assert len(replaced.headers["x-request-id"]) == 32


async def test_metrics_expose_request_counters_by_route(client: httpx.AsyncClient) -> None:
    await client.get("/healthz")
    await client.get("/no/such/path")
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert 'frontdesk_http_requests_total{method="GET",route="/healthz",status="200"}' in (
        response.text
    )
    assert 'route="unmatched",status="404"' in response.text
    assert "/no/such/path" not in response.text


@pytest.mark.parametrize("path", ["/docs", "/openapi.json"])
async def test_openapi_is_served(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 200
