"""`frontdesk agent export` and `frontdesk agent push` on the seeded demo business."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr
from retell.types.agent_update_params import AgentUpdateParams
from retell.types.llm_create_params import LlmCreateParams
from tests.retell_support import FakeRetell, type_errors
from typer.testing import CliRunner

from frontdesk.cli import app
from frontdesk.secrets import new_key, seal
from frontdesk.settings import get_settings

runner = CliRunner()
KEY = "key_cli_retell"
SALON_KEY = "key_of_the_salon"
SLUG = "salon-sonnenschein"


@pytest.fixture
def demo_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The demo business in a fresh SQLite file, with BASE_URL set and no Retell key."""
    path = tmp_path / "agent.db"
    monkeypatch.setenv("FRONTDESK_DATABASE_URL", f"sqlite+aiosqlite:///{path}")
    monkeypatch.setenv("FRONTDESK_BASE_URL", "https://frontdesk.example.de")
    for name in ("FRONTDESK_RETELL_API_KEY", "FRONTDESK_RETELL_API_BASE_URL", "RETELL_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    assert runner.invoke(app, ["demo"]).exit_code == 0
    yield path
    get_settings.cache_clear()


@pytest.fixture
def retell(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeRetell]:
    with FakeRetell(api_key=KEY).serve() as fake:
        monkeypatch.setenv("FRONTDESK_RETELL_API_KEY", KEY)
        get_settings.cache_clear()
        yield fake


def test_export_prints_the_demo_salons_configuration(demo_db: Path) -> None:
    result = runner.invoke(app, ["agent", "export", "--tenant", SLUG])
    assert result.exit_code == 0, result.output
    config = json.loads(result.stdout)
    assert set(config) == {"llm", "agent"}
    assert type_errors(config["llm"], LlmCreateParams) == []
    assert type_errors(config["agent"], AgentUpdateParams) == []
    llm = config["llm"]
    assert llm["default_dynamic_variables"]["business_name"] == "Salon Sonnenschein"
    assert "Damenhaarschnitt" in llm["default_dynamic_variables"]["services_list"]
    assert "Du bist die Telefonrezeption" in llm["general_prompt"]
    urls = {t["name"]: t["url"] for t in llm["general_tools"] if t["type"] == "custom"}
    assert urls["book_appointment"] == (
        "https://frontdesk.example.de/retell/functions/book_appointment"
    )
    assert len(urls) == 5
    assert config["agent"]["agent_name"] == "frontdesk:salon-sonnenschein"
    assert "Anna Becker" in config["agent"]["boosted_keywords"]


def test_export_follows_the_tenants_locale(demo_db: Path) -> None:
    with sqlite3.connect(demo_db) as conn:
        conn.execute("UPDATE tenant SET locale = 'en-GB' WHERE slug = ?", (SLUG,))
    result = runner.invoke(app, ["agent", "export", "--tenant", SLUG, "--format", "prompt"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("## Role\nYou are the phone receptionist of {{business_name}}")


def test_export_of_an_unknown_tenant_fails(demo_db: Path) -> None:
    result = runner.invoke(app, ["agent", "export", "--tenant", "nope"])
    assert result.exit_code == 1
    assert "No tenant" in result.output


def test_push_creates_then_updates(demo_db: Path, retell: FakeRetell) -> None:
    command = ["agent", "push", "--tenant", SLUG, "--api-base-url", retell.base_url]
    first = runner.invoke(app, command)
    assert first.exit_code == 0, first.output
    assert "Created Retell agent frontdesk:salon-sonnenschein" in first.output
    (llm_id,) = retell.llms
    (agent_id,) = retell.agents
    assert f"llm_id={llm_id}" in first.stdout
    assert f"agent_id={agent_id}" in first.stdout

    second = runner.invoke(app, command)
    assert second.exit_code == 0, second.output
    assert "Updated Retell agent" in second.output
    assert f"agent_id={agent_id}" in second.stdout
    assert (list(retell.llms), list(retell.agents)) == ([llm_id], [agent_id])
    assert {r.authorization for r in retell.requests} == {f"Bearer {KEY}"}
    assert retell.llms[llm_id]["general_tools"][0]["url"].startswith(
        "https://frontdesk.example.de/"
    )


def test_push_with_publish_publishes_and_says_which_version(
    demo_db: Path, retell: FakeRetell
) -> None:
    command = ["agent", "push", "--tenant", SLUG, "--api-base-url", retell.base_url]
    result = runner.invoke(app, [*command, "--publish"])
    assert result.exit_code == 0, result.output
    (agent_id,) = retell.agents
    assert retell.published == {agent_id: [0]}
    assert "published_version=0" in result.stdout
    unpublished = runner.invoke(app, command)
    assert "published_version" not in unpublished.stdout
    assert retell.published == {agent_id: [0]}


def test_push_reads_the_api_base_url_from_the_environment(
    demo_db: Path, retell: FakeRetell, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FRONTDESK_RETELL_API_BASE_URL", retell.base_url)
    result = runner.invoke(app, ["agent", "push", "--tenant", SLUG, "--voice-id", "11labs-Anna"])
    assert result.exit_code == 0, result.output
    (stored,) = retell.agents.values()
    assert stored["voice_id"] == "11labs-Anna"


def test_push_prefers_the_tenants_own_retell_key(
    demo_db: Path, retell: FakeRetell, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Stored sealed, as the settings use case stores it (ADR 0021): the push opens it.
    secret_key = new_key()
    monkeypatch.setenv("FRONTDESK_SECRET_KEY", secret_key)
    get_settings.cache_clear()
    sealed = seal(SecretStr(SALON_KEY), SecretStr(secret_key))
    with sqlite3.connect(demo_db) as conn:
        conn.execute("UPDATE tenant SET retell_api_key = ? WHERE slug = ?", (sealed, SLUG))
    retell.api_key = SALON_KEY
    result = runner.invoke(
        app, ["agent", "push", "--tenant", SLUG, "--api-base-url", retell.base_url]
    )
    assert result.exit_code == 0, result.output
    assert {r.authorization for r in retell.requests} == {f"Bearer {SALON_KEY}"}


def test_push_without_a_key_fails_before_any_request(demo_db: Path) -> None:
    result = runner.invoke(app, ["agent", "push", "--tenant", SLUG])
    assert result.exit_code == 1
    assert "No Retell API key" in result.output


def test_push_reports_a_refused_key(
    demo_db: Path, retell: FakeRetell, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FRONTDESK_RETELL_API_KEY", "wrong")
    get_settings.cache_clear()
    result = runner.invoke(
        app, ["agent", "push", "--tenant", SLUG, "--api-base-url", retell.base_url]
    )
    assert result.exit_code == 1
    assert "Push failed" in result.output
    assert retell.llms == {}
