"""`frontdesk doctor` against the project's Cal.com emulator served on a real port: the demo
salon linked with `frontdesk calcom connect`, then doctor finds the key accepted and every
webhook subscription in place — and reports a deleted subscription, a refused key and a
Cal.com that answers with errors."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from tests.doctor_support import closed_port, doctor, row, runner, server_clock

from frontdesk import cli_doctor, secrets
from frontdesk.calendars.calcom.client import CalcomClient
from frontdesk.calendars.calcom.emulator.seed import TEAM_ID
from frontdesk.calendars.calcom.emulator.state import DEFAULT_API_KEY
from frontdesk.calendars.calcom.transport import Guard
from frontdesk.cli import app
from frontdesk.db.seed import DemoCredentials
from frontdesk.db.tables import Branch, Tenant
from frontdesk.domain.clock import system_clock
from frontdesk.settings import get_settings

# Starts real frontdesk processes (left out of CI's shifted-clock stage: .ci/run).
pytestmark = pytest.mark.processes

SLUG = "salon-sonnenschein"
SUBJECT = f"{SLUG} / Mitte"
BASE_URL = "https://frontdesk.example"


@pytest.fixture
def emulator_url() -> Iterator[str]:
    """``frontdesk dev calcom-emulator`` as its own process on a free port."""
    port = closed_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("FRONTDESK_")}
    command = [sys.executable, "-m", "frontdesk", "dev", "calcom-emulator"]
    process = subprocess.Popen(
        [*command, "--port", str(port), "--no-webhook-delivery"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, "the emulator exited"
            try:
                if httpx.get(f"{url}/_emulator/faults", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the emulator did not start"
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture
async def linked(
    engine: AsyncEngine,
    demo: DemoCredentials,
    emulator_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[str]:
    """A healthy configuration and the demo salon linked to the emulator."""
    monkeypatch.setenv("FRONTDESK_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("FRONTDESK_SECRET_KEY", secrets.new_key())
    monkeypatch.setenv("FRONTDESK_RETELL_API_KEY", "key_doctor_fallback_0123456789")
    monkeypatch.setenv("FRONTDESK_BASE_URL", BASE_URL)
    monkeypatch.setenv("FRONTDESK_CALCOM_API_URL", emulator_url)
    monkeypatch.delenv("FRONTDESK_REDIS_URL", raising=False)
    clock = await server_clock(engine)
    monkeypatch.setattr(cli_doctor, "doctor_clock", lambda: clock)
    get_settings.cache_clear()
    connect = ["calcom", "connect", "--tenant", SLUG, "--api-key", DEFAULT_API_KEY]
    result = await asyncio.to_thread(runner.invoke, app, connect)
    assert result.exit_code == 0, result.stdout + result.stderr
    yield emulator_url
    get_settings.cache_clear()


async def _subscriptions(sessions: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    async with sessions() as session:
        branch = (await session.execute(select(Branch))).scalar_one()
        hooks: dict[str, int] = branch.calendar_config["webhooks"]
        return hooks


async def test_a_linked_tenant_is_healthy(linked: str) -> None:
    result, findings = await doctor()
    assert result.exit_code == 0, findings
    calendar = row(findings, "calendar", SUBJECT)
    assert calendar["status"] == "ok"
    assert calendar["finding"] == f"calcom: signed in as Cal.com user 1000, team {TEAM_ID}"
    webhooks = row(findings, "webhooks", SUBJECT)
    assert webhooks["status"] == "ok"
    assert webhooks["finding"] == f"6 subscription(s) to {BASE_URL}/calcom/webhook/{SLUG}"
    assert DEFAULT_API_KEY not in result.stdout + result.stderr


async def test_a_deleted_subscription_is_reported(
    linked: str, sessions: async_sessionmaker[AsyncSession]
) -> None:
    hooks = await _subscriptions(sessions)
    event_type, hook_id = sorted(hooks.items())[0]
    guard = Guard.build(clock=system_clock, monotonic=time.monotonic, sleep=asyncio.sleep)
    async with httpx.AsyncClient() as http:
        client = CalcomClient.for_tenant(
            http, tenant=SLUG, api_key=SecretStr(DEFAULT_API_KEY), guard=guard, base_url=linked
        )
        await client.delete_event_type_webhook(TEAM_ID, int(event_type), hook_id)
    result, findings = await doctor()
    assert result.exit_code == 1
    webhooks = row(findings, "webhooks", SUBJECT)
    assert webhooks["status"] == "fail"
    assert webhooks["finding"] == f"missing for event type(s) {event_type}"
    assert "frontdesk calcom connect" in webhooks["action"]


async def test_a_refused_key_is_reported(
    linked: str, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with sessions() as session:
        await session.execute(update(Tenant).values(calcom_api_key="plain:cal_live_revoked"))
        await session.commit()
    result, findings = await doctor()
    assert result.exit_code == 1
    calendar = row(findings, "calendar", SUBJECT)
    assert calendar["status"] == "fail"
    assert calendar["finding"].startswith("calcom: refused the key (401): ")
    assert "frontdesk calcom connect --tenant salon-sonnenschein" in calendar["action"]
    assert row(findings, "webhooks", SUBJECT)["status"] == "skip"
    assert "cal_live_revoked" not in result.stdout + result.stderr


async def test_cal_com_answering_with_errors_is_reported(linked: str) -> None:
    faults = {"error_rate": 1.0, "error_status": 503}
    async with httpx.AsyncClient() as http:
        assert (await http.put(f"{linked}/_emulator/faults", json=faults)).status_code == 200
    result, findings = await doctor()
    assert result.exit_code == 1
    calendar = row(findings, "calendar", SUBJECT)
    assert calendar["status"] == "fail"
    assert calendar["finding"].startswith("calcom: unreachable (server_error, 503)")
    assert "docs/runbook.md#calcom-is-down" in calendar["action"]
