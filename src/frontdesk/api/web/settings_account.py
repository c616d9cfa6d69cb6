"""The tenant-wide settings: ``/admin/settings/phone-numbers``, ``/admin/settings/retell-key``
(write-only: the page says only whether one is set), ``/admin/settings/agent`` (export as a
download, push to Retell) and ``/admin/settings/retention`` (days a transcript is kept)."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import SecretStr
from retell import Retell, RetellError

from frontdesk.api.web import settings_forms
from frontdesk.api.web.deps import ScheduleDep
from frontdesk.api.web.settings_deps import (
    OwnerDep,
    UowDep,
    form_of,
    found,
    id_of,
    refused,
    saved,
)
from frontdesk.api.web.settings_forms import FormProblem
from frontdesk.api.web.templating import render
from frontdesk.booking import retention
from frontdesk.business import agent, numbers, retell, team
from frontdesk.domain.errors import InvalidSetting
from frontdesk.settings import Settings
from frontdesk.voice.agent import DEFAULT_VOICE_ID, AgentPushError

router = APIRouter()


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.resources.settings
    return settings


# -- phone numbers ---------------------------------------------------------------------------


@router.get("/settings/phone-numbers", include_in_schema=False)
async def numbers_page(
    request: Request, owner: OwnerDep, uow: UowDep, schedule: ScheduleDep
) -> Response:
    context = {
        "numbers": await numbers.numbers(uow, owner),
        "branches": await schedule.branches(owner.tenant_id),
        "form": {},
        "errors": {},
    }
    return render(request, "settings_numbers.html", context)


@router.post("/settings/phone-numbers", include_in_schema=False)
async def add_number(
    request: Request, owner: OwnerDep, uow: UowDep, schedule: ScheduleDep
) -> Response:
    form = await form_of(request)
    try:
        branch_id = id_of(form.get("branch_id", ""))
        await found(numbers.add_number(uow, owner, branch_id, form.get("number", ""),
                                       form.get("label")))  # fmt: skip
    except InvalidSetting as refusal:
        context = {
            "numbers": await numbers.numbers(uow, owner),
            "branches": await schedule.branches(owner.tenant_id),
            "form": form,
        }
        status = refusal.status if refusal.status in (409, 422) else 422
        field = refusal.field if refusal.field in ("number", "label") else None
        return refused(request, "settings_numbers.html", context, field, refusal.message or "",
                       status)  # fmt: skip
    return saved("/admin/settings/phone-numbers")


@router.post("/settings/phone-numbers/{number_id}/delete", include_in_schema=False)
async def remove_number(number_id: str, owner: OwnerDep, uow: UowDep) -> Response:
    await found(numbers.remove_number(uow, owner, id_of(number_id)))
    return saved("/admin/settings/phone-numbers", "flash.settings_removed")


# -- the Retell key (write-only) -------------------------------------------------------------


@router.get("/settings/retell-key", include_in_schema=False)
async def retell_key_page(request: Request, owner: OwnerDep, uow: UowDep) -> Response:
    context = {"key": await retell.retell_key(uow, owner), "errors": {}}
    return render(request, "settings_retell.html", context)


@router.post("/settings/retell-key", include_in_schema=False)
async def set_retell_key(request: Request, owner: OwnerDep, uow: UowDep) -> Response:
    form = await form_of(request)
    try:
        await retell.set_retell_key(
            uow, owner, SecretStr(form.get("key", "")), _settings(request).secret_key
        )
    except InvalidSetting as refusal:
        # The typed key is never sent back: the field stays empty.
        context = {"key": await retell.retell_key(uow, owner)}
        return refused(request, "settings_retell.html", context, "key", refusal.message or "")
    return saved("/admin/settings/retell-key")


@router.post("/settings/retell-key/clear", include_in_schema=False)
async def clear_retell_key(owner: OwnerDep, uow: UowDep) -> Response:
    await retell.clear_retell_key(uow, owner)
    return saved("/admin/settings/retell-key", "flash.settings_removed")


# -- the agent -------------------------------------------------------------------------------


@router.get("/settings/agent", include_in_schema=False)
async def agent_page(request: Request, owner: OwnerDep, uow: UowDep) -> Response:
    profile = await agent.agent_profile(uow, owner, _settings(request).secret_key)
    context = {"profile": profile, "key": await retell.retell_key(uow, owner), "errors": {}}
    return render(request, "settings_agent.html", context)


@router.get("/settings/agent/export", include_in_schema=False)
async def agent_export(request: Request, owner: OwnerDep, uow: UowDep) -> Response:
    """The agent's Retell configuration as a JSON download (no key in it)."""
    settings = _settings(request)
    config = await agent.export_agent(
        uow, owner, settings.base_url, voice_id=DEFAULT_VOICE_ID, secret_key=settings.secret_key
    )
    body = json.dumps(config, ensure_ascii=False, indent=2)
    disposition = 'attachment; filename="frontdesk-agent.json"'
    return Response(body, media_type="application/json",
                    headers={"Content-Disposition": disposition})  # fmt: skip


@router.post("/settings/agent/push", include_in_schema=False)
async def agent_push(request: Request, owner: OwnerDep, uow: UowDep) -> Response:
    settings = _settings(request)
    clients: list[Retell] = []

    def make_client(key: str) -> Retell:
        clients.append(Retell(api_key=key))
        return clients[-1]

    try:
        await agent.push_agent(
            uow,
            owner,
            make_client,
            settings.base_url,
            fallback_key=settings.retell_api_key,
            secret_key=settings.secret_key,
        )
    except (InvalidSetting, AgentPushError, RetellError) as exc:
        profile = await agent.agent_profile(uow, owner, settings.secret_key)
        context = {"profile": profile, "key": await retell.retell_key(uow, owner)}
        message = exc.message if isinstance(exc, InvalidSetting) else None
        status = 502 if message is None else 422  # Retell's refusal: a gateway's failure
        text = message or "settings.push_failed"
        return refused(request, "settings_agent.html", context, "push", text, status)
    finally:
        for client in clients:  # the SDK's HTTP pool, closed as the CLI closes it
            client.close()
    return saved("/admin/settings/agent", "flash.agent_pushed")


# -- transcript retention --------------------------------------------------------------------


@router.get("/settings/retention", include_in_schema=False)
async def retention_page(request: Request, owner: OwnerDep, uow: UowDep) -> Response:
    days = await team.transcript_retention(uow, owner)
    return render(request, "settings_retention.html", {"days": str(days), "errors": {}})


@router.post("/settings/retention", include_in_schema=False)
async def set_retention(request: Request, owner: OwnerDep, uow: UowDep) -> Response:
    raw = (await form_of(request)).get("days", "")
    try:
        days = settings_forms.whole_number(raw, "days", "Die Aufbewahrungsdauer")
        if not retention.MIN_DAYS <= days <= retention.MAX_DAYS:
            raise FormProblem("days", "settings.retention_range")
    except FormProblem as problem:
        return refused(request, "settings_retention.html", {"days": raw}, "days", problem.message)
    await found(retention.set_transcript_retention(uow, owner.tenant_id, days, owner.actor))
    return saved("/admin/settings/retention")
