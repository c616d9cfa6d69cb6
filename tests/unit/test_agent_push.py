"""``push`` against a local fake of the Retell API, through the real retell-sdk client."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from retell import AuthenticationError, BadRequestError, Retell
from retell.types.agent_create_params import AgentCreateParams
from retell.types.agent_update_params import AgentUpdateParams
from retell.types.llm_create_params import LlmCreateParams
from retell.types.llm_update_params import LlmUpdateParams
from tests.retell_support import BASE_URL, ENGLISH, SALON, FakeRetell, type_errors

from frontdesk.voice import agent

KEY = "key_test_retell"


@pytest.fixture
def retell() -> Iterator[FakeRetell]:
    with FakeRetell(api_key=KEY).serve() as fake:
        yield fake


@pytest.fixture
def client(retell: FakeRetell) -> Iterator[Retell]:
    with Retell(api_key=KEY, base_url=retell.base_url, max_retries=0) as sdk:
        yield sdk


def test_first_push_creates_second_updates_without_duplicates(
    retell: FakeRetell, client: Retell
) -> None:
    first = agent.push(client, SALON, BASE_URL, voice_id=None)
    assert first.created
    assert list(retell.llms) == [first.llm_id]
    assert list(retell.agents) == [first.agent_id]

    second = agent.push(client, SALON, BASE_URL, voice_id=None)
    assert not second.created
    assert (second.llm_id, second.agent_id) == (first.llm_id, first.agent_id)
    assert len(retell.llms) == len(retell.agents) == 1
    assert len(retell.calls("POST", "/create-")) == 2  # one LLM, one agent, both on the first push
    assert len(retell.calls("PATCH", "/update-retell-llm/")) == 1


def test_every_request_carries_the_bearer_key(retell: FakeRetell, client: Retell) -> None:
    agent.push(client, SALON, BASE_URL, voice_id=None)
    agent.push(client, SALON, BASE_URL, voice_id=None)
    assert retell.requests
    assert {r.authorization for r in retell.requests} == {f"Bearer {KEY}"}


def test_what_was_sent_fits_the_sdk_request_types(retell: FakeRetell, client: Retell) -> None:
    agent.push(client, SALON, BASE_URL, voice_id=None)
    agent.push(client, SALON, BASE_URL, voice_id=None)
    expected = {
        ("POST", "/create-retell-llm"): LlmCreateParams,
        ("PATCH", "/update-retell-llm/"): LlmUpdateParams,
        ("POST", "/create-agent"): AgentCreateParams,
        ("PATCH", "/update-agent/"): AgentUpdateParams,
    }
    for (method, prefix), params in expected.items():
        sent = retell.calls(method, prefix)
        assert sent, (method, prefix)
        for request in sent:
            assert type_errors(request.body, params) == [], request.path


def test_the_stored_configuration_is_the_exported_one(retell: FakeRetell, client: Retell) -> None:
    result = agent.push(client, SALON, BASE_URL, voice_id=None)
    exported = agent.export_config(SALON, BASE_URL, voice_id=agent.DEFAULT_VOICE_ID)
    stored_llm = retell.llms[result.llm_id]
    for key, value in exported["llm"].items():
        assert stored_llm[key] == value, key
    stored_agent = retell.agents[result.agent_id]
    for key, value in exported["agent"].items():
        assert stored_agent[key] == value, key
    assert stored_agent["response_engine"] == {"type": "retell-llm", "llm_id": result.llm_id}


def test_an_update_replaces_prompt_and_tools(retell: FakeRetell, client: Retell) -> None:
    """A tenant switching to English gets the English prompt on the same LLM."""
    first = agent.push(client, SALON, BASE_URL, voice_id=None)
    english_salon = agent.AgentProfile(
        slug=SALON.slug, name=SALON.name, locale="en-GB", timezone=SALON.timezone
    )
    agent.push(client, english_salon, "https://new.example", voice_id=None)
    llm = retell.llms[first.llm_id]
    assert llm["general_prompt"].startswith("## Role")
    assert all(
        tool["url"].startswith("https://new.example/retell/functions/")
        for tool in llm["general_tools"]
        if tool["type"] == "custom"
    )
    assert retell.agents[first.agent_id]["language"] == "en-US"


def test_voice_is_set_on_create_and_kept_on_update_unless_given(
    retell: FakeRetell, client: Retell
) -> None:
    result = agent.push(client, SALON, BASE_URL, voice_id=None)
    assert retell.agents[result.agent_id]["voice_id"] == agent.DEFAULT_VOICE_ID
    retell.agents[result.agent_id]["voice_id"] = "chosen-in-dashboard"
    agent.push(client, SALON, BASE_URL, voice_id=None)
    assert retell.agents[result.agent_id]["voice_id"] == "chosen-in-dashboard"
    agent.push(client, SALON, BASE_URL, voice_id="11labs-Other")
    assert retell.agents[result.agent_id]["voice_id"] == "11labs-Other"


def test_tenants_get_their_own_agents(retell: FakeRetell, client: Retell) -> None:
    """ "frontdesk:sunshine" is a substring search hit for neither tenant's exact name."""
    salon = agent.push(client, SALON, BASE_URL, voice_id=None)
    sunshine = agent.push(client, ENGLISH, BASE_URL, voice_id=None)
    longer = agent.AgentProfile(
        slug="salon-sonnenschein-2", name="Zweig", locale="de-DE", timezone="Europe/Berlin"
    )
    other = agent.push(client, longer, BASE_URL, voice_id=None)
    assert len({salon.agent_id, sunshine.agent_id, other.agent_id}) == 3
    assert not agent.push(client, SALON, BASE_URL, voice_id=None).created
    assert len(retell.agents) == 3


def test_lookup_follows_pagination(retell: FakeRetell, client: Retell) -> None:
    for number in range(120):
        retell.agents[f"agent_x{number}"] = {
            "agent_id": f"agent_x{number}",
            "agent_name": f"frontdesk:salon-sonnenschein-filler-{number}",
            "last_modification_timestamp": 0,
        }
    created = agent.push(client, SALON, BASE_URL, voice_id=None)
    assert not agent.push(client, SALON, BASE_URL, voice_id=None).created
    assert agent.find_agent(client, SALON.agent_name) == created.agent_id
    assert any(r.query.get("pagination_key") for r in retell.calls("POST", "/v2/list-agents"))


def test_two_agents_with_the_tenants_name_stop_the_push(retell: FakeRetell, client: Retell) -> None:
    agent.push(client, SALON, BASE_URL, voice_id=None)
    retell.agents["agent_copy"] = {
        "agent_id": "agent_copy",
        "agent_name": SALON.agent_name,
        "last_modification_timestamp": 0,
    }
    with pytest.raises(agent.AgentPushError, match="2 Retell agents"):
        agent.push(client, SALON, BASE_URL, voice_id=None)


def test_an_agent_on_another_engine_is_not_taken_over(retell: FakeRetell, client: Retell) -> None:
    retell.agents["agent_flow"] = {
        "agent_id": "agent_flow",
        "agent_name": SALON.agent_name,
        "voice_id": "v",
        "response_engine": {"type": "conversation-flow", "conversation_flow_id": "cf_1"},
        "last_modification_timestamp": 0,
        "version": 0,
    }
    with pytest.raises(agent.AgentPushError, match="conversation-flow"):
        agent.push(client, SALON, BASE_URL, voice_id=None)
    assert retell.llms == {}


def test_a_failed_agent_create_removes_the_new_llm(retell: FakeRetell, client: Retell) -> None:
    retell.fail_agent_create = True
    with pytest.raises(BadRequestError, match="voice not found"):
        agent.push(client, SALON, BASE_URL, voice_id="no-such-voice")
    assert retell.llms == {}
    assert retell.agents == {}


def test_a_wrong_key_is_refused(retell: FakeRetell) -> None:
    with (
        Retell(api_key="wrong", base_url=retell.base_url, max_retries=0) as sdk,
        pytest.raises(AuthenticationError, match="Invalid API key"),
    ):
        agent.push(sdk, SALON, BASE_URL, voice_id=None)
    assert retell.llms == {}


def test_publish_publishes_the_updated_draft(retell: FakeRetell, client: Retell) -> None:
    plain = agent.push(client, SALON, BASE_URL, voice_id=None)
    assert plain.published_version is None
    assert retell.calls("POST", "/publish-agent-version/") == []
    first = agent.push(client, SALON, BASE_URL, voice_id=None, publish=True)
    second = agent.push(client, SALON, BASE_URL, voice_id=None, publish=True)
    assert (first.published_version, second.published_version) == (0, 1)
    assert retell.published[first.agent_id] == [0, 1]
