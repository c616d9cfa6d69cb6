"""Settings come from FRONTDESK_* variables with safe defaults."""

from __future__ import annotations

import pytest

from frontdesk.settings import DEFAULT_DATABASE_URL, Settings


def test_defaults_are_the_embedded_setup(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DATABASE_URL", "REDIS_URL", "LOG_FORMAT", "RETELL_API_KEY"):
        monkeypatch.delenv(f"FRONTDESK_{name}", raising=False)
    settings = Settings()
    assert settings.database_url == DEFAULT_DATABASE_URL == "sqlite+aiosqlite:///./frontdesk.db"
    assert settings.redis_url is None
    assert settings.is_sqlite
    assert settings.log_format == "console"


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FRONTDESK_DATABASE_URL", "postgresql+psycopg://u@h/db")
    monkeypatch.setenv("FRONTDESK_REDIS_URL", "redis://h:6379/0")
    monkeypatch.setenv("FRONTDESK_LOG_FORMAT", "json")
    monkeypatch.setenv("FRONTDESK_RETELL_API_KEY", "key_abc")
    settings = Settings()
    assert not settings.is_sqlite
    assert settings.redis_url == "redis://h:6379/0"
    assert settings.log_format == "json"
    assert settings.retell_api_key is not None
    assert settings.retell_api_key.get_secret_value() == "key_abc"
    assert "key_abc" not in repr(settings)


def test_invalid_values_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FRONTDESK_LOG_FORMAT", "xml")
    with pytest.raises(ValueError, match="log_format"):
        Settings()
