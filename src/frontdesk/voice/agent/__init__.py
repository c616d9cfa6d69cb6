"""The Retell agent as code: system prompt, begin message and tools, built from the database.

``frontdesk agent export`` prints what :func:`export_config` returns; ``frontdesk agent push``
sends the same configuration to Retell with :func:`push`. The dictionaries are typed with the
``retell-sdk`` request types (``LlmCreateParams``, ``AgentUpdateParams``), so mypy checks every
field name and literal against the SDK, and the tests check the built values at run time too.

The prompt follows DESIGN §1 principle 2 ("one turn, one answer") and the lessons of the old
system's 144-second call (reference/prior-art.md §5): a known caller is greeted by name and never
asked for it, one availability answer doubles as the booking offer, the date is read back once,
and the model never computes dates — it passes "übermorgen" through and speaks what the backend
resolved. The prompt texts live in ``voice/prompts/*.md.j2``; see docs/agent.md for how to change
them.

One job per module: ``texts`` (what the agent says, per language), ``profile`` (the tenant facts,
loaded through ``booking.queries``), ``config`` (the LLM and agent settings), ``remote`` (create
or update them in Retell).
"""

from frontdesk.voice.agent.config import (
    END_CALL,
    FUNCTION_MAX_RETRY,
    FUNCTION_TIMEOUT_MS,
    build_agent,
    build_llm,
    build_tools,
    default_variables,
    export_config,
    function_url,
    render_prompt,
)
from frontdesk.voice.agent.profile import AGENT_NAME_PREFIX, AgentProfile, load_profile
from frontdesk.voice.agent.remote import (
    DEFAULT_VOICE_ID,
    AgentPushError,
    PushResult,
    find_agent,
    push,
)

__all__ = [
    "AGENT_NAME_PREFIX",
    "DEFAULT_VOICE_ID",
    "END_CALL",
    "FUNCTION_MAX_RETRY",
    "FUNCTION_TIMEOUT_MS",
    "AgentProfile",
    "AgentPushError",
    "PushResult",
    "build_agent",
    "build_llm",
    "build_tools",
    "default_variables",
    "export_config",
    "find_agent",
    "function_url",
    "load_profile",
    "push",
    "render_prompt",
]
