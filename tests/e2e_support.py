"""Browser tests' machinery: Debian's Chromium (never a downloaded browser), a real server on a
free port with a fresh demo database, and the decision to skip or fail when Chromium is absent."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.app_support import DEMO_KEY
from tests.clock_support import at
from tests.outage_support import free_port
from tests.web_support import PASSWORD

from frontdesk import demo
from frontdesk.db.engine import create_engine, create_session_factory
from frontdesk.db.migrate import upgrade_engine
from frontdesk.db.seed import seed_demo
from frontdesk.domain.clock import system_clock
from frontdesk.voice.signature import sign

CHROMIUM = os.environ.get("FRONTDESK_CHROMIUM", "/usr/bin/chromium")
SCRIPT = Path(__file__).with_name("e2e") / "server_script.py"
REPO = Path(__file__).resolve().parents[1]
SCREENSHOTS = REPO / "docs" / "screenshots"
# The installation's Retell key of the server under test: the browser tests call the voice
# functions signed with it, as Retell would.
RETELL_KEY = "e2e-retell-key"
LINK_KEY = "e2e-unsubscribe-link-key"
# The seeded day: Tuesday 1 December 2026 (the suite's NOW), three appointments.
SEEDED = (
    ("Erika Mustermann", at(1, 10), "anna", "damenhaarschnitt", "+4915112345678"),
    ("Paul Schneider", at(1, 11, 30), "jonas", "herrenhaarschnitt", "+4915112345679"),
    ("Lena Fischer", at(1, 14), "mia", "faerben", "+4917612345670"),
)


def require_chromium() -> str:
    """Chromium's path; outside CI a missing browser skips, in CI it fails (never silently)."""
    if os.path.exists(CHROMIUM):
        return CHROMIUM
    reason = f"Chromium not found at {CHROMIUM} (apt-get install -y chromium)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def real_clock_env() -> dict[str, str]:
    """The environment without libfaketime: Chromium does not start under its LD_PRELOAD (make
    test-any-date), and the browser's own clock plays no part in what the tests check."""
    return {
        key: value
        for key, value in os.environ.items()
        if key != "LD_PRELOAD" and not key.startswith("FAKETIME")
    }


async def _seed(url: str) -> None:
    engine = create_engine(url)
    try:
        await upgrade_engine(engine)
        async with create_session_factory(engine, system_clock)() as session:
            await seed_demo(session, api_key=DEMO_KEY, password=PASSWORD)
    finally:
        await engine.dispose()


def post_signed(base_url: str, path: str, payload: dict[str, Any], now: datetime) -> httpx.Response:
    """``payload`` posted as Retell does to the e2e server: signed with its key and stamped at
    ``now`` (the server's fixed instant, not this machine's clock)."""
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    headers = {
        "X-Retell-Signature": sign(body, RETELL_KEY, int(now.timestamp() * 1000)),
        "Content-Type": "application/json",
    }
    # Generous: under libfaketime a cold server's first function call can take seconds.
    return httpx.post(f"{base_url}{path}", content=body, headers=headers, timeout=60)


def ask_the_agent(base_url: str, name: str, args: dict[str, str], now: datetime) -> dict[str, Any]:
    """A voice function call as Retell sends it to the demo salon's number, signed at ``now``
    (the server's fixed instant)."""
    payload = {
        "name": name,
        "args": args,
        "call": {"call_id": "e2e-call", "to_number": demo.PHONE_NUMBER,
                 "from_number": demo.KNOWN_CUSTOMER_PHONE, "call_type": "phone_call"},
    }  # fmt: skip
    response = post_signed(base_url, f"/retell/functions/{name}", payload, now)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def book(base_url: str, name: str, start: datetime, staff: str, service: str, phone: str) -> None:
    """Book through the REST API, as the phone agent's bookings arrive (same use case)."""
    response = httpx.post(
        f"{base_url}/api/v1/appointments",
        headers={"Authorization": f"Bearer {DEMO_KEY}"},
        json={
            "service_id": str(demo.demo_id("service", service)),
            "staff_id": str(demo.demo_id("staff", staff)),
            "start": start.isoformat(),
            "customer": {"name": name, "phone": phone},
        },
        timeout=10,
    )
    assert response.status_code == 201, response.text


@contextlib.contextmanager
def running_server(tmp_dir: Path) -> Iterator[str]:
    """The app under uvicorn on a free port, the demo seeded with SEEDED's appointments."""
    url = f"sqlite+aiosqlite:///{tmp_dir / 'e2e.db'}"
    # In a thread of its own: asyncio.run here must not replace the test session's event loop.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, _seed(url)).result()
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, str(SCRIPT), url, str(port)],
        cwd=REPO,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base_url, process)
        for seeded in SEEDED:
            book(base_url, *seeded)
        yield base_url
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _wait_until_up(base_url: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {process.stderr.read() if process.stderr else ''}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                return
        time.sleep(0.1)
    raise RuntimeError("server did not start within 30 s")
