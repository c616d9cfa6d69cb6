"""Shared by the REST tests: the demo's ids and a booking body (a module without tests)."""

from __future__ import annotations

from datetime import datetime

import httpx
from tests.clock_support import at

from frontdesk import demo

HERREN = str(demo.demo_id("service", "herrenhaarschnitt"))
BART = str(demo.demo_id("service", "bartpflege"))
FAERBEN = str(demo.demo_id("service", "faerben"))
JONAS = str(demo.demo_id("staff", "jonas"))
ANNA = str(demo.demo_id("staff", "anna"))
PROBLEM = "application/problem+json"


def booking(
    start: datetime = at(1, 10), service: str = HERREN, **extra: object
) -> dict[str, object]:
    body: dict[str, object] = {
        "service_id": service,
        "start": start.isoformat(),
        "customer": {"name": "Erika Mustermann", "phone": "+4915112345678"},
    }
    body.update(extra)
    return body


def assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, object] = response.json()
    assert body["code"] == code
    assert body["status"] == status
    assert {"type", "title", "detail"} <= body.keys()
    return body
