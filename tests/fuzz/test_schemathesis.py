"""The standing fuzz stage (issue 11): schemathesis against the ASGI app, on each database.

Every operation of the OpenAPI document — the REST API with the demo's key, the three voice
endpoints with bodies signed the way Retell signs them, and Cal.com's webhook with bodies signed
the way Cal.com signs them — gets generated valid and invalid requests. The checks: no 5xx, only
documented status codes, documented content types, and responses that match their schemas.
Bounded for CI (a fixed number of examples per operation, about a minute for both databases)
and reproducible (``derandomize``: the same requests on every run; no example database).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncEngine
from tests.app_support import DEMO_KEY, settings_for
from tests.clock_support import NOW, FakeClock

from frontdesk import demo
from frontdesk.app import create_app
from frontdesk.calendars.calcom import webhook
from frontdesk.db.engine import create_session_factory
from frontdesk.db.seed import seed_demo
from frontdesk.db.tables import Base, Tenant
from frontdesk.voice.functions import FUNCTION_NAMES
from frontdesk.voice.signature import sign

RETELL_KEY = "fuzz-retell-key"
CALCOM_SECRET = "fuzz-calcom-secret"
EXAMPLES_PER_OPERATION = 25
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
async def fuzz_app(engine: AsyncEngine) -> AsyncIterator[FastAPI]:
    """The app on the demo salon; schemathesis runs its lifespan in a thread of its own."""
    async with create_session_factory(engine, FakeClock())() as session:
        await seed_demo(session, api_key=DEMO_KEY, password="demo-password")
        await session.execute(
            update(Tenant)
            .where(Tenant.id == demo.demo_id())
            .values(calcom_webhook_secret=CALCOM_SECRET)
        )
        await session.commit()
    app = create_app(settings_for(engine, retell_api_key=RETELL_KEY), clock=lambda: NOW)
    yield app
    schemathesis.python.asgi.shutdown_lifespans()
    async with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            await conn.execute(delete(table))


@pytest.fixture(scope="module")
def fuzz_schema(fuzz_app: FastAPI) -> Any:
    return schemathesis.openapi.from_asgi("/openapi.json", fuzz_app)


def _signed(case: Any) -> dict[str, Any]:
    """Request arguments for a voice endpoint: the body aimed at the demo salon (a random
    number only ever meets 404), serialised once and signed over exactly those bytes."""
    body = case.body
    if isinstance(body, dict):
        for section in ("call", "call_inbound"):
            if isinstance(body.get(section), dict):
                body[section]["to_number"] = demo.PHONE_NUMBER
    if "name" in (case.path_parameters or {}):
        # A known function for most cases (a random name is a 404 only).
        case.path_parameters["name"] = FUNCTION_NAMES[len(repr(body)) % len(FUNCTION_NAMES)]
    raw = body if isinstance(body, bytes) else json.dumps(body, default=str).encode()
    stamp = int(NOW.timestamp() * 1000)
    headers = {
        "X-Retell-Signature": sign(raw, RETELL_KEY, stamp),
        "Content-Type": "application/json",
    }
    return {"headers": headers, "data": raw}


def _signed_by_calcom(case: Any) -> dict[str, Any]:
    """A webhook aimed at the demo salon, signed over exactly the bytes sent."""
    case.path_parameters["tenant_slug"] = demo.TENANT_SLUG
    body = case.body
    raw = body if isinstance(body, bytes) else json.dumps(body, default=str).encode()
    headers = {
        webhook.SIGNATURE_HEADER: webhook.sign(CALCOM_SECRET, raw),
        "Content-Type": "application/json",
    }
    return {"headers": headers, "data": raw}


def _call(case: Any) -> int:
    if case.path.startswith("/retell/"):
        response = case.call_and_validate(checks=CHECKS, **_signed(case))
    elif case.path.startswith("/calcom/"):
        response = case.call_and_validate(checks=CHECKS, **_signed_by_calcom(case))
    else:
        auth = {"Authorization": f"Bearer {DEMO_KEY}"}
        response = case.call_and_validate(checks=CHECKS, headers=auth)
    return int(response.status_code)


def _explained(exc: Exception) -> str:
    """The failure with the ones it groups (Hypothesis reports a flaky example as a group)."""
    grouped = getattr(exc, "exceptions", ())
    return str(exc) + "".join(f"\n  - {type(e).__name__}: {e}" for e in grouped)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
# About 30 s for each mode on an idle machine, but several minutes under libfaketime on a loaded
# one: past pytest-timeout's 60 s the timeout's exception landed inside a Hypothesis example,
# which reported it as a flaky "failed on the first call" of whichever operation was running.
@pytest.mark.timeout(900)
def test_no_5xx_and_no_schema_mismatch(fuzz_schema: Any, mode: GenerationMode) -> None:
    """Each operation in turn, its failures collected, so one report names all of them."""
    failures: list[str] = []
    answered: dict[str, set[int]] = {}
    operations = [result.ok() for result in fuzz_schema.get_all_operations()]
    assert len(operations) >= 14
    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            phases=[Phase.explicit, Phase.generate],
        )
        def run(case: Any) -> None:
            answered.setdefault(case.path, set()).add(_call(case))

        try:
            run()
        except Unsatisfiable:
            continue  # an operation without parameters or body has no invalid requests
        except Exception as exc:
            failures.append(f"{operation.label}: {_explained(exc)}")
    assert not failures, "\n\n".join(failures)
    if mode is GenerationMode.POSITIVE:
        # The signed voice requests get past the signature: the stage fuzzes the functions,
        # not only the 401.
        for path in (
            "/retell/functions/{name}",
            "/retell/inbound",
            "/retell/events",
            "/calcom/webhook/{tenant_slug}",
        ):
            assert answered[path] & {200, 204}, (path, answered[path])
