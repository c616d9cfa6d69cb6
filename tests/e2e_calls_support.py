"""A phone call for the browser tests, as Retell makes it: signed events and a signed function
call to the e2e server (whose clock stands at the suite's START), so the call, its function log
and its booking are written by the same code as in production."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from tests.clock_support import START
from tests.e2e_support import post_signed

from frontdesk import demo

# The e2e server's voice deadline: what a call shows is tested here, not the agent's speed.
VOICE_DEADLINE_S = 30.0
CALLER = "+4917612349876"
CALLER_NAME = "Greta Neumann"
TRANSCRIPT = (
    "Agent: Salon Sonnenschein, guten Tag, was kann ich für Sie tun?\n"
    "User: Ich hätte gern morgen um zehn einen Herrenhaarschnitt für Greta Neumann.\n"
    "Agent: Gern, Ihr Termin ist gebucht."
)
SUMMARY = "Die Anruferin hat für morgen 10 Uhr einen Herrenhaarschnitt gebucht."


def _post(base_url: str, path: str, payload: dict[str, Any]) -> httpx.Response:
    return post_signed(base_url, path, payload, START)


def simulate_booking_call(base_url: str, call_id: str = "call_e2e") -> dict[str, Any]:
    """A call that books tomorrow 10:00: started, book_appointment, ended, analysed."""
    began = int((START - timedelta(minutes=3)).timestamp() * 1000)
    call: dict[str, Any] = {
        "call_id": call_id,
        "to_number": demo.PHONE_NUMBER,
        "from_number": CALLER,
        "direction": "inbound",
        "agent_id": "agent_1",
        "call_status": "ongoing",
        "start_timestamp": began,
    }
    assert (
        _post(base_url, "/retell/events", {"event": "call_started", "call": call}).status_code
        == 204
    )
    asked = {"service": "Herrenhaarschnitt", "date": "morgen", "time": "10:00"}
    # As the agent does: ask, then book. Asking is read-only, so it is asked again when the
    # answer is the apology (a cold server under libfaketime on a loaded machine can find its
    # database "down": the voice path gives up on slow lookups rather than keep a caller waiting).
    for _ in range(5):
        check = _function(base_url, "check_availability", asked, call)
        if check["status"] != "error":
            break
    assert check["status"] == "available", f"check_availability: {check}"
    booked = _function(base_url, "book_appointment", {**asked, "customer_name": CALLER_NAME}, call)
    assert booked["status"] == "booked", f"book_appointment: {booked}"
    ended = {
        **call,
        "call_status": "ended",
        "end_timestamp": began + 150_000,
        "duration_ms": 150_000,
        "disconnection_reason": "user_hangup",
        "transcript": TRANSCRIPT,
    }
    analysed = {
        **ended,
        "call_analysis": {
            "call_summary": SUMMARY,
            "user_sentiment": "Positive",
            "call_successful": True,
        },
    }
    for event, values in (("call_ended", ended), ("call_analyzed", analysed)):
        assert (
            _post(base_url, "/retell/events", {"event": event, "call": values}).status_code == 204
        )
    return booked


def _function(
    base_url: str, name: str, args: dict[str, Any], call: dict[str, Any]
) -> dict[str, Any]:
    payload = {"name": name, "args": args, "call": {**call, "call_type": "phone_call"}}
    response = _post(base_url, f"/retell/functions/{name}", payload)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer
