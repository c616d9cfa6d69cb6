"""Table tests: what the German and English parsers make of phrases callers actually say."""

from __future__ import annotations

from datetime import datetime

import pytest
from language_cases import (
    ENGLISH,
    ENGLISH_CLARIFY,
    GERMAN,
    GERMAN_CLARIFY,
    WED,
    Case,
)

from frontdesk.language import de, en
from frontdesk.language.when import When


def _ids(cases: list[Case]) -> list[str]:
    return [f"{now:%a %d %b %H:%M}: {phrase}" for now, phrase, _ in cases]


def test_tables_are_big_enough() -> None:
    assert len(GERMAN) + len(GERMAN_CLARIFY) >= 150
    assert len(ENGLISH) + len(ENGLISH_CLARIFY) >= 30


@pytest.mark.parametrize(("now", "phrase", "expected"), GERMAN, ids=_ids(GERMAN))
def test_german_phrase(now: datetime, phrase: str, expected: When) -> None:
    assert de.parse_when(phrase, now) == expected


@pytest.mark.parametrize(("now", "phrase"), GERMAN_CLARIFY)
def test_german_phrase_needs_a_question(now: datetime, phrase: str) -> None:
    result = de.parse_when(phrase, now)
    assert result.clarify
    assert result.clarify.endswith("?")
    assert (result.date, result.time, result.earliest, result.latest) == (None,) * 4


@pytest.mark.parametrize(("now", "phrase", "expected"), ENGLISH, ids=_ids(ENGLISH))
def test_english_phrase(now: datetime, phrase: str, expected: When) -> None:
    assert en.parse_when(phrase, now) == expected


@pytest.mark.parametrize(("now", "phrase"), ENGLISH_CLARIFY)
def test_english_phrase_needs_a_question(now: datetime, phrase: str) -> None:
    result = en.parse_when(phrase, now)
    assert result.clarify
    assert result.clarify.endswith("?")


@pytest.mark.parametrize(
    ("phrase", "question"),
    [
        ("30. Februar", "Den 30. Februar gibt es nicht. Welchen Tag meinen Sie?"),
        ("am 3.3.2020", "Der 3. März 2020 liegt in der Vergangenheit. Welchen Tag meinen Sie?"),
        ("Dienstag um 25 Uhr", "25 Uhr gibt es nicht. Welche Uhrzeit meinen Sie?"),
        (
            "am Dienstag, dem 25. November",
            "Der 25. November ist ein Mittwoch, kein Dienstag. Welchen Tag meinen Sie?",
        ),
        ("heute um 9", "9 Uhr ist heute schon vorbei. Welche Uhrzeit passt?"),
    ],
)
def test_german_questions_name_the_problem(phrase: str, question: str) -> None:
    assert de.parse_when(phrase, WED).clarify == question


def test_english_question_is_english() -> None:
    assert en.parse_when("February 30", WED).clarify == (
        "There is no 30 February. Which day do you mean?"
    )


def test_understood_flag() -> None:
    assert de.parse_when("morgen", WED).understood
    assert not de.parse_when("blablub", WED).understood
