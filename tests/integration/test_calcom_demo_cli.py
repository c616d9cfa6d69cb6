"""``frontdesk dev calcom-demo`` as a newcomer runs it: one process with the Cal.com emulator,
the demo linked to it and frontdesk serving. A booking made through REST lands in "Cal.com"."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from frontdesk import demo

# Starts real frontdesk processes (left out of CI's shifted-clock stage: .ci/run).
pytestmark = pytest.mark.processes

DEMO_KEY = "fd_calcom_demo_test_key"
SERVICE = demo.demo_id("service", "herrenhaarschnitt")
# The embedded worker's first mirror run starts with the process; it fills the next 14 days
# of every host within one run of at most 30 requests. Generous for a loaded machine.
MIRROR_SECONDS = 120


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def calcom_demo(tmp_path: Path) -> Iterator[tuple[str, str, Path]]:
    """The command running in ``tmp_path`` (embedded SQLite); its own process group, so the
    end of the test ends it whatever state it is in."""
    port, emulator_port = _free_port(), _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("FRONTDESK_")}
    env["FRONTDESK_DEMO_API_KEY"] = DEMO_KEY
    output = tmp_path / "output.log"
    command = [sys.executable, "-m", "frontdesk", "dev", "calcom-demo"]
    command += ["--port", str(port), "--emulator-port", str(emulator_port)]
    # A file, not a pipe: nobody reads a pipe while the test waits, and a full one would block.
    with output.open("w") as sink:
        process = subprocess.Popen(
            command,
            cwd=tmp_path,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield f"http://127.0.0.1:{port}", f"http://127.0.0.1:{emulator_port}", output
        _stop(process)
        assert process.returncode == 0, output.read_text()
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def _stop(process: subprocess.Popen[bytes]) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        pytest.fail("calcom-demo did not stop within 20 s of SIGTERM")


def _until(what: str, seconds: float, probe: Any, output: Path) -> Any:
    """``probe()`` until it returns something truthy (connection errors count as not yet)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            result = probe()
        except httpx.TransportError:
            result = None
        if result:
            return result
        time.sleep(0.5)
    pytest.fail(f"{what} within {seconds} s; output:\n{output.read_text()}")


@pytest.mark.timeout(240)
def test_a_rest_booking_lands_in_the_emulator(calcom_demo: tuple[str, str, Path]) -> None:
    url, calcom_url, output = calcom_demo
    auth = {"Authorization": f"Bearer {DEMO_KEY}"}

    def healthy() -> bool:
        return httpx.get(f"{url}/healthz", timeout=2).status_code == 200

    def offered() -> list[dict[str, Any]] | None:
        # Today's availability from the mirror; any day it has not read yet answers 503.
        answer = httpx.get(
            f"{url}/api/v1/availability",
            params={"service": str(SERVICE), "days": 14},
            headers=auth,
            timeout=5,
        )
        if answer.status_code != 200:
            return None
        slots: list[dict[str, Any]] = answer.json()["slots"]
        return slots

    _until("frontdesk was not healthy", 60, healthy, output)
    assert "_emulator/state" in output.read_text()
    slot = _until("no availability from the mirror", MIRROR_SECONDS, offered, output)[0]

    booked = httpx.post(
        f"{url}/api/v1/appointments",
        json={
            "service_id": str(SERVICE),
            "start": slot["start"],
            "staff_id": slot["staff_id"],
            "customer": {"name": "Erika Mustermann", "phone": demo.KNOWN_CUSTOMER_PHONE},
        },
        headers=auth,
        timeout=20,
    )
    assert booked.status_code == 201, booked.text
    appointment = booked.json()
    # REST waits for Cal.com (up to 8 s); the emulator answers at once.
    assert appointment["sync_state"] == "synced", appointment

    state = httpx.get(f"{calcom_url}/_emulator/state", timeout=10).json()
    ours = [
        b
        for b in state["bookings"]
        if (b.get("metadata") or {}).get("frontdesk_appointment_id") == appointment["id"]
    ]
    assert len(ours) == 1, state["bookings"]
    assert ours[0]["status"] == "accepted"
    assert ours[0]["eventTypeId"] == 7002  # Herrenhaarschnitt in the emulator's demo team
