"""``frontdesk doctor``'s configuration checks: pure functions of the loaded ``Settings`` (and,
when they do not load, of pydantic's complaint). Values of secrets are never read into a
finding, only whether they are set and usable."""

from __future__ import annotations

from urllib.parse import urlsplit

from cryptography.fernet import Fernet
from pydantic import ValidationError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from frontdesk.operations.doctor_model import Finding, fail, ok, warn
from frontdesk.settings import Settings

CHECK = "configuration"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "0.0.0.0"}
NEW_SECRET_KEY = (
    "python -c 'from frontdesk.secrets import new_key; print(new_key())' "
    "→ FRONTDESK_SECRET_KEY (keep it: a sealed value needs the same key to open)"
)


def not_loaded(error: ValidationError) -> list[Finding]:
    """Settings that do not load: which variable and why, never the value given (it may be a
    secret)."""
    return [
        fail(
            CHECK,
            "FRONTDESK_" + "_".join(str(part) for part in problem["loc"]).upper(),
            f"not accepted: {problem['msg']}",
            "fix the variable in the environment (or the EnvironmentFile) and run doctor again",
        )
        for problem in error.errors(include_input=False, include_url=False)
    ]


def check_configuration(settings: Settings) -> list[Finding]:
    return [
        _database_url(settings),
        _secret_key(settings),
        _base_url(settings),
        _worker(settings),
    ]


def redacted_url(url: str) -> str:
    """A database or Redis URL fit to print: the password replaced by ``***``."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
        return f"{parts.scheme}://{host}{port}{parts.path}" if parts.scheme else "(unparsable)"


def _database_url(settings: Settings) -> Finding:
    subject = redacted_url(settings.database_url)
    try:
        url = make_url(settings.database_url)
    except ArgumentError:
        return fail(
            CHECK,
            "FRONTDESK_DATABASE_URL",
            "not a database URL",
            "sqlite+aiosqlite:///path/frontdesk.db or postgresql+psycopg://user:pass@host/db",
        )
    if url.drivername not in {"sqlite+aiosqlite", "postgresql+psycopg"}:
        return fail(
            CHECK,
            subject,
            f"driver {url.drivername!r} is not one frontdesk runs on",
            "use sqlite+aiosqlite:// (embedded) or postgresql+psycopg:// (scale-out)",
        )
    if settings.is_sqlite:
        return ok(CHECK, subject, "embedded SQLite: one `frontdesk serve` process")
    return ok(CHECK, subject, "PostgreSQL: serve and workers may run on several machines")


def _secret_key(settings: Settings) -> Finding:
    subject = "FRONTDESK_SECRET_KEY"
    if settings.secret_key is None:
        return warn(
            CHECK,
            subject,
            "not set: tenants' Retell and Cal.com keys are stored unencrypted",
            f"set one: {NEW_SECRET_KEY}",
        )
    try:
        Fernet(settings.secret_key.get_secret_value().encode())
    except ValueError:
        return fail(
            CHECK,
            subject,
            "set, but not a Fernet key (32 url-safe base64-encoded bytes)",
            f"restore the key the stored values were sealed with, or make a new one: "
            f"{NEW_SECRET_KEY}",
        )
    return ok(CHECK, subject, "set: provider keys are sealed at rest")


def _base_url(settings: Settings) -> Finding:
    subject = "FRONTDESK_BASE_URL"
    parts = urlsplit(settings.base_url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return fail(
            CHECK,
            subject,
            f"{settings.base_url!r} is not an http(s) URL",
            "the public URL of this install, e.g. https://frontdesk.example.com",
        )
    local = parts.hostname in LOCAL_HOSTS
    if local and not settings.is_sqlite:
        return warn(
            CHECK,
            subject,
            f"{settings.base_url}: Retell and Cal.com cannot reach a local address",
            "set the public https URL of the reverse proxy (docs/deployment.md)",
        )
    if not local and parts.scheme != "https":
        return warn(
            CHECK,
            subject,
            f"{settings.base_url}: webhooks and tool calls would travel unencrypted",
            "serve behind TLS (docs/deployment.md) and use its https:// URL",
        )
    return ok(CHECK, subject, settings.base_url)


def _worker(settings: Settings) -> Finding:
    subject = "FRONTDESK_EMBEDDED_WORKER"
    if settings.embedded_worker:
        return ok(CHECK, subject, "on: jobs run inside `frontdesk serve`")
    return ok(CHECK, subject, "off: jobs run only in `frontdesk worker` processes")
