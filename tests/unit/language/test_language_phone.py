"""Caller IDs in every shape providers send them → E.164, withheld or invalid."""

from __future__ import annotations

import pytest

from frontdesk.language.phone import E164, InvalidPhone, Withheld, parse_phone


@pytest.mark.parametrize(
    ("raw", "number", "mobile"),
    [
        ("0171 1234567", "+491711234567", True),
        ("+49 (0)30 123456", "+4930123456", False),
        ("030/123456", "+4930123456", False),
        ("0049 89 1234567", "+49891234567", False),
        ("+4930123456789", "+4930123456789", False),
        ("+49 151 12345678", "+4915112345678", True),
        ("015112345678", "+4915112345678", True),
        ("+44 20 7946 0958", "+442079460958", False),
        ("tel:+4930123456789", "+4930123456789", False),
        ("sip:+4930123456789@carrier.example;user=phone", "+4930123456789", False),
    ],
)
def test_numbers_become_e164(raw: str, number: str, mobile: bool) -> None:
    assert parse_phone(raw) == E164(number, mobile)


def test_default_region_decides_numbers_without_country_code() -> None:
    assert parse_phone("020 7946 0958", "GB") == E164("+442079460958", False)
    assert isinstance(parse_phone("020 7946 0958"), InvalidPhone)


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "",
        "   ",
        "anonymous",
        "Anonymous",
        "unknown",
        "private",
        "Unbekannt",
        "restricted",
        "+266696687",
        "266696687",
        "abc",
        "sip:anonymous@10.0.0.1",
    ],
)
def test_hidden_numbers_are_withheld(raw: str | None) -> None:
    assert parse_phone(raw) == Withheld(raw)


@pytest.mark.parametrize("raw", ["12", "+49 123", "0000000000000000000", "+999 12345"])
def test_digits_that_are_no_number_are_invalid(raw: str) -> None:
    result = parse_phone(raw)
    assert isinstance(result, InvalidPhone)
    assert result.raw == raw


def test_national_format_for_display() -> None:
    result = parse_phone("+4930123456789")
    assert isinstance(result, E164)
    assert result.national == "030 123456789"
