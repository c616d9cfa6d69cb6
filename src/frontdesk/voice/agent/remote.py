"""The agent in Retell: create it or update the one named for the tenant, optionally publish."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from retell import Retell, omit
from retell.types.agent_response import ResponseEngineResponseEngineRetellLm

from frontdesk.voice.agent.config import build_agent, build_llm
from frontdesk.voice.agent.profile import AgentProfile

# Cal.ai's default voice; operators pick a native German voice in the dashboard or with
# --voice-id, and a later push keeps whatever voice the agent has unless --voice-id is given.
DEFAULT_VOICE_ID: Final = "11labs-Adrian"


@dataclass(frozen=True, slots=True)
class PushResult:
    """What ``push`` did: the ids in Retell and whether they were new."""

    llm_id: str
    agent_id: str
    created: bool
    # The agent version published by this push (``publish=True``), else None.
    published_version: int | None = None


class AgentPushError(Exception):
    """Retell's state does not allow a safe create-or-update; the message says what to fix."""


def push(
    client: Retell,
    profile: AgentProfile,
    base_url: str,
    *,
    voice_id: str | None,
    publish: bool = False,
) -> PushResult:
    """Create the tenant's LLM and agent in Retell, or update the ones named for it.

    The agent is found by its name (``frontdesk:{slug}``) and the LLM through the agent's
    response engine, so nothing needs storing on our side and repeated pushes never duplicate.
    A new agent is created with the required fields only and then configured by the same update
    as every later push: one code path decides what the agent looks like. Updates change the
    agent's draft version; ``publish`` then publishes that draft, for phone numbers bound to a
    published version.
    """
    llm_params = build_llm(profile, base_url)
    agent_id = find_agent(client, profile.agent_name)
    if agent_id is None:
        llm_id = client.llm.create(**llm_params).llm_id
        agent_id = _create_agent(client, profile, llm_id, voice_id or DEFAULT_VOICE_ID)
        created = True
        voice_id = None  # just set by the create
    else:
        llm_id = _llm_of(client, agent_id)
        client.llm.update(llm_id, **llm_params)
        created = False
    draft = client.agent.update(
        agent_id, **build_agent(profile, base_url, voice_id=voice_id, llm_id=llm_id)
    )
    published = None
    if publish:
        version = draft.version if draft.version is not None else 0
        client.agent.publish(agent_id, version=version)
        published = version
    return PushResult(llm_id, agent_id, created, published)


def find_agent(client: Retell, name: str) -> str | None:
    """The id of the one voice agent called ``name``, or None; several is an error."""
    found: list[str] = []
    pagination_key: str | None = None
    while True:
        page = client.agent.list(
            filter_criteria={"query": name},
            limit=100,
            pagination_key=pagination_key or omit,
        )
        # The query is a substring search: "frontdesk:salon" also finds "frontdesk:salon-2".
        found += [
            item.agent_id
            for item in page.items
            if item.agent_name == name and item.channel == "voice" and item.agent_id not in found
        ]
        if not page.has_more or not page.pagination_key:
            break
        pagination_key = page.pagination_key
    if len(found) > 1:
        raise AgentPushError(
            f"{len(found)} Retell agents are named {name!r} ({', '.join(found)}); "
            "delete or rename all but one, then push again."
        )
    return found[0] if found else None


def _create_agent(client: Retell, profile: AgentProfile, llm_id: str, voice_id: str) -> str:
    try:
        agent = client.agent.create(
            agent_name=profile.agent_name,
            voice_id=voice_id,
            response_engine={"type": "retell-llm", "llm_id": llm_id},
        )
    except Exception:
        # An LLM no agent points to would be invisible to the next push, which finds LLMs
        # through the agent: remove it rather than leak one per failed attempt.
        client.llm.delete(llm_id)
        raise
    return agent.agent_id


def _llm_of(client: Retell, agent_id: str) -> str:
    engine = client.agent.retrieve(agent_id).response_engine
    if not isinstance(engine, ResponseEngineResponseEngineRetellLm):
        raise AgentPushError(
            f"Retell agent {agent_id} uses a {engine.type!r} response engine, not a Retell LLM; "
            "frontdesk manages only Retell LLM agents. Rename or delete it, then push again."
        )
    return engine.llm_id
