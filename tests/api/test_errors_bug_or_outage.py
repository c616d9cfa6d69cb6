"""A bug and an outage, met through the app (ADR 0018): REST answers problem JSON (500 that
says nothing, 503 with the vocabulary's code), the voice agent hears its apology with HTTP
200, and ``frontdesk_errors_total`` counts each as its kind — a bug is never an outage."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from prometheus_client import REGISTRY
from redis.exceptions import ConnectionError as RedisConnectionError
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine
from tests.log_support import LogCapture
from tests.voice_support import (
    RetellClient,
    retell_fixture,  # noqa: F401
)
from tests.web_support import web_app

from frontdesk.domain.errors import ConcurrentUpdate
from frontdesk.failures import reporting, speech
from frontdesk.resilience import outage
from frontdesk.voice import functions

SECRET = "internals-nobody-may-read"
SERVICES = "/api/v1/services"


def errors(kind: str, code: str, where: str) -> float:
    value = REGISTRY.get_sample_value(
        "frontdesk_errors_total", {"kind": kind, "code": code, "where": where}
    )
    return value or 0.0


def degraded(where: str) -> float:
    value = REGISTRY.get_sample_value(
        "frontdesk_degraded_total", {"dependency": "database", "where": where}
    )
    return value or 0.0


def raising(exc: BaseException) -> Any:
    async def fail(*_args: Any, **_kwargs: Any) -> Any:
        raise exc

    return fail


def database_down() -> OperationalError:
    return OperationalError("SELECT 1", {}, ConnectionRefusedError(SECRET))


# -- REST --------------------------------------------------------------------------------------


def app_of(client: httpx.AsyncClient) -> Any:
    transport = client._transport
    assert isinstance(transport, httpx.ASGITransport)
    return transport.app


async def test_a_bug_in_rest_is_a_500_problem_that_leaks_nothing(
    demo_client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, logs_of: LogCapture
) -> None:
    queries = app_of(demo_client).state.queries
    monkeypatch.setattr(queries, "services", raising(KeyError(SECRET)))
    before = errors("bug", "internal_error", "rest")
    outages = degraded("rest")
    with logs_of(reporting) as logs:
        response = await demo_client.get(SERVICES)
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "internal_error"
    assert (body["status"], body["type"], body["instance"]) == (
        500,
        "/problems/internal_error",
        SERVICES,
    )
    assert SECRET not in response.text
    assert "KeyError" not in response.text
    assert "retry-after" not in response.headers
    assert errors("bug", "internal_error", "rest") == before + 1
    assert degraded("rest") == outages
    [line] = [e for e in logs if e["log_level"] == "error"]
    assert isinstance(line["exc_info"], KeyError)
    assert line["path"] == SERVICES


async def test_an_outage_in_rest_is_a_503_with_its_code_and_retry_after(
    demo_client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    queries = app_of(demo_client).state.queries
    monkeypatch.setattr(queries, "services", raising(RedisConnectionError(SECRET)))
    before = errors("integration", "redis_unavailable", "rest")
    response = await demo_client.get(SERVICES)
    assert response.status_code == 503
    assert response.json()["code"] == "redis_unavailable"
    assert response.headers["retry-after"] == "5"
    assert SECRET not in response.text
    assert errors("integration", "redis_unavailable", "rest") == before + 1
    monkeypatch.setattr(queries, "services", raising(database_down()))
    response = await demo_client.get(SERVICES)
    assert (response.status_code, response.json()["code"]) == (503, "database_unavailable")


async def test_a_refusal_in_rest_is_counted_as_a_domain_error(
    demo_client: httpx.AsyncClient,
) -> None:
    before = errors("domain", "appointment_not_found", "rest")
    response = await demo_client.get("/api/v1/appointments/00000000-0000-0000-0000-000000000001")
    assert (response.status_code, response.json()["code"]) == (404, "appointment_not_found")
    assert errors("domain", "appointment_not_found", "rest") == before + 1


# -- voice -------------------------------------------------------------------------------------


async def test_a_bug_in_a_voice_function_is_the_apology_counted_as_a_bug(
    retell: RetellClient, monkeypatch: pytest.MonkeyPatch, logs_of: LogCapture
) -> None:
    monkeypatch.setitem(
        functions._HANDLERS, "find_appointments", raising(ZeroDivisionError(SECRET))
    )
    before = errors("bug", "internal_error", "voice_function")
    outages = degraded("voice_function")
    with logs_of(reporting, outage) as logs:
        body = await retell.fn("find_appointments", {})  # asserts HTTP 200
    assert (body["status"], body["reason"]) == ("error", "internal_error")
    assert body["message"] == speech("internal_error", "de")
    assert SECRET not in str(body)
    assert errors("bug", "internal_error", "voice_function") == before + 1
    # Not an outage: nothing counted or said as one, and the database is not suspected.
    assert degraded("voice_function") == outages
    assert not [e for e in logs if e["event"] == "database unavailable: degraded answer"]
    assert not retell.app.state.voice.outage.suspected
    [line] = [e for e in logs if e["log_level"] == "error"]
    assert isinstance(line["exc_info"], ZeroDivisionError)
    assert line["function"] == "find_appointments"
    [logged] = await retell.functions()
    assert logged.error == "internal_error"


async def test_a_bug_before_a_voice_function_starts_is_the_apology_too(
    retell: RetellClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(retell.app.state.voice, "_context", raising(AttributeError(SECRET)))
    before = errors("bug", "internal_error", "voice_function")
    body = await retell.fn("check_availability", {"service": "Herrenhaarschnitt"})
    assert (body["status"], body["reason"]) == ("error", "internal_error")
    assert body["message"] == speech("internal_error", "de")
    assert errors("bug", "internal_error", "voice_function") == before + 1


async def test_an_outage_in_a_voice_function_is_the_outage_apology(
    retell: RetellClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(functions._HANDLERS, "find_appointments", raising(database_down()))
    before = errors("integration", "database_unavailable", "voice_function")
    bugs = errors("bug", "internal_error", "voice_function")
    outages = degraded("voice_function")
    body = await retell.fn("find_appointments", {})
    assert (body["status"], body["reason"]) == ("error", "database_unavailable")
    assert body["message"] == speech("database_unavailable", "de")
    assert body["message"] != speech("internal_error", "de")
    assert errors("integration", "database_unavailable", "voice_function") == before + 1
    assert errors("bug", "internal_error", "voice_function") == bugs
    assert degraded("voice_function") == outages + 1
    assert retell.app.state.voice.outage.suspected


async def test_a_refusal_no_function_words_is_spoken_from_the_vocabulary(
    retell: RetellClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(
        functions._HANDLERS, "find_appointments", raising(ConcurrentUpdate("version 3"))
    )
    before = errors("domain", "concurrent_update", "voice_function")
    body = await retell.fn("find_appointments", {})
    assert (body["status"], body["reason"]) == ("error", "concurrent_update")
    assert body["message"] == speech("concurrent_update", "de")
    assert errors("domain", "concurrent_update", "voice_function") == before + 1


async def test_a_bug_in_the_inbound_answer_still_picks_up_the_call(
    retell: RetellClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(retell.app.state.voice, "_catalog", raising(TypeError(SECRET)))
    before = errors("bug", "internal_error", "voice_inbound")
    response = await retell.inbound()
    assert response.status_code == 200
    assert response.json()["call_inbound"]["dynamic_variables"]["caller_known"] == "false"
    assert SECRET not in response.text
    assert errors("bug", "internal_error", "voice_inbound") == before + 1
    assert not retell.app.state.voice.outage.suspected


# -- the web app -------------------------------------------------------------------------------


async def test_a_bug_or_an_outage_on_a_page_is_an_error_page_not_problem_json(
    db: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under /admin the boundary answers with the web app's error page in German: the person
    reads a sentence, not JSON, and nothing of the cause; the failure is counted as its kind."""
    async for web in web_app(db):
        assert (await web.sign_in()).status_code == 303
        schedule = app_of(web.client).state.schedule
        monkeypatch.setattr(schedule, "plan", raising(KeyError(SECRET)))
        before = errors("bug", "internal_error", "rest")
        page = await web.client.get("/admin/schedule?date=2026-12-01")
        assert page.status_code == 500
        assert page.headers["content-type"].startswith("text/html")
        assert "Da ist etwas schiefgegangen" in page.text
        assert SECRET not in page.text
        assert "KeyError" not in page.text
        assert errors("bug", "internal_error", "rest") == before + 1
        monkeypatch.setattr(schedule, "plan", raising(database_down()))
        page = await web.client.get("/admin/schedule?date=2026-12-01")
        assert page.status_code == 503
        assert "Ein Dienst antwortet gerade nicht" in page.text
        assert SECRET not in page.text
