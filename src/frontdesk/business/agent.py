"""The tenant's phone agent: its configuration as exported (to look at or paste into Retell)
and pushed to Retell with the tenant's own key, else the installation's — the same code as
``frontdesk agent export|push`` (voice/agent/). A push is audited; an export changes nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from pydantic import SecretStr
from retell import Retell

from frontdesk.booking.queries import Queries
from frontdesk.booking.unit_of_work import UnitOfWork
from frontdesk.business.owner import Owner, record
from frontdesk.business.retell import tenant_of
from frontdesk.domain.errors import InvalidSetting, SettingNotFound
from frontdesk.voice.agent import AgentProfile, PushResult, export_config, load_profile, push


async def agent_profile(
    uow: UnitOfWork, owner: Owner, secret_key: SecretStr | None
) -> AgentProfile:
    """The tenant facts the agent is built from (its own Retell key opened, never shown)."""
    async with uow.reading() as session:
        slug = (await tenant_of(session, owner)).slug
    profile = await load_profile(Queries(uow.sessions, secret_key), slug)
    if profile is None:
        raise SettingNotFound(f"no tenant {owner.tenant_id}", "Diesen Betrieb gibt es nicht.")
    return profile


async def export_agent(
    uow: UnitOfWork, owner: Owner, base_url: str, *, voice_id: str, secret_key: SecretStr | None
) -> dict[str, Any]:
    """The Retell LLM and agent settings as JSON (no key in them)."""
    return export_config(await agent_profile(uow, owner, secret_key), base_url, voice_id=voice_id)


async def push_agent(
    uow: UnitOfWork,
    owner: Owner,
    make_client: Callable[[str], Retell],
    base_url: str,
    *,
    fallback_key: SecretStr | None,
    secret_key: SecretStr | None,
    voice_id: str | None = None,
    publish: bool = False,
) -> PushResult:
    """Create or update the tenant's agent in Retell (``AgentPushError``/``RetellError`` when
    Retell refuses), then audit the ids. ``make_client`` builds a client for a key."""
    profile = await agent_profile(uow, owner, secret_key)
    key = profile.retell_api_key or (fallback_key.get_secret_value() if fallback_key else None)
    if not key:
        raise InvalidSetting(
            "no Retell API key",
            "Es ist kein Retell-API-Schlüssel hinterlegt.",
            "retell_api_key",
        )
    # The Retell SDK is synchronous: off the event loop, so other requests go on meanwhile.
    result = await asyncio.to_thread(
        push, make_client(key), profile, base_url, voice_id=voice_id, publish=publish
    )
    async with uow.writing() as session:
        after = {
            "agent_id": result.agent_id,
            "llm_id": result.llm_id,
            "created": result.created,
            "published_version": result.published_version,
        }
        await record(uow, session, owner, "agent.push", ("tenant", owner.tenant_id), None, after)
        await uow.commit(session)
    return result
