"""Runtime configuration, read from the environment (prefix ``FRONTDESK_``).

Nothing here touches the network or the disk at import time: ``get_settings()`` reads the
environment on first call and caches the result, so tests can build their own ``Settings``.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from frontdesk.observability.logging import configure_logging

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./frontdesk.db"


class Settings(BaseSettings):
    """Every knob an operator can turn; see the configuration table in README.md."""

    model_config = SettingsConfigDict(env_prefix="FRONTDESK_", extra="ignore")

    database_url: str = Field(
        default=DEFAULT_DATABASE_URL,
        description="SQLAlchemy async URL: sqlite+aiosqlite:///path or postgresql+psycopg://…",
    )
    redis_url: str | None = Field(
        default=None, description="Redis URL for shared cache and breaker state; unset = in-process"
    )
    retell_api_key: SecretStr | None = Field(
        default=None, description="Fallback key for X-Retell-Signature when a tenant has none"
    )
    demo_api_key: SecretStr | None = Field(
        default=None, description="Fixes the demo tenant's API key (otherwise one is generated)"
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["console", "json"] = "console"
    base_url: str = Field(
        default="http://127.0.0.1:8000", description="Public URL used in agent tool definitions"
    )
    embedded_worker: bool = Field(
        default=True, description="Run the job worker inside `frontdesk serve`"
    )
    db_pool_size: int = Field(default=10, ge=1, description="Connections per process (PostgreSQL)")
    db_pool_timeout: float = Field(
        default=2.0,
        gt=0,
        le=30,
        description="Seconds a request waits for a free database connection (PostgreSQL)",
    )
    voice_max_in_flight: int = Field(
        default=64,
        ge=1,
        description="Voice function calls in progress per process; more get the apology at once",
    )
    voice_max_loop_lag_ms: int = Field(
        default=100,
        ge=0,
        description="New voice function calls get the apology at once while the event loop runs "
        "this late (ms; 0 = off)",
    )

    web_session_idle_minutes: int = Field(
        default=480, ge=1, description="Web app: a session ends after this long without a request"
    )
    web_session_hours: int = Field(
        default=24, ge=1, description="Web app: a session ends this long after sign-in at most"
    )
    web_poll_seconds: int = Field(
        default=15, ge=1, le=600, description="Web app: how often the schedule asks for changes"
    )

    calcom_block_seconds: float = Field(
        default=60.0,
        gt=0,
        le=3600,
        description="How long a 429 from Cal.com stops every request with that key (Cal.com's "
        "throttler blocks 60 s; a self-hosted instance may configure another)",
    )
    calcom_api_url: str = Field(
        default="https://api.cal.com",
        description="Cal.com API base URL (a tenant's own URL, set by `calcom connect`, wins)",
    )
    secret_key: SecretStr | None = Field(
        default=None,
        description="Fernet key sealing tenants' provider API keys at rest; unset = stored plain",
    )

    smtp_url: SecretStr | None = Field(
        default=None,
        description="Outgoing e-mail: smtp://[user:pass@]host:port (STARTTLS when offered) or "
        "smtps://… (implicit TLS); unset = no e-mail",
    )
    mail_from: str | None = Field(
        default=None, description="Sender address of e-mail when the tenant has none of its own"
    )
    smtp_timeout: float = Field(
        default=20.0, gt=0, le=300, description="Seconds an SMTP conversation may take"
    )
    link_key: SecretStr | None = Field(
        default=None,
        description="Key signing the links in customer messages (manage and unsubscribe); "
        "unset = derived from FRONTDESK_SECRET_KEY; neither = reminders carry no unsubscribe "
        "link and manage links last until the process restarts",
    )
    twilio_account_sid: str | None = Field(
        default=None, description="SMS through Twilio: the account SID (AC…); unset = no SMS"
    )
    twilio_auth_token: SecretStr | None = Field(
        default=None, description="SMS through Twilio: the account's auth token"
    )
    sms_from: str | None = Field(
        default=None,
        description="SMS sender: a Twilio number in E.164 or an alphanumeric sender ID (max 11)",
    )
    twilio_api_url: str = Field(
        default="https://api.twilio.com", description="Twilio API base URL (tests, proxies)"
    )

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read from the environment once."""
    return Settings()


def command_settings() -> Settings:
    """The settings of a CLI command, with logging configured from them (every command's
    first step)."""
    settings = get_settings()
    configure_logging(settings.log_level, settings.log_format)
    return settings
