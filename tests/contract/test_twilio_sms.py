"""The Twilio SMS adapter against Twilio's documented Messages API contract: the request it
sends (path, Basic auth, form fields) and how it reads 201, 429, 4xx and 5xx answers.

Source: https://www.twilio.com/docs/messaging/api/message-resource (Create a Message resource:
POST /2010-04-01/Accounts/{AccountSid}/Messages.json, To/From/Body form-encoded, 201 with the
Message resource) and https://www.twilio.com/docs/usage/twilios-response (error body
``{"code", "message", "more_info", "status"}``)."""

from __future__ import annotations

import base64
import json
from urllib.parse import parse_qs

import httpx
import pytest

from frontdesk.messages.ports import DeliveryFailed, Sms
from frontdesk.messages.twilio import TwilioSmsSender

SID = "AC" + "0" * 32
TOKEN = "auth-token"
CREATED = {
    "sid": "SM" + "1" * 32,
    "account_sid": SID,
    "to": "+4915112345678",
    "from": "Sonnensch",
    "body": "…",
    "status": "queued",
    "num_segments": "1",
    "direction": "outbound-api",
    "api_version": "2010-04-01",
    "error_code": None,
    "error_message": None,
    "uri": f"/2010-04-01/Accounts/{SID}/Messages/SM{'1' * 32}.json",
}
SMS = Sms(to="+4915112345678", text="Salon Sonnenschein: Termin gebucht", sender="Sonnensch")


def _sender(handler: httpx.MockTransport) -> TwilioSmsSender:
    client = httpx.AsyncClient(transport=handler)
    return TwilioSmsSender(client, account_sid=SID, auth_token=TOKEN)


async def test_the_request_is_the_documented_create_message_call() -> None:
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(201, json=CREATED)

    assert await _sender(httpx.MockTransport(handle)).send(SMS) == CREATED["sid"]
    request = seen[0]
    assert request.method == "POST"
    assert str(request.url) == f"https://api.twilio.com/2010-04-01/Accounts/{SID}/Messages.json"
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    expected = base64.b64encode(f"{SID}:{TOKEN}".encode()).decode()
    assert request.headers["authorization"] == f"Basic {expected}"
    form = parse_qs(request.content.decode())
    assert form == {"To": [SMS.to], "From": [SMS.sender], "Body": [SMS.text]}


@pytest.mark.parametrize(
    ("status", "code", "transient"),
    [(429, 20429, True), (500, 20500, True), (503, 20503, True), (400, 21211, False),
     (400, 21610, False), (401, 20003, False)],
)  # fmt: skip
async def test_errors_are_transient_only_when_retrying_can_help(
    status: int, code: int, transient: bool
) -> None:
    body = {
        "code": code,
        "message": "…",
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }

    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            status, content=json.dumps(body), headers={"content-type": "application/json"}
        )

    with pytest.raises(DeliveryFailed) as failed:
        await _sender(httpx.MockTransport(handle)).send(SMS)
    assert failed.value.transient is transient
    assert TOKEN not in str(failed.value)


async def test_a_network_failure_is_transient() -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(DeliveryFailed) as failed:
        await _sender(httpx.MockTransport(handle)).send(SMS)
    assert failed.value.transient is True
