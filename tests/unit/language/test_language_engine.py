"""One rule engine for every language: a new language is a lexicon (a table), not a grammar."""

from __future__ import annotations

from datetime import datetime

import pytest
from language_cases import WED, w

from frontdesk.language import de, en
from frontdesk.language.facts import Part
from frontdesk.language.lexicon import Lexicon, QuestionTexts, phrases
from frontdesk.language.rules import Grammar
from frontdesk.language.when import PartOfDay

_DUTCH_QUESTIONS = QuestionTexts(
    not_understood="Wanneer wilt u komen?",
    no_such_day="Welke dag bedoelt u?",
    no_such_date="Welke dag bedoelt u?",
    past_date="Welke dag bedoelt u?",
    past_time="Welke tijd past u?",
    skipped_time="Welke tijd past u?",
    bad_hour="Welke tijd bedoelt u?",
    bad_time="Welke tijd bedoelt u?",
    weekday_mismatch="Welke dag bedoelt u?",
    conflict="Welke dag en tijd bedoelt u?",
    bad_range="Van wanneer tot wanneer?",
    day_month="{day} {month}",
    day_month_year="{day} {month} {year}",
)

# A third language in thirty lines of data: no rule is written for it.
DUTCH = Lexicon(
    code="nl",
    questions=_DUTCH_QUESTIONS,
    normalise=str.lower,
    fillers=frozenset({"eh", "graag", "alstublieft"}),
    number_words={"tien": (10, False), "twee": (2, False), "drie": (3, False)},
    weekdays={"maandag": 0, "dinsdag": 1, "woensdag": 2, "donderdag": 3, "vrijdag": 4},
    months={"januari": 1, "december": 12},
    parts_of_day={"ochtend": PartOfDay.MORNING, "middag": PartOfDay.AFTERNOON},
    relative_days={"vandaag": 0, "morgen": 1, "overmorgen": 2},
    modifiers={"volgende": 1, "deze": 0},
    week_words=frozenset({"week"}),
    month_words=frozenset({"maand"}),
    part_words={"begin": Part.START, "midden": Part.MIDDLE, "eind": Part.END},
    part_links=frozenset({"van"}),
    at_words=frozenset({"om"}),
    range_words=frozenset({"tussen"}),
    range_joins=frozenset({"en"}),
    hour_words=frozenset({"uur"}),
    fractions={"kwart": 15},
    direct_fractions={"half": 30},
    direct_counts_back=True,  # "half drie" is 2:30, as in German
    past_words=frozenset({"over"}),
    to_words=frozenset({"voor"}),
    in_words=frozenset({"over"}),
    day_units=frozenset({"dagen"}),
    named_days=phrases(("kerstavond", "christmas_eve"), ("oudejaarsavond", "new_years_eve")),
    before_words=frozenset({"voor"}),
    after_words=frozenset({"na"}),
)
_dutch = Grammar(DUTCH)


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("morgen om tien uur", w("2026-11-19", "10:00")),
        ("volgende dinsdag om half drie", w("2026-11-24", "14:30")),
        ("vrijdag kwart over tien", w("2026-11-20", "10:15")),
        ("kerstavond om tien uur", w("2026-12-24", "10:00")),
        ("eind januari", w("2027-01-21", until="2027-01-31")),
        ("volgende maand", w("2026-12-01", until="2026-12-31")),
        ("begin volgende week", w("2026-11-23", until="2026-11-25")),
        ("morgen tussen twee en drie", w("2026-11-19", None, "14:00", "15:00")),
    ],
)
def test_a_third_language_is_a_table(phrase: str, expected: object) -> None:
    assert _dutch.parse_when(phrase, WED) == expected


def test_a_named_day_may_not_use_a_filler_word() -> None:
    with pytest.raises(ValueError, match="filler"):
        Lexicon(
            code="xx",
            questions=_DUTCH_QUESTIONS,
            normalise=str.lower,
            fillers=frozenset({"eve"}),
            number_words={},
            weekdays={},
            months={},
            parts_of_day={},
            relative_days={},
            named_days=phrases(("christmas eve", "christmas_eve")),
        )


@pytest.mark.parametrize(
    ("german", "english"),
    [
        ("Heiligabend um zehn", "Christmas Eve at ten"),
        ("Mitte nächster Woche", "middle of next week"),
        ("Ende Januar", "late January"),
        ("nächsten Monat", "next month"),
        ("am Tag vor Silvester", "the day before New Year's Eve"),
        ("viertel nach drei", "quarter past three"),
        ("zwischen 14 und 16 Uhr", "between 2 and 4 pm"),
    ],
)
def test_german_and_english_mean_the_same(german: str, english: str) -> None:
    now = datetime(2026, 12, 1, 9, 0, tzinfo=WED.tzinfo)
    assert de.parse_when(german, now) == en.parse_when(english, now)
