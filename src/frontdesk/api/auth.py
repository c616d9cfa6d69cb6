"""Bearer API-key authentication for the REST API.

Keys are looked up by SHA-256 digest through ``booking.directory``, which caches verified keys
in-process for ``CACHE_TTL_S`` so the hot path does not pay a query per request; a revoked key
therefore stops working within that time (documented in the runbook).
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from frontdesk.api.errors import ProblemError
from frontdesk.booking.directory import Directory

_bearer = HTTPBearer(auto_error=False, description="A tenant API key: `Bearer fd_…`")


def _unauthorized(detail: str) -> ProblemError:
    return ProblemError(
        401, "unauthorized", "Unauthorized", detail, headers={"WWW-Authenticate": "Bearer"}
    )


async def current_tenant(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> uuid.UUID:
    """The tenant the request's API key belongs to, or 401."""
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise _unauthorized("send an API key as 'Authorization: Bearer <key>'")
    directory: Directory = request.app.state.directory
    tenant_id = await directory.tenant_of_api_key(credentials.credentials)
    if tenant_id is None:
        raise _unauthorized("unknown or revoked API key")
    return tenant_id


TenantId = Annotated[uuid.UUID, Depends(current_tenant)]
