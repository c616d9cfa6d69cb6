"""The Retell agent as code: system prompt, begin message and tools, built from the database.

``frontdesk agent export`` prints what :func:`export_config` returns; ``frontdesk agent push``
sends the same configuration to Retell with :func:`push`. The dictionaries are typed with the
``retell-sdk`` request types (``LlmCreateParams``, ``AgentUpdateParams``), so mypy checks every
field name and literal against the SDK, and the tests check the built values at run time too.

The prompt follows DESIGN §1 principle 2 ("one turn, one answer") and the lessons of the old
system's 144-second call (reference/prior-art.md §5): a known caller is greeted by name and never
asked for it, one availability answer doubles as the booking offer, the date is read back once,
and the model never computes dates — it passes "übermorgen" through and speaks what the backend
resolved. The prompt texts live in ``prompts/*.md.j2``; see docs/agent.md for how to change them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from jinja2 import Environment, PackageLoader, StrictUndefined
from retell import Retell, omit
from retell.types.agent_response import ResponseEngineResponseEngineRetellLm
from retell.types.agent_update_params import AgentUpdateParams
from retell.types.llm_create_params import (
    GeneralTool,
    GeneralToolCustomTool,
    GeneralToolCustomToolParameters,
    GeneralToolEndCallTool,
    LlmCreateParams,
)
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.db.repositories import catalog, tenants
from frontdesk.voice.names import (
    BOOK_APPOINTMENT,
    CANCEL_APPOINTMENT,
    CHECK_AVAILABILITY,
    FIND_APPOINTMENTS,
    FUNCTION_NAMES,
    RESCHEDULE_APPOINTMENT,
    WEBHOOK_EVENTS,
)
from frontdesk.voice.variables import DynamicVariable

# The five voice functions of DESIGN §4, POSTed to {BASE_URL}/retell/functions/{name}.
END_CALL: Final = "end_call"

# Long enough for a booking that waits on a database lock, short enough that a dead backend
# surfaces as an apology within seconds instead of Retell's default two minutes of silence.
FUNCTION_TIMEOUT_MS: Final = 8000
# Retell's retry would repeat the whole timeout while the caller listens to silence; the
# functions are idempotent, but a quick apology beats a 16-second pause.
FUNCTION_MAX_RETRY: Final = 0

# Cal.ai's default voice; operators pick a native German voice in the dashboard or with
# --voice-id, and a later push keeps whatever voice the agent has unless --voice-id is given.
DEFAULT_VOICE_ID: Final = "11labs-Adrian"
AGENT_NAME_PREFIX: Final = "frontdesk:"

# Only parameters the model can fill from what the caller said; everything else (caller number,
# call id, tenant) comes from the signed request's ``call`` object, never from the model.
_REQUIRED_PARAMETERS: Final[Mapping[str, tuple[str, ...]]] = {CHECK_AVAILABILITY: ("service",)}


@dataclass(frozen=True, slots=True)
class _ToolText:
    description: str
    filler: str
    parameters: Mapping[str, str]
    """Parameter name → description; the order is the order the model sees."""


@dataclass(frozen=True, slots=True)
class _Texts:
    """Everything the agent says or reads in one language."""

    template: str
    begin_message: str
    tools: Mapping[str, _ToolText]
    end_call: str


_GERMAN = _Texts(
    template="system_de.md.j2",
    # An unknown caller's empty name leaves "guten Tag !", which the voice speaks as "guten Tag!".
    begin_message="{{business_name}}, guten Tag {{caller_name}}! Wie kann ich Ihnen helfen?",
    tools={
        CHECK_AVAILABILITY: _ToolText(
            description=(
                "Prüft freie Termine für eine Leistung. Einmal pro Terminwunsch aufrufen. Das "
                "Ergebnis enthält status, message und slots (je slot_id und spoken)."
            ),
            filler="Einen Moment, ich schaue in den Kalender.",
            parameters={
                "service": "Gewünschte Leistung in den Worten des Anrufers, z. B. 'Herrenschnitt'.",
                "date": (
                    "Wunschtag so, wie der Anrufer ihn sagt ('morgen', 'übermorgen', 'nächsten "
                    "Dienstag', '12. Mai'), oder ein ISO-Datum. Nicht umrechnen. Weglassen, wenn "
                    "kein Tag genannt wurde."
                ),
                "time": (
                    "Wunschzeit so, wie der Anrufer sie sagt ('halb drei', '14 Uhr', "
                    "'nachmittags'). Weglassen, wenn keine genannt wurde."
                ),
                "staff": "Gewünschte Mitarbeiterin oder gewünschter Mitarbeiter, nur wenn genannt.",
            },
        ),
        BOOK_APPOINTMENT: _ToolText(
            description=(
                "Bucht den Termin, den der Anrufer angenommen hat. Nur nach seinem Ja aufrufen, "
                "mit der slot_id aus check_availability."
            ),
            filler="Einen Moment, ich trage den Termin ein.",
            parameters={
                "slot_id": "slot_id des angenommenen Termins aus dem letzten Ergebnis.",
                "service": "Nur ohne slot_id: die Leistung.",
                "date": "Nur ohne slot_id: der Tag, wie der Anrufer ihn sagt.",
                "time": "Nur ohne slot_id: die Uhrzeit, wie der Anrufer sie sagt.",
                "customer_name": (
                    "Vor- und Nachname des Anrufers. Nur bei unbekannten Anrufern, sonst weglassen."
                ),
                "staff": "Gewünschte Mitarbeiterin oder gewünschter Mitarbeiter, nur wenn genannt.",
                "notes": "Kurze Notiz des Anrufers zum Termin, nur wenn er eine nennt.",
                "email": "E-Mail-Adresse, nur wenn der Anrufer sie von sich aus nennt.",
            },
        ),
        FIND_APPOINTMENTS: _ToolText(
            description=(
                "Findet die kommenden Termine des Anrufers über seine Rufnummer. Für Auskunft, "
                "Absage oder Verschiebung."
            ),
            filler="Einen Moment, ich suche Ihre Termine heraus.",
            parameters={},
        ),
        CANCEL_APPOINTMENT: _ToolText(
            description="Sagt einen Termin des Anrufers ab. Nur nach seinem Ja aufrufen.",
            filler="Einen Moment, ich sage den Termin ab.",
            parameters={
                "appointment_id": "appointment_id aus find_appointments, wenn bekannt.",
                "date": "Ohne appointment_id: der Tag des Termins, wie der Anrufer ihn nennt.",
                "accept_fee": (
                    "'true' nur, wenn der Anrufer nach status fee_applies der Gebühr zustimmt."
                ),
                "reason": "Grund der Absage, nur wenn der Anrufer einen nennt.",
            },
        ),
        RESCHEDULE_APPOINTMENT: _ToolText(
            description=(
                "Verlegt einen Termin des Anrufers auf einen geprüften neuen Termin. Nur nach "
                "seinem Ja aufrufen."
            ),
            filler="Einen Moment, ich verlege den Termin.",
            parameters={
                "appointment_id": "appointment_id des Termins aus find_appointments.",
                "old_date": "Ohne appointment_id: der bisherige Tag, wie der Anrufer ihn nennt.",
                "slot_id": "slot_id des neuen Termins aus check_availability.",
                "new_date": "Nur ohne slot_id: der neue Tag, wie der Anrufer ihn sagt.",
                "new_time": "Nur ohne slot_id: die neue Uhrzeit, wie der Anrufer sie sagt.",
            },
        ),
    },
    end_call="Beendet das Gespräch, nachdem du dich verabschiedet hast.",
)

_ENGLISH = _Texts(
    template="system_en.md.j2",
    begin_message="{{business_name}}, hello {{caller_name}}! How can I help you?",
    tools={
        CHECK_AVAILABILITY: _ToolText(
            description=(
                "Checks free slots for a service. Call once per request. The result has status, "
                "message and slots (each with slot_id and spoken)."
            ),
            filler="One moment, let me check the calendar.",
            parameters={
                "service": "The service in the caller's words, e.g. 'men's haircut'.",
                "date": (
                    "The day as the caller says it ('tomorrow', 'the day after tomorrow', 'next "
                    "Tuesday', '12 May'), or an ISO date. Do not convert. Leave out if no day "
                    "was mentioned."
                ),
                "time": (
                    "The time as the caller says it ('half past two', '2 pm', 'afternoon'). "
                    "Leave out if none was mentioned."
                ),
                "staff": "The preferred staff member, only if mentioned.",
            },
        ),
        BOOK_APPOINTMENT: _ToolText(
            description=(
                "Books the slot the caller accepted. Call only after their yes, with the slot_id "
                "from check_availability."
            ),
            filler="One moment, I'm booking that for you.",
            parameters={
                "slot_id": "slot_id of the accepted slot from the last result.",
                "service": "Only without slot_id: the service.",
                "date": "Only without slot_id: the day as the caller says it.",
                "time": "Only without slot_id: the time as the caller says it.",
                "customer_name": (
                    "The caller's first and last name. Only for unknown callers, otherwise leave "
                    "out."
                ),
                "staff": "The preferred staff member, only if mentioned.",
                "notes": "A short note from the caller about the appointment, only if given.",
                "email": "Email address, only if the caller offers it.",
            },
        ),
        FIND_APPOINTMENTS: _ToolText(
            description=(
                "Finds the caller's upcoming appointments by their phone number. For questions, "
                "cancelling or moving."
            ),
            filler="One moment, let me look up your appointments.",
            parameters={},
        ),
        CANCEL_APPOINTMENT: _ToolText(
            description="Cancels one of the caller's appointments. Call only after their yes.",
            filler="One moment, I'm cancelling the appointment.",
            parameters={
                "appointment_id": "appointment_id from find_appointments, if known.",
                "date": "Without appointment_id: the day of the appointment as the caller says it.",
                "accept_fee": "'true' only if the caller accepts the fee after status fee_applies.",
                "reason": "Why the caller cancels, only if they say.",
            },
        ),
        RESCHEDULE_APPOINTMENT: _ToolText(
            description=(
                "Moves one of the caller's appointments to a checked new slot. Call only after "
                "their yes."
            ),
            filler="One moment, I'm moving the appointment.",
            parameters={
                "appointment_id": "appointment_id of the appointment from find_appointments.",
                "old_date": "Without appointment_id: the current day as the caller says it.",
                "slot_id": "slot_id of the new slot from check_availability.",
                "new_date": "Only without slot_id: the new day as the caller says it.",
                "new_time": "Only without slot_id: the new time as the caller says it.",
            },
        ),
    },
    end_call="Ends the call after you have said goodbye.",
)

# [[ ]] for Jinja so that Retell's own {{variable}} placeholders pass through untouched.
_PROMPTS = Environment(
    loader=PackageLoader("frontdesk.voice", "prompts"),
    variable_start_string="[[",
    variable_end_string="]]",
    undefined=StrictUndefined,
    autoescape=False,
    keep_trailing_newline=False,
)


@dataclass(frozen=True, slots=True)
class AgentProfile:
    """The tenant facts the agent configuration is built from."""

    slug: str
    name: str
    locale: str
    timezone: str
    services: tuple[str, ...] = ()
    staff: tuple[str, ...] = ()
    retell_api_key: str | None = field(default=None, repr=False)

    @property
    def is_english(self) -> bool:
        return self.locale.lower().startswith("en")

    @property
    def agent_name(self) -> str:
        """The name that finds this tenant's agent in Retell (there is no id column for it)."""
        return f"{AGENT_NAME_PREFIX}{self.slug}"


async def load_profile(session: AsyncSession, slug: str) -> AgentProfile | None:
    """The tenant with ``slug`` and its active service and staff names, or None."""
    tenant = await tenants.get_by_slug(session, slug)
    if tenant is None:
        return None
    services = await catalog.services_of_tenant(session, tenant.id)
    staff = await catalog.staff_of_tenant(session, tenant.id)
    return AgentProfile(
        slug=tenant.slug,
        name=tenant.name,
        locale=tenant.locale,
        timezone=tenant.timezone,
        services=_unique(service.name for service in services),
        staff=_unique(_full_name(member.first_name, member.last_name) for member in staff),
        retell_api_key=tenant.retell_api_key,
    )


def function_url(base_url: str, name: str) -> str:
    """Where Retell POSTs the function ``name`` (DESIGN §4)."""
    return f"{base_url.rstrip('/')}/retell/functions/{name}"


def build_llm(profile: AgentProfile, base_url: str) -> LlmCreateParams:
    """The Retell LLM: prompt, begin message, tools and per-call variable fallbacks."""
    texts = _texts(profile)
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
    template = _PROMPTS.get_template(_texts(profile).template)
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


def build_tools(texts: _Texts, base_url: str) -> list[GeneralTool]:
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


def _custom_tool(name: str, text: _ToolText, base_url: str) -> GeneralToolCustomTool:
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


def _texts(profile: AgentProfile) -> _Texts:
    return _ENGLISH if profile.is_english else _GERMAN


def _full_name(first: str, last: str) -> str:
    return f"{first} {last}".strip()


def _unique(names: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(name for name in names if name))
