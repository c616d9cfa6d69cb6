"""What the settings pages share: the owner as the use cases know them, the process's unit of
work, reading a form, ids from the path, and the use cases' refusals as page answers."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response

from frontdesk.api.web.deps import OwnerUser
from frontdesk.api.web.errors import PageError
from frontdesk.api.web.templating import render, set_flash
from frontdesk.booking.unit_of_work import UnitOfWork
from frontdesk.business.owner import Owner
from frontdesk.domain.errors import NotFound

T = TypeVar("T")


async def owner_of(user: OwnerUser) -> Owner:
    """The signed-in owner; the audit trail names them as ``user:<id>``."""
    return Owner(user.tenant_id, f"user:{user.user_id}")


async def get_uow(request: Request) -> UnitOfWork:
    """The booking service's unit of work: the same caches the phone agent's searches use."""
    uow: UnitOfWork = request.app.state.booking.uow
    return uow


OwnerDep = Annotated[Owner, Depends(owner_of)]
UowDep = Annotated[UnitOfWork, Depends(get_uow)]


def id_of(raw: str) -> uuid.UUID:
    """A path id; a malformed one is as unknown as another tenant's (404)."""
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise PageError(404, "error.not_found") from None


async def found(awaitable: Awaitable[T]) -> T:
    """The use case's result; its *not found* (another tenant's id) as the 404 page."""
    try:
        return await awaitable
    except NotFound:
        raise PageError(404, "error.not_found") from None


async def form_of(request: Request) -> dict[str, str]:
    """The posted form's text fields (files and repeated names: the last text value)."""
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


def saved(path: str, flash: str = "flash.settings_saved") -> Response:
    """After a change: back to ``path`` (303) with a message."""
    response = RedirectResponse(path, status_code=303)
    set_flash(response, flash)
    return response


def refused(
    request: Request,
    template: str,
    context: dict[str, Any],
    field: str | None,
    message: str,
    status: int = 422,
) -> Response:
    """The form again with the German ``message`` next to ``field`` (or above the form)."""
    errors = {field or "form": message}
    return render(request, template, context | {"errors": errors}, status_code=status)
