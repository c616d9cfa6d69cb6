"""The exported agent: valid for retell-sdk, the five functions wired to BASE_URL, a prompt that
uses exactly the inbound webhook's variables, German by default and English for "en" tenants."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from retell.types.agent_create_params import AgentCreateParams
from retell.types.agent_update_params import AgentUpdateParams
from retell.types.llm_create_params import LlmCreateParams
from retell.types.llm_update_params import LlmUpdateParams
from tests.retell_support import BASE_URL, ENGLISH, SALON, type_errors

from frontdesk.voice import agent
from frontdesk.voice.names import FUNCTION_NAMES
from frontdesk.voice.variables import VARIABLE_NAMES, DynamicVariable

VARIABLE = re.compile(r"{{\s*([^{}]+?)\s*}}")


def export(profile: agent.AgentProfile = SALON) -> dict[str, Any]:
    config = agent.export_config(profile, BASE_URL, voice_id=agent.DEFAULT_VOICE_ID)
    # What the CLI prints, read back: the shape must survive JSON.
    loaded: dict[str, Any] = json.loads(json.dumps(config, ensure_ascii=False))
    return loaded


def custom_tools(config: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {t["name"]: t for t in config["llm"]["general_tools"] if t["type"] == "custom"}


@pytest.mark.parametrize("profile", [SALON, ENGLISH], ids=["de", "en"])
def test_llm_fits_the_sdk_create_and_update_types(profile: agent.AgentProfile) -> None:
    llm = export(profile)["llm"]
    assert type_errors(llm, LlmCreateParams) == []
    assert type_errors(llm, LlmUpdateParams) == []


def test_agent_fits_the_sdk_types_once_the_llm_is_known() -> None:
    settings = export()["agent"]
    assert type_errors(settings, AgentUpdateParams) == []
    engine = {"type": "retell-llm", "llm_id": "llm_1"}
    assert type_errors({**settings, "response_engine": engine}, AgentCreateParams) == []
    assert "response_engine" not in settings


def test_the_strict_check_catches_what_retell_would_reject() -> None:
    """The check above is not vacuous: a misspelt field, a wrong literal and a missing url fail."""
    llm = export()["llm"]
    tool = dict(custom_tools(export())["check_availability"])
    assert type_errors({**llm, "start_speker": "agent"}, LlmCreateParams)
    assert type_errors({**llm, "start_speaker": "caller"}, LlmCreateParams)
    del tool["url"]
    assert type_errors({**llm, "general_tools": [tool]}, LlmCreateParams)


def test_all_five_functions_post_to_base_url_with_8s_timeout_and_a_filler() -> None:
    tools = custom_tools(export())
    assert (
        set(tools)
        == set(FUNCTION_NAMES)
        == {
            "check_availability",
            "book_appointment",
            "find_appointments",
            "cancel_appointment",
            "reschedule_appointment",
        }
    )
    for name, tool in tools.items():
        assert tool["url"] == f"https://frontdesk.example.de/retell/functions/{name}"
        assert tool["method"] == "POST"
        assert tool["timeout_ms"] == 8000
        assert tool["args_at_root"] is False  # the backend reads the wrapper's call object
        assert tool["speak_during_execution"] is True
        assert tool["speak_after_execution"] is True
        assert tool["execution_message_type"] == "static_text"
        assert tool["execution_message_description"].startswith("Einen Moment")


def test_function_parameters_are_json_schema_objects_of_strings() -> None:
    tools = custom_tools(export())
    for tool in tools.values():
        schema = tool["parameters"]
        assert schema["type"] == "object"
        for prop in schema["properties"].values():
            assert prop["type"] == "string"
            assert prop["description"]
        assert set(schema.get("required", [])) <= set(schema["properties"])
    assert set(tools["check_availability"]["parameters"]["properties"]) == {
        "service",
        "date",
        "time",
        "staff",
    }
    assert set(tools["book_appointment"]["parameters"]["properties"]) == {
        "slot_id",
        "service",
        "date",
        "time",
        "customer_name",
        "staff",
        "notes",
        "email",
        "sms_consent",
    }
    assert tools["find_appointments"]["parameters"]["properties"] == {}
    assert set(tools["cancel_appointment"]["parameters"]["properties"]) == {
        "appointment_id",
        "date",
        "accept_fee",
        "reason",
    }
    assert set(tools["reschedule_appointment"]["parameters"]["properties"]) == {
        "appointment_id",
        "old_date",
        "slot_id",
        "new_date",
        "new_time",
    }
    required = {name: tool["parameters"].get("required") for name, tool in tools.items()}
    assert {name: r for name, r in required.items() if r} == {"check_availability": ["service"]}


def test_english_tools_have_the_same_parameters_as_german_ones() -> None:
    german, english = custom_tools(export(SALON)), custom_tools(export(ENGLISH))
    for name in FUNCTION_NAMES:
        de, en = german[name]["parameters"], english[name]["parameters"]
        assert list(de["properties"]) == list(en["properties"])
        assert de.get("required") == en.get("required")
    assert all(
        t["execution_message_description"].startswith("One moment") for t in english.values()
    )


@pytest.mark.parametrize("profile", [SALON, ENGLISH], ids=["de", "en"])
def test_prompt_uses_every_inbound_variable_and_no_other(profile: agent.AgentProfile) -> None:
    llm = export(profile)["llm"]
    used = set(VARIABLE.findall(llm["general_prompt"])) | set(
        VARIABLE.findall(llm["begin_message"])
    )
    assert used == VARIABLE_NAMES
    descriptions = json.dumps(llm["general_tools"])
    assert set(VARIABLE.findall(descriptions)) <= VARIABLE_NAMES
    assert "[[" not in llm["general_prompt"]  # every Jinja placeholder was rendered


def test_every_variable_has_a_string_fallback() -> None:
    defaults = export()["llm"]["default_dynamic_variables"]
    assert set(defaults) == VARIABLE_NAMES
    assert all(isinstance(value, str) for value in defaults.values())
    assert defaults[DynamicVariable.BUSINESS_NAME] == "Salon Sonnenschein"
    assert defaults[DynamicVariable.CALLER_KNOWN] == "false"
    assert defaults[DynamicVariable.SERVICES_LIST] == "Damenhaarschnitt, Herrenhaarschnitt, Färben"


def test_prompt_names_only_tools_the_llm_has() -> None:
    llm = export()["llm"]
    names = {tool["name"] for tool in llm["general_tools"]}
    # Status values are quoted ("no_availability"); tool names are not.
    tool_like = r"(?<![\"\w])[a-z]+_(?:appointments?|availability|call)\b(?!\")"
    mentioned = set(re.findall(tool_like, llm["general_prompt"]))
    assert mentioned == names


def test_german_prompt_carries_the_booking_rules() -> None:
    config = export()
    prompt = config["llm"]["general_prompt"]
    assert "Du bist die Telefonrezeption" in prompt
    # Known caller: greeted by name, never asked for it (prior-art §5, the 144-second call).
    assert 'Ist {{caller_known}} "true": sprich den Anrufer mit {{caller_name}} an' in prompt
    assert "Frag NIE nach dem Namen" in prompt
    # Dates are passed through as said, never computed.
    assert "übermorgen" in prompt
    assert "Rechne nie selbst ein Datum aus" in prompt
    assert "einmal pro Wunsch" in prompt
    assert '"available" oder "options"' in prompt
    assert '"unavailable" oder "slot_taken"' in prompt
    assert '"fee_applies"' in prompt
    assert "accept_fee" in prompt
    assert '"needs_clarification"' in prompt
    assert "mit der slot_id" in prompt
    assert "genau einmal vor" in prompt
    assert "Sprich die message so, wie sie kommt" in prompt
    assert "Sprich nie interne Kennungen" in prompt
    assert config["llm"]["begin_message"].startswith("{{business_name}}, guten Tag {{caller_name}}")
    assert config["llm"]["start_speaker"] == "agent"


def test_english_tenant_gets_an_english_prompt_and_agent() -> None:
    config = export(ENGLISH)
    prompt = config["llm"]["general_prompt"]
    assert "You are the phone receptionist" in prompt
    assert "NEVER ask for the name" in prompt
    assert "Termin" not in prompt
    assert config["llm"]["begin_message"].startswith("{{business_name}}, hello")
    assert config["agent"]["language"] == "en-US"
    assert config["agent"]["timezone"] == "Europe/London"


def test_agent_settings_for_a_german_salon() -> None:
    settings = export()["agent"]
    assert settings["agent_name"] == "frontdesk:salon-sonnenschein"
    assert settings["language"] == "de-DE"
    assert settings["timezone"] == "Europe/Berlin"
    assert settings["voice_id"] == agent.DEFAULT_VOICE_ID
    assert settings["webhook_url"] == "https://frontdesk.example.de/retell/events"
    assert settings["boosted_keywords"] == [
        "Damenhaarschnitt",
        "Herrenhaarschnitt",
        "Färben",
        "Anna Becker",
        "Jonas Weber",
    ]


def test_end_call_is_offered_so_the_agent_can_hang_up() -> None:
    tools = export()["llm"]["general_tools"]
    assert [t["name"] for t in tools if t["type"] == "end_call"] == ["end_call"]
