"""JSON logs carry the request id bound for a request and never print secrets."""

from __future__ import annotations

import json
import logging

import pytest
import structlog

from frontdesk.observability.logging import configure_logging, get_logger


@pytest.fixture(autouse=True)
def _restore_logging() -> object:
    yield None
    configure_logging("INFO", "console")
    structlog.reset_defaults()
    logging.getLogger().handlers.clear()


def test_json_lines_carry_bound_context_and_redact_secrets(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("INFO", "json")
    with structlog.contextvars.bound_contextvars(request_id="req-42"):
        get_logger("test").info("booked", api_key="fd_secret", slot="10:00")
        logging.getLogger("uvicorn.error").warning("stdlib line")
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert lines[0]["event"] == "booked"
    assert lines[0]["request_id"] == "req-42"
    assert lines[0]["api_key"] == "[redacted]"
    assert lines[0]["slot"] == "10:00"
    assert lines[1]["event"] == "stdlib line"
    assert lines[1]["request_id"] == "req-42"


def test_debug_logging_leaves_out_aiosqlite_statement_parameters() -> None:
    """aiosqlite logs every statement with its parameters at DEBUG: sealed API keys (plain
    without FRONTDESK_SECRET_KEY), webhook secrets, callers' phone numbers."""
    configure_logging("DEBUG", "console")
    assert logging.getLogger("frontdesk").isEnabledFor(logging.DEBUG)
    assert not logging.getLogger("aiosqlite").isEnabledFor(logging.DEBUG)
    configure_logging("WARNING", "console")
    assert not logging.getLogger("aiosqlite").isEnabledFor(logging.INFO)
