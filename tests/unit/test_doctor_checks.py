"""``frontdesk doctor``'s judgements as pure functions: thresholds, classification, exit code
and that nothing secret reaches a finding."""

from __future__ import annotations

import asyncio
import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import SecretStr, ValidationError
from tests.deploy_support import ROOT, runbook_anchors, slug

from frontdesk import secrets
from frontdesk.calendars.errors import CalendarAuthFailed, CalendarUnavailable
from frontdesk.calendars.port import ProviderLink, Subscription
from frontdesk.domain.model import CalendarProvider
from frontdesk.operations import doctor_checks as checks
from frontdesk.operations.doctor import Installation, bounded, run_doctor
from frontdesk.operations.doctor_config import check_configuration, not_loaded, redacted_url
from frontdesk.operations.doctor_model import Finding, Status, exit_code
from frontdesk.operations.doctor_ports import CalendarLink, TenantFacts
from frontdesk.operations.doctor_text import CheckTimedOut
from frontdesk.settings import Settings

T0 = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
URL = "https://frontdesk.example/calcom/webhook/salon"


def tenant(**changes: object) -> TenantFacts:
    base: dict[str, object] = {
        "slug": "salon",
        "sealed_retell_key": None,
        "numbers": ["+4930123456789"],
        "calendars": [],
    }
    return TenantFacts(**(base | changes))  # type: ignore[arg-type]


def link(webhooks: dict[str, str], *, secret: bool = True) -> CalendarLink:
    provider = ProviderLink(uuid.uuid4(), "salon", CalendarProvider.CALCOM, "plain:k", None, {})
    return CalendarLink("Mitte", provider, webhooks, secret)


@given(st.floats(min_value=-3600, max_value=3600), st.floats(min_value=0, max_value=2))
def test_skew_is_judged_beyond_the_round_trip(skew_s: float, rtt_s: float) -> None:
    before, after = T0, T0 + timedelta(seconds=rtt_s)
    server = before + (after - before) / 2 + timedelta(seconds=skew_s)
    beyond = abs(skew_s) - rtt_s / 2
    status = checks.clock_skew(before, server, after).status
    if beyond >= checks.SKEW_FAIL.total_seconds() + 1e-3:
        assert status is Status.FAIL
    elif (
        checks.SKEW_WARN.total_seconds() + 1e-3 <= beyond < checks.SKEW_FAIL.total_seconds() - 1e-3
    ):
        assert status is Status.WARN
    elif beyond < checks.SKEW_WARN.total_seconds() - 1e-3:
        assert status is Status.OK


def test_skew_says_which_way() -> None:
    ahead = checks.clock_skew(T0, T0 - timedelta(seconds=20), T0)
    assert ahead.status is Status.FAIL
    assert "20.000 s ahead" in ahead.finding
    assert checks.clock_skew(T0, None, T0).status is Status.OK


def test_migrations() -> None:
    known = ["0009", "0008", "0001"]
    assert checks.migrations("0009", "0009", known).status is Status.OK
    assert "never been migrated" in checks.migrations(None, "0009", known).finding
    assert "behind" in checks.migrations("0008", "0009", known).finding
    assert "unknown" in checks.migrations("0042", "0009", known).finding


def test_retell_key() -> None:
    key = SecretStr(secrets.new_key())
    own = secrets.seal(SecretStr("key_abcdefgh12345678"), key)
    assert checks.retell_key(tenant(), True, None).status is Status.OK
    assert checks.retell_key(tenant(), False, None).status is Status.FAIL
    assert checks.retell_key(tenant(sealed_retell_key=own), False, key).status is Status.OK
    other = SecretStr(secrets.new_key())
    unreadable = checks.retell_key(tenant(sealed_retell_key=own), True, other)
    assert unreadable.status is Status.FAIL
    assert "key_abcdefgh12345678" not in str(unreadable)
    plain = secrets.seal(SecretStr("key_abcdefgh12345678"), None)
    assert checks.retell_key(tenant(sealed_retell_key=plain), False, key).status is Status.WARN
    assert checks.retell_key(tenant(sealed_retell_key=plain), False, None).status is Status.OK


def test_numbers() -> None:
    assert checks.numbers(tenant()).status is Status.OK
    assert checks.numbers(tenant(numbers=[])).status is Status.WARN
    assert checks.numbers(tenant(numbers=["030 1234567"])).status is Status.FAIL


def test_webhooks_compare_stored_with_held() -> None:
    hooks = {"7001": "11", "7002": "12"}
    held = {
        "7001": [Subscription("11", URL, True)],
        "7002": [Subscription("12", URL + "/", True)],
    }
    assert checks.webhooks(tenant(), link(hooks), URL, held).status is Status.OK
    gone = checks.webhooks(tenant(), link(hooks), URL, held | {"7002": []})
    assert (gone.status, gone.finding) == (Status.FAIL, "missing for event type(s) 7002")
    off = {"7001": [Subscription("11", URL, False)], "7002": held["7002"]}
    assert checks.webhooks(tenant(), link(hooks), URL, off).finding == (
        "inactive for event type(s) 7001"
    )
    moved = {"7001": [Subscription("11", "https://old.example/x", True)], "7002": held["7002"]}
    assert checks.webhooks(tenant(), link(hooks), URL, moved).status is Status.WARN
    assert checks.webhooks(tenant(), link({}, secret=True), URL, {}).status is Status.WARN
    assert checks.webhooks(tenant(), link({}, secret=False), URL, {}).status is Status.FAIL


def test_calendar_failures_by_meaning() -> None:
    refused = CalendarAuthFailed("Invalid API Key", status=401)
    found = checks.calendar_failed(tenant(), link({}), refused)
    assert found.finding == "calcom: refused the key (401): Invalid API Key"
    assert "calcom connect" in found.action
    down = CalendarUnavailable("boom", reason="connect", maybe_applied=False)
    assert "unreachable (connect)" in checks.calendar_failed(tenant(), link({}), down).finding
    late = checks.calendar_failed(tenant(), link({}), CheckTimedOut("no answer within 5 s"))
    assert late.finding == "calcom: no answer within 5 s"


@pytest.mark.parametrize(
    ("statuses", "strict", "code"),
    [
        ([Status.OK, Status.SKIP], False, 0),
        ([Status.OK, Status.WARN], False, 0),
        ([Status.OK, Status.WARN], True, 1),
        ([Status.FAIL], False, 1),
    ],
)
def test_exit_code(statuses: list[Status], strict: bool, code: int) -> None:
    findings = [Finding("c", "s", status, "f") for status in statuses]
    assert exit_code(findings, strict=strict) == code


def test_configuration() -> None:
    healthy = Settings(
        database_url="postgresql+psycopg://fd:pw@db/fd",
        secret_key=SecretStr(secrets.new_key()),
        base_url="https://frontdesk.example",
    )
    assert all(f.status is Status.OK for f in check_configuration(healthy))
    local = healthy.model_copy(update={"base_url": "http://127.0.0.1:8000"})
    assert Status.WARN in {f.status for f in check_configuration(local)}
    broken = healthy.model_copy(update={"secret_key": SecretStr("not-a-fernet-key")})
    bad = [f for f in check_configuration(broken) if f.status is Status.FAIL]
    assert [f.subject for f in bad] == ["FRONTDESK_SECRET_KEY"]
    assert "not-a-fernet-key" not in str(bad)
    wrong_driver = healthy.model_copy(update={"database_url": "mysql://u:pw@h/d"})
    assert Status.FAIL in {f.status for f in check_configuration(wrong_driver)}


def test_settings_that_do_not_load_never_echo_the_value() -> None:
    with pytest.raises(ValidationError) as caught:
        Settings(db_pool_size="hunter2")  # type: ignore[arg-type]
    (finding,) = not_loaded(caught.value)
    assert finding.subject == "FRONTDESK_DB_POOL_SIZE"
    assert "hunter2" not in str(finding)


def test_urls_are_printed_without_their_password() -> None:
    assert redacted_url("postgresql+psycopg://fd:s3cret@db:5432/fd") == (
        "postgresql+psycopg://fd:***@db:5432/fd"
    )
    assert "s3cret" not in redacted_url("redis://:s3cret@cache:6379/0")


async def test_bounded_turns_a_hang_into_a_timeout() -> None:
    never: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    async def hang() -> None:
        await never

    with pytest.raises(CheckTimedOut, match=r"no answer within 0\.01 s"):
        await bounded(hang, 0.01)


def test_every_section_doctor_points_to_exists() -> None:
    """The "what to do" column names runbook and deployment sections; each must be there."""
    source = "\n".join(
        path.read_text(encoding="utf-8")
        for path in (ROOT / "src" / "frontdesk" / "operations").glob("*.py")
    )
    links = set(re.findall(r"docs/(runbook|deployment)\.md#([a-z0-9-]+)", source))
    assert {doc for doc, _ in links} == {"runbook", "deployment"}
    deployment = (ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")
    headings = {
        "runbook": runbook_anchors(),
        "deployment": {slug(m[1]) for m in re.finditer(r"^#{1,6} (.+)$", deployment, re.M)},
    }
    missing = [f"{doc}#{anchor}" for doc, anchor in links if anchor not in headings[doc]]
    assert missing == []


class FakeDatabase:
    def __init__(self, tenants: list[TenantFacts]) -> None:
        self._tenants = tenants

    async def revision(self) -> str | None:
        return "0009"

    async def server_now(self) -> datetime | None:
        return None

    async def tenants(self) -> list[TenantFacts]:
        return self._tenants


class HangingCalendar:
    """A Cal.com that accepts the connection and never answers."""

    async def account(self) -> str:
        await asyncio.get_running_loop().create_future()
        raise AssertionError("unreachable")

    async def subscriptions(self, event_type: str) -> list[Subscription]:
        raise AssertionError("not asked after the account failed")


class HangingProbes:
    def probe(self, link: ProviderLink) -> HangingCalendar:
        return HangingCalendar()


async def test_a_hanging_calendar_fails_each_tenant_in_order() -> None:
    slugs = [f"salon-{n:02d}" for n in range(12)]
    tenants = [
        tenant(slug=slug, calendars=[link({"7001": "1"})], sealed_retell_key=None) for slug in slugs
    ]
    installation = Installation(FakeDatabase(tenants), None, HangingProbes(), "0009", ["0009"])
    settings = Settings(retell_api_key=SecretStr("key_fallback_123"))
    findings = await run_doctor(settings, installation, lambda: T0, per_check=0.01)
    calendar = [f for f in findings if f.check == "calendar"]
    assert [f.subject for f in calendar] == [f"{slug} / Mitte" for slug in slugs]
    assert {(f.status, f.finding) for f in calendar} == {
        (Status.FAIL, "calcom: no answer within 0.01 s")
    }
    assert {f.status for f in findings if f.check == "webhooks"} == {Status.SKIP}
    assert exit_code(findings) == 1
