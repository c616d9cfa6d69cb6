"""The one set of input rules (domain.rules) and the untrusted-JSON reader."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from frontdesk import untrusted
from frontdesk.domain import rules
from frontdesk.domain.errors import InvalidEmail, InvalidRequest


@pytest.mark.parametrize(
    "value",
    [
        datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=23, minutes=59))),
        datetime(9999, 12, 31, 23, 59, tzinfo=timezone(-timedelta(hours=23, minutes=59))),
        datetime(1999, 12, 31, 23, 59, tzinfo=UTC),
        datetime(2200, 1, 1, tzinfo=UTC),
        datetime(2026, 12, 1, 10, 0),
    ],
)
def test_instants_outside_the_supported_range_are_refused(value: datetime) -> None:
    with pytest.raises(InvalidRequest):
        rules.instant(value)


def test_a_bookable_start_is_utc_in_whole_minutes() -> None:
    berlin = timezone(timedelta(hours=1))
    assert rules.bookable_start(datetime(2026, 12, 1, 10, 7, tzinfo=berlin)) == datetime(
        2026, 12, 1, 9, 7, tzinfo=UTC
    )
    with pytest.raises(InvalidRequest, match="whole minute"):
        rules.bookable_start(datetime(2026, 12, 1, 10, 0, 30, tzinfo=berlin))


def test_days_outside_the_range_are_refused() -> None:
    assert rules.day(date(2026, 12, 1)) == date(2026, 12, 1)
    for bad in (date(1, 1, 1), date(9999, 12, 31)):
        with pytest.raises(InvalidRequest):
            rules.day(bad)


@pytest.mark.parametrize("value", [1e20, 2**62, -(2**62), float("nan"), float("inf"), True, "1"])
def test_implausible_epoch_millis_are_none(value: object) -> None:
    assert rules.epoch_millis(value) is None


def test_names_emails_and_call_ids() -> None:
    assert rules.customer_name("  Erika  ") == "Erika"
    for bad in ("x" * 201, "a\x00b", "a\nb"):
        with pytest.raises(InvalidRequest):
            rules.customer_name(bad)
    assert rules.email("Max@Example.DE") == "Max@example.de"
    assert rules.email(None) is None
    for bad in ("not-an-email", "a@b", "a@b\x00.de", "x" * 250 + "@example.de"):
        with pytest.raises(InvalidEmail):
            rules.email(bad)
    assert rules.call_id("c" * 128) == "c" * 128
    assert rules.call_id("c" * 129) is None
    assert rules.call_id("") is None


def test_untrusted_json_never_raises_and_is_bounded() -> None:
    assert untrusted.loads(b"[" * 100_000 + b"]" * 100_000) is None
    assert untrusted.loads(b"\xff") is None
    deep = untrusted.loads(b"[" * 40 + b"]" * 40)
    with pytest.raises(untrusted.TooDeep):
        untrusted.sanitised(deep)
    clean = untrusted.sanitised({"a\ud800": ["x\x00y", {"k": "\udfff"}], "n": 1})
    assert clean == {"a\ufffd": ["xy", {"k": "\ufffd"}], "n": 1}
