"""Every voice endpoint verifies X-Retell-Signature over the raw body; refusals write nothing."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from tests.voice_support import (
    ERIKA,
    OTHER_KEY,
    OTHER_SALON,
    RETELL_KEY,
    SALON,
    RetellClient,
    add_other_salon,
    millis,
    retell_client,
    retell_fixture,  # noqa: F401
    seed,
)

from frontdesk.voice.signature import sign

PATHS = ["/retell/functions/check_availability", "/retell/inbound", "/retell/events"]


def payload_for(path: str, to_number: str = SALON, name: str = "Jürgen Groß") -> bytes:
    """A body with umlauts, serialised the way Retell does (UTF-8, not ASCII-escaped)."""
    if path.endswith("inbound"):
        data: dict[str, object] = {
            "event": "call_inbound",
            "call_inbound": {"from_number": ERIKA, "to_number": to_number, "agent_name": name},
        }
    elif path.endswith("events"):
        data = {
            "event": "call_started",
            "call": {"call_id": "call_1", "to_number": to_number, "transcript": f"User: {name}"},
        }
    else:
        data = {
            "name": "check_availability",
            "args": {"service": "Färben", "date": "morgen", "notes": name},
            "call": {"call_id": "call_1", "from_number": ERIKA, "to_number": to_number},
        }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


@pytest.mark.parametrize("path", PATHS)
async def test_a_signed_body_with_umlauts_is_accepted(retell: RetellClient, path: str) -> None:
    body = payload_for(path)
    assert "ü".encode() in body
    response = await retell.http.post(path, content=body, headers=retell.headers(body))
    assert response.status_code in (200, 204), response.text


@pytest.mark.parametrize("path", PATHS)
async def test_missing_malformed_wrong_stale_or_tampered_signatures_are_401_and_write_nothing(
    retell: RetellClient, path: str, caplog: pytest.LogCaptureFixture
) -> None:
    body = payload_for(path)
    stale = retell.now - timedelta(minutes=5, seconds=1)
    future = retell.now + timedelta(minutes=5, seconds=1)
    good = retell.headers(body)["X-Retell-Signature"]
    tampered_body = body.replace("Groß".encode(), b"Gross")
    attempts = [
        (body, {}),
        (body, {"X-Retell-Signature": "garbage"}),
        (body, {"X-Retell-Signature": good.upper()}),
        (body, {"X-Retell-Signature": sign(body, "wrong-key", millis(retell.now))}),
        (body, {"X-Retell-Signature": sign(body, RETELL_KEY, millis(stale))}),
        (body, {"X-Retell-Signature": sign(body, RETELL_KEY, millis(future))}),
        (tampered_body, {"X-Retell-Signature": good}),
        # Re-serialised JSON (ASCII escapes) no longer matches what was signed.
        (json.dumps(json.loads(body)).encode(), {"X-Retell-Signature": good}),
    ]
    for content, headers in attempts:
        response = await retell.http.post(path, content=content, headers=headers)
        assert response.status_code == 401, (headers, response.text)
        assert response.json()["code"] == "unauthorized"
    assert await retell.written() == 0
    assert "Groß" not in caplog.text
    assert "Jürgen" not in caplog.text


async def test_the_reference_test_vector_is_accepted_at_its_own_time(db: AsyncEngine) -> None:
    moment = datetime.fromtimestamp(1700000000, tz=UTC)
    async for client in retell_client(db, now=moment, retell_api_key="test-api-key"):
        header = (
            "v=1700000000000,d=07024cabe7dd8f6d1c6e4a8324ca92c812e6ad4a7ee506c04f7e462e3321823e"
        )
        body = b'{"event":"call_ended"}'
        ok = await client.http.post(
            "/retell/events", content=body, headers={"X-Retell-Signature": header}
        )
        assert ok.status_code == 204
        bad = header[:-1] + ("f" if header[-1] != "f" else "e")
        refused = await client.http.post(
            "/retell/events", content=body, headers={"X-Retell-Signature": bad}
        )
        assert refused.status_code == 401


@pytest.fixture
async def no_key_client(db: AsyncEngine) -> AsyncIterator[RetellClient]:
    await seed(db)
    async for client in retell_client(db, retell_api_key=None):
        yield client


@pytest.mark.parametrize("path", PATHS)
async def test_without_any_key_configured_every_request_is_refused(
    no_key_client: RetellClient, path: str
) -> None:
    body = payload_for(path)
    for key in (RETELL_KEY, ""):
        headers = {"X-Retell-Signature": sign(body, key, millis(no_key_client.now))}
        response = await no_key_client.http.post(path, content=body, headers=headers)
        assert response.status_code == 401
    assert await no_key_client.written() == 0


async def test_a_tenant_key_replaces_the_fallback_for_that_tenant(retell: RetellClient) -> None:
    await add_other_salon(retell.engine)
    body = payload_for("/retell/inbound", to_number=OTHER_SALON)
    by_fallback = await retell.http.post(
        "/retell/inbound", content=body, headers=retell.headers(body)
    )
    assert by_fallback.status_code == 401
    own = await retell.http.post(
        "/retell/inbound", content=body, headers=retell.headers(body, key=OTHER_KEY)
    )
    assert own.status_code == 200
    assert own.json()["call_inbound"]["dynamic_variables"]["business_name"] == "Tenant other"
    # And the other tenant's key does not open the demo salon.
    ours = payload_for("/retell/inbound")
    crossed = await retell.http.post(
        "/retell/inbound", content=ours, headers=retell.headers(ours, key=OTHER_KEY)
    )
    assert crossed.status_code == 401


async def test_unknown_dialled_numbers_and_functions_are_404_after_verification(
    retell: RetellClient,
) -> None:
    inbound = await retell.inbound(to_number="+4989123456789")
    assert inbound.status_code == 404
    assert inbound.json()["code"] == "unknown_number"
    unknown = await retell.post(
        "/retell/functions/delete_everything",
        {"name": "x", "args": {}, "call": {"call_id": "c", "to_number": SALON}},
    )
    assert unknown.status_code == 404
    assert unknown.json()["code"] == "unknown_function"
    no_call = await retell.post(
        "/retell/functions/check_availability",
        {"name": "x", "args": {}, "call": {"to_number": SALON}},
    )
    assert no_call.status_code == 400
    not_json = b"not json"
    response = await retell.http.post(
        "/retell/events", content=not_json, headers=retell.headers(not_json)
    )
    assert response.status_code == 400
    assert await retell.written() == 0


async def test_refusals_are_problem_documents(retell: RetellClient) -> None:
    response = await retell.http.post("/retell/inbound", content=b"{}")
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert isinstance(response, httpx.Response)
