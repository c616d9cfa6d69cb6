"""``frontdesk serve`` with ``OTEL_EXPORTER_OTLP_ENDPOINT`` exports its spans over OTLP/HTTP
(protobuf) to a receiver, as it would to an OpenTelemetry Collector; its log line of the request
carries the exported span's trace id; health probes are not traced."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from opentelemetry.proto.trace.v1.trace_pb2 import Span
from tests.otlp_support import Received, otlp_receiver
from tests.outage_support import free_port
from tests.process_support import wait_ready

# Starts real frontdesk processes (left out of CI's shifted-clock stage: .ci/run).
pytestmark = pytest.mark.processes


def test_serve_exports_request_spans_to_the_otlp_endpoint(tmp_path: Path) -> None:
    port = free_port()
    with otlp_receiver() as (endpoint, received):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("FRONTDESK_", "OTEL_"))}
        env |= {
            "OTEL_EXPORTER_OTLP_ENDPOINT": endpoint,
            # Export within a tenth of a second instead of five (the batch processor's delay).
            "OTEL_BSP_SCHEDULE_DELAY": "100",
            "FRONTDESK_LOG_FORMAT": "json",
        }
        process = subprocess.Popen(
            [sys.executable, "-m", "frontdesk", "serve", "--no-demo", "--port", str(port)],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_ready(f"{base}/healthz", process)
            refused = httpx.get(f"{base}/api/v1/services", timeout=10)
            assert refused.status_code == 401
            spans = _wait_for(received, "GET /api/v1/services")
        finally:
            process.send_signal(signal.SIGTERM)
            output, _ = process.communicate(timeout=30)
    # One server span per request: FastAPI's own telemetry does not add a second one.
    [(resource, span)] = spans
    assert resource["service.name"] == "frontdesk"
    names = {s.name for _, s in received.spans()}
    assert not any("healthz" in name for name in names), names
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    [access] = [
        line
        for line in lines
        if line.get("event") == "request" and line.get("path") == "/api/v1/services"
    ]
    assert access["trace_id"] == span.trace_id.hex()
    assert access["request_id"] == refused.headers["x-request-id"]


def _wait_for(
    received: Received, name: str, timeout: float = 30
) -> list[tuple[dict[str, str], Span]]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [(r, s) for r, s in received.spans() if s.name == name]
        if found:
            return found
        time.sleep(0.1)
    pytest.fail(f"no span {name!r} arrived; got {[s.name for _, s in received.spans()]}")
