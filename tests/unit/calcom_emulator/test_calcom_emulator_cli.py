"""``frontdesk dev calcom-emulator``: prints what a developer needs, refuses unknown seeds."""

from __future__ import annotations

from typing import Any

import pytest
from typer.testing import CliRunner

from frontdesk.calendars.calcom.emulator import serve
from frontdesk.cli import app


def test_it_prints_key_and_base_url_and_serves_the_demo(monkeypatch: pytest.MonkeyPatch) -> None:
    served: dict[str, Any] = {}
    monkeypatch.setattr(
        serve.uvicorn, "run", lambda app, host, port: served.update(app=app, host=host, port=port)
    )
    result = CliRunner().invoke(
        app, ["dev", "calcom-emulator", "--port", "8055", "--api-key", "cal_test_mine"]
    )
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:8055" in result.output
    assert "cal_test_mine" in result.output
    assert "Waschen und Föhnen" in result.output
    assert (served["host"], served["port"]) == ("127.0.0.1", 8055)
    assert served["app"].state.emulator.state.api_keys == {"cal_test_mine"}


def test_an_unknown_seed_is_refused() -> None:
    result = CliRunner().invoke(app, ["dev", "calcom-emulator", "--seed", "nope"])
    assert result.exit_code == 2
    assert "unknown seed" in result.output
