"""A search box's text as a phone number: every notation of one German number searches for
that number's E.164 form; its beginning for a prefix of it; fragments and names for no prefix."""

from __future__ import annotations

import phonenumbers
import pytest
from hypothesis import given
from hypothesis import strategies as st
from phonenumbers import PhoneNumberFormat

from frontdesk.language.phone_search import PhoneQuery, display, phone_query

# Valid German numbers: mobile and landline prefixes with subscriber numbers libphonenumber
# accepts (checked below, so an invalid draw is skipped, not searched for).
_PREFIXES = ("151", "160", "170", "171", "176", "30", "40", "89", "221", "6221")
numbers = st.builds(
    lambda prefix, rest: f"+49{prefix}{rest}",
    st.sampled_from(_PREFIXES),
    st.integers(min_value=1_000_000, max_value=99_999_999).map(str),
).filter(lambda n: phonenumbers.is_valid_number(phonenumbers.parse(n)))
separators = st.sampled_from([" ", "-", "/", "", ".", "  "])


def _spelled(e164: str, style: int, separator: str) -> str:
    text = phonenumbers.format_number(phonenumbers.parse(e164), style)
    return text.replace(" ", separator)


@given(numbers, separators, st.sampled_from(["national", "international", "0049", "(0)"]))
def test_every_notation_of_a_number_searches_for_it(e164: str, sep: str, kind: str) -> None:
    if kind == "national":
        typed = _spelled(e164, PhoneNumberFormat.NATIONAL, sep)
    elif kind == "international":
        typed = _spelled(e164, PhoneNumberFormat.INTERNATIONAL, sep)
    elif kind == "0049":
        typed = "00" + e164[1:]
    else:
        typed = "+49 (0)" + e164[3:]
    assert phone_query(typed) == PhoneQuery(prefix=e164)


@given(numbers, st.integers(min_value=3, max_value=6))
def test_the_beginning_of_a_national_number_is_a_prefix_of_it(e164: str, digits: int) -> None:
    national = "0" + e164[3:]
    query = phone_query(national[: digits + 1])
    assert query is not None
    assert query.prefix is not None
    assert e164.startswith(query.prefix)


@given(numbers)
def test_display_reads_back_as_the_same_number(e164: str) -> None:
    shown = display(e164)
    assert shown is not None
    assert shown.startswith("0")
    assert phone_query(shown) == PhoneQuery(prefix=e164)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Erika", None),
        ("12", None),
        ("Erika 0151", None),
        ("2345678", PhoneQuery(digits="2345678")),
        ("+44 20 7946 0958", PhoneQuery(prefix="+442079460958")),
    ],
)
def test_names_short_digits_fragments_and_foreign_numbers(
    typed: str, expected: PhoneQuery | None
) -> None:
    assert phone_query(typed) == expected


def test_foreign_numbers_are_shown_internationally() -> None:
    assert display("+442079460958") == "+44 20 7946 0958"
    assert display(None) is None
