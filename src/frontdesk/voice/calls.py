"""What a Retell call object becomes in the call log: checked before anything is written,
mapped to the values of the ``call`` row (text cleaned and cut to the column widths), under an
id every process derives the same way. The writes themselves are ``booking.call_log``'s.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from frontdesk import untrusted
from frontdesk.booking.call_log import CallRow, FunctionRecord
from frontdesk.domain import rules
from frontdesk.voice.functions.context import Reply
from frontdesk.voice.routing import Route

_DEFAULT_STATUS = {"call_started": "ongoing", "call_ended": "ended", "call_analyzed": "ended"}
# Column widths of the ``call`` table: longer strings from Retell are cut, not refused.
_WIDTHS = {
    "agent_id": 128,
    "direction": 16,
    "from_number": 32,
    "to_number": 32,
    "call_status": 32,
    "disconnection_reason": 64,
    "sentiment": 32,
}


# What a function request's ``call`` object may carry before anything is written: Retell's ids
# and numbers are short, its timestamps are milliseconds of this century.
_MAX_FIELD = 256
_CHECKED_TEXT = ("call_id", "agent_id", "direction", "from_number", "to_number", "call_status")
_CHECKED_MILLIS = ("start_timestamp", "end_timestamp")


def call_problem(call: Mapping[str, Any]) -> str | None:
    """Why the ``call`` object cannot be stored as it is (which field), or ``None``.

    Checked before a function runs, so a request that would fail while logging (after a
    booking was committed) is refused before anything is written.
    """
    for key in _CHECKED_TEXT:
        value = call.get(key)
        if isinstance(value, str) and not _storable(
            value, rules.MAX_CALL_ID if key == "call_id" else _MAX_FIELD
        ):
            return f"call.{key} is too long or not text"
    for key in _CHECKED_MILLIS:
        value = call.get(key)
        if value is not None and rules.epoch_millis(value) is None:
            return f"call.{key} is not a time of this century in milliseconds"
    return None


def _storable(text: str, limit: int) -> bool:
    """Fits ``limit`` characters, encodes as UTF-8 (no lone surrogates) and has no NUL."""
    if len(text) > limit or "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


# Our call ids derive from tenant and Retell call id: every process knows a call's id without
# asking the database (ADR 0008). A Retell id claimed by another tenant derives another id.
_CALL_NAMESPACE = uuid.UUID("5b7f0f0e-3c1a-4a6e-9d55-6a0d8c2e41f7")


def call_id_for(tenant_id: uuid.UUID, retell_call_id: str) -> uuid.UUID:
    """Our id of the tenant's call with this Retell id (the same in every process)."""
    return uuid.uuid5(_CALL_NAMESPACE, f"{tenant_id}:{retell_call_id}")


def call_row(route: Route, retell_call_id: str, call: Mapping[str, Any]) -> CallRow:
    """The ``call`` row a function request can create when no event has done so yet."""
    return {
        **_identity(route, retell_call_id),
        "call_status": "ongoing",
        "agent_id": _text(call, "agent_id"),
        "direction": _text(call, "direction"),
        "from_number": _text(call, "from_number"),
        "to_number": _text(call, "to_number"),
        "started_at": _millis(call, "start_timestamp"),
    }


def event_values(route: Route, event: str, call: Mapping[str, Any]) -> CallRow | None:
    """The ``call`` row values a call webhook carries (only those), or ``None`` without a
    Retell call id."""
    retell_call_id = _text(call, "call_id")
    if retell_call_id is None:
        return None
    return {**_identity(route, retell_call_id), **_event_fields(event, call)}


def _identity(route: Route, retell_call_id: str) -> CallRow:
    """The keys of the tenant's call with this Retell id."""
    return {
        "id": call_id_for(route.tenant_id, retell_call_id),
        "retell_call_id": retell_call_id,
        "tenant_id": route.tenant_id,
        "branch_id": route.branch_id,
    }


def _text(call: Mapping[str, Any], key: str, column: str | None = None) -> str | None:
    """The string at ``key``, cut to the width of ``column`` (default: the same name)."""
    value = call.get(key)
    if not isinstance(value, str) or not value:
        return None
    value = untrusted.text(value)
    width = _WIDTHS.get(column or key)
    return value[:width] if width else value


def _millis(call: Mapping[str, Any], key: str) -> datetime | None:
    return rules.epoch_millis(call.get(key))


def _event_fields(event: str, call: Mapping[str, Any]) -> dict[str, Any]:
    """The call columns this event's payload knows, and only those."""
    fields: dict[str, Any] = {
        key: _text(call, key)
        for key in ("agent_id", "direction", "from_number", "to_number", "disconnection_reason")
    }
    fields["call_status"] = _text(call, "call_status") or _DEFAULT_STATUS.get(event)
    fields["started_at"] = _millis(call, "start_timestamp")
    fields["ended_at"] = _millis(call, "end_timestamp")
    fields["duration_ms"] = rules.duration_millis(call.get("duration_ms"))
    transcript = call.get("transcript")
    if isinstance(transcript, str) and transcript:
        fields["transcript"] = transcript
    analysis = call.get("call_analysis")
    if isinstance(analysis, dict) and analysis:
        fields["analysis"] = analysis
        fields["summary"] = (
            analysis.get("call_summary") if isinstance(analysis.get("call_summary"), str) else None
        )
        fields["sentiment"] = _text(analysis, "user_sentiment", "sentiment")
        successful = analysis.get("call_successful")
        fields["successful"] = successful if isinstance(successful, bool) else None
    return {key: value for key, value in fields.items() if value is not None}


def function_record(
    name: str, args: Mapping[str, Any], reply: Reply, latency_ms: int, answered_at: datetime
) -> FunctionRecord:
    """The call-log record of one function's answer."""
    return FunctionRecord(
        name=name,
        arguments=dict(args),
        status=reply.status,
        latency_ms=latency_ms,
        error=reply.data.get("reason") if reply.status == "error" else None,
        answer=reply.message,
        links=reply.links,
        customer_id=reply.customer_id,
        answered_at=answered_at,
    )
