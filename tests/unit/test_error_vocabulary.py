"""The one error vocabulary (ADR 0018): every domain error is told in REST and in speech, the
classifier keeps outages apart from bugs, and the report counts each as its kind."""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
import structlog
from prometheus_client import REGISTRY
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError as RedisResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError
from retell import APIConnectionError, BadRequestError, InternalServerError
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError
from sqlalchemy.exc import TimeoutError as PoolTimeout

import frontdesk
from frontdesk.availability.model import Unavailable
from frontdesk.booking import manage
from frontdesk.calendars.errors import (
    CalendarAuthFailed,
    CalendarRejected,
    CalendarUnavailable,
    RateLimited,
)
from frontdesk.db.errors import WriteRefused
from frontdesk.domain import errors as domain
from frontdesk.failures import Kind, classify, domain_meaning, meaning, report, speech
from frontdesk.failures import reporting as report_module
from frontdesk.failures.vocabulary import DOMAIN_SPEECH, INTEGRATION, INTERNAL_ERROR
from frontdesk.resilience import outage
from frontdesk.resilience.breaker import BreakerOpen
from frontdesk.resilience.ratelimit import RateBudgetExhausted
from frontdesk.voice.outage import DatabaseDown


def subclasses(cls: type[domain.DomainError]) -> list[type[domain.DomainError]]:
    found: list[type[domain.DomainError]] = []
    for sub in cls.__subclasses__():
        found += [sub, *subclasses(sub)]
    return found


def codes_of(cls: type[domain.DomainError]) -> list[str]:
    """The codes an error class answers with: its own, or (``SlotUnavailable``) each reason."""
    if cls is domain.SlotUnavailable:
        return sorted({*domain.UNAVAILABLE, *(str(reason) for reason in Unavailable)})
    return [cls.code]


def untold(code: str) -> list[str]:
    """What is missing for ``code`` to be told in both languages."""
    speech_pair = DOMAIN_SPEECH.get(code)
    if speech_pair is None:
        return ["no speech"]
    german, english = speech_pair
    return [f"empty {lang}" for lang, text in (("de", german), ("en", english)) if not text.strip()]


def import_everything() -> None:
    """Import every module of the package, so a domain error defined anywhere is seen (not
    the migrations, whose env runs Alembic, nor the entry points)."""
    root = Path(frontdesk.__file__).parent
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root.parent).with_suffix("").parts
        if "migrations" in parts or parts[-1] == "__main__":
            continue
        importlib.import_module(".".join(parts[:-1] if parts[-1] == "__init__" else parts))


import_everything()
DOMAIN_CLASSES = [domain.DomainError, *subclasses(domain.DomainError)]


def make(cls: type[domain.DomainError], code: str) -> domain.DomainError:
    if cls is domain.SlotUnavailable:
        return domain.SlotUnavailable(code)
    if cls is domain.FeeNotAccepted:
        return domain.FeeNotAccepted("a fee applies", 1500)
    if issubclass(cls, domain.InvalidSetting):
        return cls("why", "Warum, auf Deutsch.")
    if cls is manage.LinkGone:
        return manage.LinkGone(manage.Gone.EXPIRED)
    return cls("why")


def test_the_domain_errors_are_found() -> None:
    """The iteration below sees the whole hierarchy (a new subclass joins it by itself)."""
    names = {cls.__name__ for cls in DOMAIN_CLASSES}
    assert {"SlotUnavailable", "AppointmentNotFound", "InvalidEmail", "ConcurrentUpdate"} <= names
    assert len(DOMAIN_CLASSES) >= 14


@pytest.mark.parametrize("cls", DOMAIN_CLASSES, ids=lambda cls: cls.__name__)
def test_every_domain_error_has_a_problem_and_speech_in_german_and_english(
    cls: type[domain.DomainError],
) -> None:
    # Each class names its own code: an inherited one would be told as its parent.
    assert cls is domain.SlotUnavailable or "code" in vars(cls), f"{cls.__name__} has no code"
    for code in codes_of(cls):
        assert untold(code) == [], (cls.__name__, code)
        exc = make(cls, code)
        told = domain_meaning(exc)
        assert told.kind is Kind.DOMAIN
        assert 400 <= told.status < 600
        assert told.title
        assert told.detail
        assert classify(exc).code == code


def test_the_check_finds_a_code_without_speech() -> None:
    assert untold("no_such_code") == ["no speech"]
    assert untold("slot_taken") == []


@pytest.mark.parametrize("code", [*DOMAIN_SPEECH, *INTEGRATION, INTERNAL_ERROR])
def test_every_sentence_is_short_and_has_nothing_left_to_fill(code: str) -> None:
    for language in ("de", "en"):
        text = speech(code, language)
        assert "{" not in text
        assert "}" not in text
        assert 1 <= len(re.findall(r"[.?!](?:\s|$)", text)) <= 2, text
    assert speech(code, "de") != speech(code, "en")


def test_an_unknown_domain_code_is_counted_and_told_under_one_label() -> None:
    failure = classify(domain.SlotUnavailable("a_reason_nobody_added"))
    assert (failure.kind, failure.code) == (Kind.DOMAIN, "domain_error")


@pytest.mark.parametrize("code", [*INTEGRATION, INTERNAL_ERROR])
def test_failures_of_dependencies_and_bugs_are_server_errors(code: str) -> None:
    told = meaning(code)
    assert told.kind is (Kind.BUG if code == INTERNAL_ERROR else Kind.INTEGRATION)
    assert told.status in (500, 502, 503)
    assert (told.retry_after is not None) == (told.status == 503)


def _down() -> OperationalError:
    return OperationalError("SELECT 1", {}, ConnectionRefusedError("connection refused"))


def _raised_from(cause: BaseException) -> DatabaseDown:
    try:
        raise DatabaseDown(cause) from cause
    except DatabaseDown as exc:
        return exc


CASES: list[tuple[BaseException, Kind, str, str | None]] = [
    (domain.ConcurrentUpdate("x"), Kind.DOMAIN, "concurrent_update", None),
    (_down(), Kind.INTEGRATION, "database_unavailable", "database"),
    (PoolTimeout("no connection free"), Kind.INTEGRATION, "database_unavailable", "database"),
    (_raised_from(_down()), Kind.INTEGRATION, "database_unavailable", "database"),
    (RedisConnectionError("refused"), Kind.INTEGRATION, "redis_unavailable", "redis"),
    (RedisTimeoutError("hung"), Kind.INTEGRATION, "redis_unavailable", "redis"),
    (
        CalendarUnavailable("5xx", reason="server_error", maybe_applied=True),
        Kind.INTEGRATION,
        "calendar_unavailable",
        "calendar",
    ),
    (RateLimited("429", retry_in=60), Kind.INTEGRATION, "calendar_unavailable", "calendar"),
    (BreakerOpen("calcom", "t", 5.0), Kind.INTEGRATION, "calendar_unavailable", "calendar"),
    (RateBudgetExhausted(1.0), Kind.INTEGRATION, "calendar_unavailable", "calendar"),
    (CalendarAuthFailed("bad key"), Kind.INTEGRATION, "calendar_failed", "calendar"),
    (CalendarRejected("bad field"), Kind.INTEGRATION, "calendar_failed", "calendar"),
    (
        APIConnectionError(request=httpx.Request("GET", "https://api.retellai.com")),
        Kind.INTEGRATION,
        "retell_unavailable",
        "retell",
    ),
    (
        InternalServerError(
            "boom",
            response=httpx.Response(500, request=httpx.Request("GET", "https://x")),
            body=None,
        ),
        Kind.INTEGRATION,
        "retell_unavailable",
        "retell",
    ),
    (TimeoutError(), Kind.INTEGRATION, "timeout", "database"),
    # Bugs: our SQL, a refused row nobody expected, a Redis command misused, our own request
    # to Retell, a file, anything else.
    (ProgrammingError("SELEC", {}, Exception("syntax")), Kind.BUG, "internal_error", None),
    (IntegrityError("INSERT", {}, Exception("unique")), Kind.BUG, "internal_error", None),
    (WriteRefused("unique"), Kind.BUG, "internal_error", None),
    (RedisResponseError("WRONGTYPE"), Kind.BUG, "internal_error", None),
    (
        BadRequestError(
            "bad",
            response=httpx.Response(400, request=httpx.Request("GET", "https://x")),
            body=None,
        ),
        Kind.BUG,
        "internal_error",
        None,
    ),
    (FileNotFoundError("prompt.md"), Kind.BUG, "internal_error", None),
    (ConnectionRefusedError("not the database"), Kind.BUG, "internal_error", None),
    (KeyError("slot"), Kind.BUG, "internal_error", None),
    (RuntimeError("anything"), Kind.BUG, "internal_error", None),
]


@pytest.mark.parametrize(
    ("exc", "kind", "code", "dependency"), CASES, ids=[type(c[0]).__name__ for c in CASES]
)
def test_the_classifier_keeps_outages_apart_from_bugs(
    exc: BaseException, kind: Kind, code: str, dependency: str | None
) -> None:
    failure = classify(exc)
    assert (failure.kind, failure.code, failure.dependency) == (kind, code, dependency)
    assert failure.exc is exc


def test_a_bare_timeout_is_charged_to_what_was_awaited() -> None:
    assert classify(TimeoutError(), awaiting="redis").dependency == "redis"


def _errors(kind: str, code: str, where: str) -> float:
    value = REGISTRY.get_sample_value(
        "frontdesk_errors_total", {"kind": kind, "code": code, "where": where}
    )
    return value or 0.0


def _degraded(dependency: str, where: str) -> float:
    value = REGISTRY.get_sample_value(
        "frontdesk_degraded_total", {"dependency": dependency, "where": where}
    )
    return value or 0.0


def test_a_bug_is_counted_as_one_and_logged_with_its_traceback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    try:
        raise RuntimeError("the bug")
    except RuntimeError as exc:
        bug = classify(exc)
    before = _errors("bug", "internal_error", "unit_test")
    outage_before = _degraded("database", "unit_test")
    with structlog.testing.capture_logs() as logs:
        monkeypatch.setattr(report_module, "log", structlog.get_logger(report_module.__name__))
        report(bug, "unit_test", request="r1")
    assert _errors("bug", "internal_error", "unit_test") == before + 1
    assert _degraded("database", "unit_test") == outage_before
    [line] = logs
    assert line["log_level"] == "error"
    assert line["exc_info"] is bug.exc
    assert (line["where"], line["request"]) == ("unit_test", "r1")


def test_an_outage_is_counted_and_warned_about_without_a_traceback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    failure = classify(_down())
    before = _errors("integration", "database_unavailable", "unit_outage")
    degraded_before = _degraded("database", "unit_outage")
    with structlog.testing.capture_logs() as logs:
        monkeypatch.setattr(outage, "log", structlog.get_logger(outage.__name__))
        monkeypatch.setattr(report_module, "log", structlog.get_logger(report_module.__name__))
        report(failure, "unit_outage")
        report(failure, "unit_outage")
    assert _errors("integration", "database_unavailable", "unit_outage") == before + 2
    assert _degraded("database", "unit_outage") == degraded_before + 2
    warnings: list[dict[str, Any]] = [e for e in logs if e["log_level"] == "warning"]
    # Said once per 30 s, not per occurrence, and never with a traceback.
    assert len(warnings) == 1
    assert "exc_info" not in warnings[0]
    assert not [e for e in logs if e["log_level"] == "error"]


def test_a_refusal_is_counted_and_not_logged() -> None:
    failure = classify(domain.TooLateToCancel("too late"))
    before = _errors("domain", "too_late_to_cancel", "unit_refusal")
    with structlog.testing.capture_logs() as logs:
        report(failure, "unit_refusal")
    assert _errors("domain", "too_late_to_cancel", "unit_refusal") == before + 1
    assert logs == []
