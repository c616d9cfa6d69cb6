"""What the agent says: dates, times, options and prices, and that they read back unchanged."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from language_cases import BERLIN, DEC30, MAR27, OCT24, WED

from frontdesk.language import de, en
from frontdesk.language.speech import (
    say_date,
    say_datetime,
    say_options,
    say_price,
    say_time,
)

TODAY = WED.date()


@pytest.mark.parametrize(
    ("day", "german", "english"),
    [
        (date(2026, 11, 18), "heute", "today"),
        (date(2026, 11, 19), "morgen", "tomorrow"),
        (date(2026, 11, 20), "übermorgen", "on Friday"),
        (date(2026, 11, 24), "am Dienstag", "on Tuesday"),
        (date(2026, 11, 25), "am Mittwoch, dem 25. November", "on Wednesday, 25 November"),
        (date(2027, 1, 5), "am Dienstag, dem 5. Januar", "on Tuesday, 5 January"),
        (
            date(2027, 11, 18),
            "am Donnerstag, dem 18. November 2027",
            "on Thursday, 18 November 2027",
        ),
    ],
)
def test_dates_are_said_relative_to_today(day: date, german: str, english: str) -> None:
    assert say_date(day, TODAY) == german
    assert say_date(day, TODAY, "en") == english


@pytest.mark.parametrize(
    ("at", "german", "english"),
    [
        (time(14, 30), "14:30 Uhr", "2:30 pm"),
        (time(14, 0), "14 Uhr", "2 pm"),
        (time(9, 5), "9:05 Uhr", "9:05 am"),
        (time(12, 0), "12 Uhr", "12 pm"),
        (time(0, 15), "0:15 Uhr", "12:15 am"),
        (time(7, 30), "7:30 Uhr früh", "7:30 am"),
    ],
)
def test_times(at: time, german: str, english: str) -> None:
    assert say_time(at) == german
    assert say_time(at, "en") == english


def test_datetime_is_date_and_time() -> None:
    moment = datetime(2026, 11, 19, 14, 30, tzinfo=BERLIN)
    assert say_datetime(moment, TODAY) == "morgen um 14:30 Uhr"
    assert say_datetime(moment, TODAY, "en-GB") == "tomorrow at 2:30 pm"


def test_options_on_the_day_under_discussion_omit_the_date() -> None:
    monday = date(2026, 11, 16)
    thursday = date(2026, 11, 19)
    options = [
        datetime(2026, 11, 19, 10, 0, tzinfo=BERLIN),
        datetime(2026, 11, 19, 11, 30, tzinfo=BERLIN),
        datetime(2026, 11, 20, 9, 0, tzinfo=BERLIN),
    ]
    said = say_options(options, monday, context_date=thursday)
    assert said == "um 10 Uhr, um 11:30 Uhr oder am Freitag um 9 Uhr"
    said_en = say_options(options, monday, "en", context_date=thursday)
    assert said_en == "at 10 am, at 11:30 am or on Friday at 9 am"


def test_options_say_the_date_once_per_day() -> None:
    options = [
        datetime(2026, 11, 19, 10, 0, tzinfo=BERLIN),
        datetime(2026, 11, 19, 15, 0, tzinfo=BERLIN),
    ]
    assert say_options(options, TODAY) == "morgen um 10 Uhr oder um 15 Uhr"
    assert say_options(options[:1], TODAY) == "morgen um 10 Uhr"


@pytest.mark.parametrize("count", [0, 4])
def test_options_refuse_more_than_three_or_none(count: int) -> None:
    moment = datetime(2026, 11, 19, 10, 0, tzinfo=BERLIN)
    with pytest.raises(ValueError, match="1 to 3"):
        say_options([moment] * count, TODAY)


@pytest.mark.parametrize(
    ("cents", "german", "english"),
    [
        (2500, "25 Euro", "25 euros"),
        (2550, "25,50 Euro", "25.50 euros"),
        (100, "1 Euro", "1 euro"),
        (5, "0,05 Euro", "0.05 euros"),
        (125000, "1.250 Euro", "1,250 euros"),
    ],
)
def test_prices_from_cents(cents: int, german: str, english: str) -> None:
    assert say_price(cents) == german
    assert say_price(cents, "en") == english


def test_unknown_locale_is_refused() -> None:
    with pytest.raises(ValueError, match="unsupported locale"):
        say_time(time(9, 0), "fr")


# Any moment from a minute after "now" to a year ahead, on the wall clock of Berlin; the
# "now" values include both daylight-saving weekends and the turn of the year.
_NOWS = st.sampled_from([WED, DEC30, MAR27, OCT24])


@st.composite
def _now_and_later(draw: st.DrawFn) -> tuple[datetime, datetime]:
    now = draw(_NOWS)
    minutes = draw(st.integers(min_value=1, max_value=365 * 24 * 60))
    # Add real elapsed time in UTC: adding to a Berlin datetime would step over the DST gap
    # by wall clock and land on times that do not exist.
    later = (now.astimezone(UTC) + timedelta(minutes=minutes)).astimezone(BERLIN)
    return now, later


@settings(max_examples=400, deadline=None)
@given(_now_and_later())
def test_german_speech_reads_back(pair: tuple[datetime, datetime]) -> None:
    now, later = pair
    heard = de.parse_when(say_datetime(later, now.date()), now)
    assert (heard.date, heard.time) == (later.date(), later.time().replace(second=0))


@settings(max_examples=400, deadline=None)
@given(_now_and_later())
def test_english_speech_reads_back(pair: tuple[datetime, datetime]) -> None:
    now, later = pair
    heard = en.parse_when(say_datetime(later, now.date(), "en"), now)
    assert (heard.date, heard.time) == (later.date(), later.time().replace(second=0))
