"""The Retell LLM and agent settings of a tenant: prompt, begin message, tools, variables.

Typed with the ``retell-sdk`` request types (``LlmCreateParams``, ``AgentUpdateParams``), so
mypy checks every field name and literal against the SDK.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from jinja2 import Environment, PackageLoader, StrictUndefined
from retell.types.agent_update_params import AgentUpdateParams
from retell.types.llm_create_params import (
    GeneralTool,
    GeneralToolCustomTool,
    GeneralToolCustomToolParameters,
    GeneralToolEndCallTool,
    LlmCreateParams,
)

from frontdesk.voice.agent.profile import AgentProfile
from frontdesk.voice.agent.texts import Texts, ToolText, texts_for
from frontdesk.voice.names import CHECK_AVAILABILITY, FUNCTION_NAMES, WEBHOOK_EVENTS
from frontdesk.voice.variables import DynamicVariable

# The five voice functions of DESIGN §4, POSTed to {BASE_URL}/retell/functions/{name}.
END_CALL: Final = "end_call"

# Long enough for a booking that waits on a database lock, short enough that a dead backend
# surfaces as an apology within seconds instead of Retell's default two minutes of silence.
FUNCTION_TIMEOUT_MS: Final = 8000
# Retell's retry would repeat the whole timeout while the caller listens to silence; the
# functions are idempotent, but a quick apology beats a 16-second pause.
FUNCTION_MAX_RETRY: Final = 0

# Only parameters the model can fill from what the caller said; everything else (caller number,
# call id, tenant) comes from the signed request's ``call`` object, never from the model.
_REQUIRED_PARAMETERS: Final[Mapping[str, tuple[str, ...]]] = {CHECK_AVAILABILITY: ("service",)}

# [[ ]] for Jinja so that Retell's own {{variable}} placeholders pass through untouched.
_PROMPTS = Environment(
    loader=PackageLoader("frontdesk.voice", "prompts"),
    variable_start_string="[[",
    variable_end_string="]]",
    undefined=StrictUndefined,
    autoescape=False,
    keep_trailing_newline=False,
)


def function_url(base_url: str, name: str) -> str:
    """Where Retell POSTs the function ``name`` (DESIGN §4)."""
    return f"{base_url.rstrip('/')}/retell/functions/{name}"


def build_llm(profile: AgentProfile, base_url: str) -> LlmCreateParams:
    """The Retell LLM: prompt, begin message, tools and per-call variable fallbacks."""
    texts = texts_for(profile.is_english)
    return {
        "general_prompt": render_prompt(profile),
        "begin_message": texts.begin_message,
        "start_speaker": "agent",
        # Temperature 0: tool calls and read-backs should be the same on every call.
        "model_config": {"type": "cascading", "primary": {"model": "gpt-4.1"}, "temperature": 0.0},
        "default_dynamic_variables": default_variables(profile),
        "general_tools": build_tools(texts, base_url),
    }


def build_agent(
    profile: AgentProfile, base_url: str, *, voice_id: str | None, llm_id: str | None
) -> AgentUpdateParams:
    """The agent settings; ``voice_id``/``llm_id`` of None leave those fields out."""
    params: AgentUpdateParams = {
        "agent_name": profile.agent_name,
        "language": "en-US" if profile.is_english else "de-DE",
        # Retell's default is America/Los_Angeles; the tenant's zone makes its clock agree.
        "timezone": profile.timezone,
        "webhook_url": f"{base_url.rstrip('/')}/retell/events",
        "webhook_events": list(WEBHOOK_EVENTS),
        # Service and staff names are what the transcriber gets wrong most ("Balayage").
        "boosted_keywords": [*profile.services, *profile.staff],
    }
    if voice_id is not None:
        params["voice_id"] = voice_id
    if llm_id is not None:
        params["response_engine"] = {"type": "retell-llm", "llm_id": llm_id}
    return params


def export_config(profile: AgentProfile, base_url: str, *, voice_id: str) -> dict[str, Any]:
    """``{"llm": ..., "agent": ...}`` as ``frontdesk agent export`` prints it.

    The agent has no ``response_engine`` here: the LLM id exists only once Retell created it, and
    ``push`` fills it in.
    """
    return {
        "llm": build_llm(profile, base_url),
        "agent": build_agent(profile, base_url, voice_id=voice_id, llm_id=None),
    }


def render_prompt(profile: AgentProfile) -> str:
    """The system prompt in the tenant's language, with Retell's ``{{variables}}`` left in."""
    template = _PROMPTS.get_template(texts_for(profile.is_english).template)
    names = {name: name for name in (*FUNCTION_NAMES, END_CALL)}
    return template.render(**names).strip() + "\n"


def default_variables(profile: AgentProfile) -> dict[str, str]:
    """Fallbacks for calls that arrive without the inbound webhook's variables.

    Retell speaks a variable it does not know as the literal ``{{name}}``; when the inbound
    webhook is down the call still reaches the agent, so every variable gets a harmless default:
    the business as stored, an unknown caller, no dates (the backend resolves dates anyway).
    """
    fallbacks = dict.fromkeys((variable.value for variable in DynamicVariable), "")
    fallbacks[DynamicVariable.BUSINESS_NAME.value] = profile.name
    fallbacks[DynamicVariable.CALLER_KNOWN.value] = "false"
    fallbacks[DynamicVariable.SERVICES_LIST.value] = ", ".join(profile.services)
    return fallbacks


def build_tools(texts: Texts, base_url: str) -> list[GeneralTool]:
    """The five custom functions plus ``end_call``."""
    tools: list[GeneralTool] = [
        _custom_tool(name, texts.tools[name], base_url) for name in FUNCTION_NAMES
    ]
    end_call: GeneralToolEndCallTool = {
        "type": "end_call",
        "name": END_CALL,
        "description": texts.end_call,
    }
    tools.append(end_call)
    return tools


def _custom_tool(name: str, text: ToolText, base_url: str) -> GeneralToolCustomTool:
    parameters: GeneralToolCustomToolParameters = {
        "type": "object",
        "properties": {
            parameter: {"type": "string", "description": description}
            for parameter, description in text.parameters.items()
        },
    }
    required = _REQUIRED_PARAMETERS.get(name)
    if required:
        parameters["required"] = list(required)
    return {
        "type": "custom",
        "name": name,
        "description": text.description,
        "url": function_url(base_url, name),
        "method": "POST",
        # The backend needs the wrapper's ``call`` object (caller number, call id).
        "args_at_root": False,
        "parameters": parameters,
        "speak_during_execution": True,
        # Spoken verbatim: no extra LLM pass for the filler, and it sounds the same every time.
        "execution_message_type": "static_text",
        "execution_message_description": text.filler,
        "speak_after_execution": True,
        "timeout_ms": FUNCTION_TIMEOUT_MS,
        "max_retry": FUNCTION_MAX_RETRY,
    }
