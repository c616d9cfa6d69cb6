"""The season's phrases (named days, parts of months, British times) and their invariants."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from language_cases import BERLIN, Case
from season_cases import (
    DEC01,
    ENGLISH_SEASON,
    ENGLISH_SEASON_CLARIFY,
    GERMAN_SEASON,
    GERMAN_SEASON_CLARIFY,
)

from frontdesk.language import de, en
from frontdesk.language.named_days import NAMED_DAYS, occurrence
from frontdesk.language.when import When


def _ids(cases: list[Case]) -> list[str]:
    return [f"{now:%d %b %Y}: {phrase}" for now, phrase, _ in cases]


@pytest.mark.parametrize(("now", "phrase", "expected"), GERMAN_SEASON, ids=_ids(GERMAN_SEASON))
def test_german_season_phrase(now: datetime, phrase: str, expected: When) -> None:
    assert de.parse_when(phrase, now) == expected


@pytest.mark.parametrize(("now", "phrase", "expected"), ENGLISH_SEASON, ids=_ids(ENGLISH_SEASON))
def test_english_season_phrase(now: datetime, phrase: str, expected: When) -> None:
    assert en.parse_when(phrase, now) == expected


@pytest.mark.parametrize(("now", "phrase"), GERMAN_SEASON_CLARIFY)
def test_german_season_phrase_needs_a_question(now: datetime, phrase: str) -> None:
    result = de.parse_when(phrase, now)
    assert result.clarify
    assert result.clarify.endswith("?")
    assert (result.date, result.time, result.latest_date) == (None, None, None)


@pytest.mark.parametrize(("now", "phrase"), ENGLISH_SEASON_CLARIFY)
def test_english_season_phrase_needs_a_question(now: datetime, phrase: str) -> None:
    result = en.parse_when(phrase, now)
    assert result.clarify
    assert result.clarify.endswith("?")


def test_wrong_weekday_for_a_named_day_names_both() -> None:
    assert de.parse_when("Heiligabend am Freitag", DEC01).clarify == (
        "Der 24. Dezember ist ein Donnerstag, kein Freitag. Welchen Tag meinen Sie?"
    )


@pytest.mark.parametrize(
    ("year", "easter"),
    [(2024, date(2024, 3, 31)), (2025, date(2025, 4, 20)), (2038, date(2038, 4, 25))],
)
def test_movable_feasts_follow_easter(year: int, easter: date) -> None:
    now = datetime(year, 1, 1, 9, 0, tzinfo=BERLIN)
    assert de.parse_when("Ostersonntag", now).date == easter
    assert de.parse_when("Karfreitag", now).date == easter - timedelta(days=2)
    assert de.parse_when("Pfingstmontag", now).date == easter + timedelta(days=50)
    assert en.parse_when("Ascension Day", now).date == easter + timedelta(days=39)


# --- invariants, for any reference moment -------------------------------------------------

# Any moment from 1971 to 2199 in Berlin: both DST changes and every turn of the year included.
_MOMENTS = st.datetimes(
    min_value=datetime(1971, 1, 1), max_value=datetime(2199, 12, 31, 23, 59)
).map(lambda naive: naive.replace(tzinfo=UTC).astimezone(BERLIN))

_GERMAN_PHRASES = sorted({phrase for _, phrase, _ in GERMAN_SEASON})
_ENGLISH_PHRASES = sorted({phrase for _, phrase, _ in ENGLISH_SEASON})


def _check(result: When, now: datetime) -> None:
    if result.clarify is not None:
        assert result.clarify.endswith("?")
        return
    today = now.date()
    if result.date is not None:
        assert result.date >= today
    if result.latest_date is not None:
        assert result.date is not None
        assert result.latest_date > result.date  # a range is never empty nor a single day
    if result.date == today and result.time is not None:
        assert result.time >= now.time().replace(tzinfo=None, second=0, microsecond=0)


@settings(max_examples=600, deadline=None)
@given(_MOMENTS, st.sampled_from(_GERMAN_PHRASES))
def test_german_season_phrases_never_resolve_into_the_past(now: datetime, phrase: str) -> None:
    _check(de.parse_when(phrase, now), now)


@settings(max_examples=600, deadline=None)
@given(_MOMENTS, st.sampled_from(_ENGLISH_PHRASES))
def test_english_season_phrases_never_resolve_into_the_past(now: datetime, phrase: str) -> None:
    _check(en.parse_when(phrase, now), now)


@settings(max_examples=400, deadline=None)
@given(st.dates(min_value=date(1901, 1, 1), max_value=date(2999, 12, 31)))
def test_every_named_day_is_its_next_occurrence(today: date) -> None:
    for key, span_of in NAMED_DAYS.items():
        first, last = occurrence(key, today)
        assert today <= first <= last
        # It is the next one: the same named day a year earlier has ended before today.
        earlier = span_of(last.year - 1)
        assert earlier[1] < today or earlier[1] == last


@settings(max_examples=300, deadline=None)
@given(_MOMENTS)
def test_named_day_with_a_time_keeps_both(now: datetime) -> None:
    result = de.parse_when("Silvester um 16 Uhr", now)
    if result.clarify is None:
        assert result.date is not None
        assert (result.date.month, result.date.day) == (12, 31)
        assert result.time is not None
        assert result.time.hour == 16
    else:  # only on New Year's Eve itself, after 16:00
        assert (now.month, now.day, now.hour) >= (12, 31, 16)
