"""Bearer API-key authentication for the REST API.

Keys are looked up by SHA-256 digest. Verified keys are cached in-process for ``CACHE_TTL`` so
the hot path does not pay a query per request; a revoked key therefore stops working within
that time (documented in the runbook).
"""

from __future__ import annotations

import time
import uuid
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from frontdesk.api.deps import ResourcesDep
from frontdesk.api.errors import ProblemError
from frontdesk.db.repositories import tenants
from frontdesk.security import api_key_digest

CACHE_TTL_S = 30.0
_bearer = HTTPBearer(auto_error=False, description="A tenant API key: `Bearer fd_…`")


class ApiKeyCache:
    def __init__(self, ttl: float = CACHE_TTL_S) -> None:
        self._ttl = ttl
        self._entries: dict[str, tuple[uuid.UUID, float]] = {}

    def get(self, digest: str) -> uuid.UUID | None:
        entry = self._entries.get(digest)
        if entry is None or entry[1] < time.monotonic():
            return None
        return entry[0]

    def put(self, digest: str, tenant_id: uuid.UUID) -> None:
        if len(self._entries) > 10_000:
            self._entries.clear()
        self._entries[digest] = (tenant_id, time.monotonic() + self._ttl)


def _unauthorized(detail: str) -> ProblemError:
    return ProblemError(
        401, "unauthorized", "Unauthorized", detail, headers={"WWW-Authenticate": "Bearer"}
    )


async def current_tenant(
    request: Request,
    resources: ResourcesDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> uuid.UUID:
    """The tenant the request's API key belongs to, or 401."""
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise _unauthorized("send an API key as 'Authorization: Bearer <key>'")
    cache: ApiKeyCache = request.app.state.api_keys
    digest = api_key_digest(credentials.credentials)
    tenant_id = cache.get(digest)
    if tenant_id is not None:
        return tenant_id
    async with resources.sessions() as session:
        key = await tenants.find_active_api_key(session, credentials.credentials)
    if key is None:
        raise _unauthorized("unknown or revoked API key")
    cache.put(digest, key.tenant_id)
    return key.tenant_id


TenantId = Annotated[uuid.UUID, Depends(current_tenant)]
