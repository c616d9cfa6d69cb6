"""``/admin/settings/branches/{id}/services`` (the list and a new service) and
``/admin/settings/services/{id}`` (edit, deactivate, reactivate). Prices are entered and shown
German style ("25,00 €") and stored in cents; aliases are what callers may say instead."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from frontdesk.api.web import settings_forms
from frontdesk.api.web.deps import ScheduleDep
from frontdesk.api.web.settings_deps import OwnerDep, UowDep, found, id_of, refused, saved
from frontdesk.api.web.settings_forms import FormProblem
from frontdesk.api.web.settings_timeoff import branch_of_path
from frontdesk.api.web.templating import render
from frontdesk.booking.schedule import BranchSummary
from frontdesk.booking.unit_of_work import UnitOfWork
from frontdesk.business import services, team
from frontdesk.business.owner import Owner
from frontdesk.business.services import ServiceDraft
from frontdesk.business.views import ServiceView
from frontdesk.domain.errors import InvalidSetting

router = APIRouter()
LIST = "settings_services.html"
EDIT = "settings_service.html"


@router.get("/settings/branches/{branch_id}/services", include_in_schema=False)
async def services_page(
    request: Request, branch_id: str, owner: OwnerDep, uow: UowDep, schedule: ScheduleDep
) -> Response:
    branch = await branch_of_path(schedule, owner, branch_id)
    return render(request, LIST, await _list_context(uow, owner, branch, _fields_of(None)))


@router.post("/settings/branches/{branch_id}/services", include_in_schema=False)
async def create_service(
    request: Request, branch_id: str, owner: OwnerDep, uow: UowDep, schedule: ScheduleDep
) -> Response:
    branch = await branch_of_path(schedule, owner, branch_id)
    form = await request.form()
    try:
        draft = _draft(form)
        await found(services.create_service(uow, owner, branch.id, draft))
    except (FormProblem, InvalidSetting) as problem:
        context = await _list_context(uow, owner, branch, _fields_from(form))
        return refused(request, LIST, context, problem.field, problem.message or "")
    return saved(f"/admin/settings/branches/{branch.id}/services")


@router.get("/settings/services/{service_id}", include_in_schema=False)
async def service_page(request: Request, service_id: str, owner: OwnerDep, uow: UowDep) -> Response:
    view = await found(services.service(uow, owner, id_of(service_id)))
    return render(request, EDIT, await _edit_context(uow, owner, view, _fields_of(view)))


@router.post("/settings/services/{service_id}", include_in_schema=False)
async def update_service(
    request: Request, service_id: str, owner: OwnerDep, uow: UowDep
) -> Response:
    view = await found(services.service(uow, owner, id_of(service_id)))
    form = await request.form()
    try:
        await found(services.update_service(uow, owner, view.id, _draft(form)))
    except (FormProblem, InvalidSetting) as problem:
        context = await _edit_context(uow, owner, view, _fields_from(form))
        return refused(request, EDIT, context, problem.field, problem.message or "")
    return saved(f"/admin/settings/branches/{view.branch_id}/services")


@router.post("/settings/services/{service_id}/active", include_in_schema=False)
async def set_active(request: Request, service_id: str, owner: OwnerDep, uow: UowDep) -> Response:
    """``active=1`` offers the service again, anything else stops offering it."""
    active = (await request.form()).get("active") == "1"
    view = await found(services.set_service_active(uow, owner, id_of(service_id), active))
    return saved(f"/admin/settings/branches/{view.branch_id}/services")


def _draft(form: FormData) -> ServiceDraft:
    def text(name: str) -> str:
        value = form.get(name)
        return value if isinstance(value, str) else ""

    staff_ids = []
    for raw in form.getlist("staff_ids"):
        try:
            staff_ids.append(uuid.UUID(str(raw)))
        except ValueError:
            message = "Unbekannte Mitarbeiterin / unbekannter Mitarbeiter."
            raise FormProblem("staff_ids", message) from None
    return ServiceDraft(
        name=text("name"),
        duration_minutes=settings_forms.whole_number(
            text("duration_minutes"), "duration_minutes", "Die Dauer"
        ),
        buffer_before_minutes=settings_forms.whole_number(
            text("buffer_before_minutes") or "0", "buffer_before_minutes", "Die Pufferzeit davor"
        ),
        buffer_after_minutes=settings_forms.whole_number(
            text("buffer_after_minutes") or "0", "buffer_after_minutes", "Die Pufferzeit danach"
        ),
        price_cents=settings_forms.euros(text("price"), "price"),
        aliases=settings_forms.aliases_of(text("aliases")),
        staff_ids=staff_ids,
    )


def _fields_of(view: ServiceView | None) -> dict[str, object]:
    """The form's values of a stored service (or a new one's defaults)."""
    if view is None:
        return {"duration_minutes": "30", "buffer_before_minutes": "0",
                "buffer_after_minutes": "0", "staff_ids": []}  # fmt: skip
    return {
        "name": view.name,
        "duration_minutes": str(view.duration_minutes),
        "buffer_before_minutes": str(view.buffer_before_minutes),
        "buffer_after_minutes": str(view.buffer_after_minutes),
        "price": settings_forms.euro_text(view.price_cents),
        "aliases": "\n".join(view.aliases),
        "staff_ids": [str(s) for s in view.staff_ids],
    }


def _fields_from(form: FormData) -> dict[str, object]:
    fields: dict[str, object] = {k: v for k, v in form.items() if isinstance(v, str)}
    fields["staff_ids"] = [str(s) for s in form.getlist("staff_ids")]
    return fields


async def _list_context(
    uow: UnitOfWork, owner: Owner, branch: BranchSummary, fields: dict[str, object]
) -> dict[str, object]:
    staff = [s for s in await team.staff_members(uow, owner) if s.branch_id == branch.id]
    return {
        "branch": branch,
        "services": await services.services(uow, owner, branch.id),
        "staff": staff,
        "names": {s.id: s.name for s in staff},
        "euros": settings_forms.euro_text,
        "fields": fields,
        "errors": {},
    }


async def _edit_context(
    uow: UnitOfWork, owner: Owner, view: ServiceView, fields: dict[str, object]
) -> dict[str, object]:
    staff = [s for s in await team.staff_members(uow, owner) if s.branch_id == view.branch_id]
    return {"service": view, "staff": staff, "fields": fields, "errors": {}}
