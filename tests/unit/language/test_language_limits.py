"""Hostile input never costs more than a bounded amount of work (issue 11, item 1).

No wall-clock assertions: the work is counted (vocabulary look-ups, cuts tried), and the 1 MB
inputs are refused by their length before any parsing, by construction.
"""

from __future__ import annotations

import pytest
from language_cases import WED

from frontdesk.language import de, en
from frontdesk.language.limits import MAX_INPUT_CHARS
from frontdesk.language.match import (
    MAX_PART,
    Entry,
    NameMatcher,
    ServiceMatcher,
    _cuts,
    _split_compound,
    name_similarity,
)
from frontdesk.language.phone import InvalidPhone, parse_phone

SERVICES = [
    Entry("damen", "Damenhaarschnitt", ("Haarschnitt Damen",)),
    Entry("herren", "Herrenhaarschnitt", ("Herrenschnitt",)),
]
MEGABYTE = 1_000_000


class _CountingVocabulary(frozenset[str]):
    """A vocabulary that counts how often it is asked."""

    lookups = 0

    def __contains__(self, word: object) -> bool:
        type(self).lookups += 1
        return super().__contains__(word)


@pytest.mark.parametrize("length", [12, 1_000, 100_000, MEGABYTE])
def test_splitting_one_long_word_asks_the_vocabulary_a_bounded_number_of_times(
    length: int,
) -> None:
    vocabulary = _CountingVocabulary({"herren", "haar", "schnitt", "damen"})
    _CountingVocabulary.lookups = 0
    parts = _split_compound("x" * (length - 7) + "schnitt", vocabulary, guess=True, longest=7)
    # Quadratic before: two look-ups for every one of the word's cuts, each slicing the word.
    assert _CountingVocabulary.lookups <= 4 * 7 + 8
    assert parts[-1] == "schnitt"
    assert "".join(parts) == "x" * (length - 7) + "schnitt"


@pytest.mark.parametrize("length", [7, 12, 80, MEGABYTE])
def test_cuts_are_bounded_by_the_longest_known_word(length: int) -> None:
    cuts = list(_cuts(length, MAX_PART))
    assert len(cuts) <= 2 * MAX_PART
    assert cuts == sorted(set(cuts), reverse=True)
    assert all(3 <= cut <= length - 3 for cut in cuts)
    if length <= 2 * MAX_PART:  # short words: every cut is tried, as before
        assert cuts == list(range(length - 3, 2, -1))


def test_splitting_still_finds_the_same_parts() -> None:
    vocabulary = frozenset({"herren", "haar", "schnitt", "haarschnitt", "damen"})
    assert _split_compound("herrenhaarschnitt", vocabulary, guess=True, longest=11) == [
        "herren",
        "haar",
        "schnitt",
    ]
    assert _split_compound("damenschnittchen", vocabulary, guess=True, longest=11) == [
        "damen",
        "schnittchen",
    ]


@pytest.mark.parametrize(
    "text", ["a" * MEGABYTE, "Herren" * 40_000, "Herren schnitt " * 50_000, "x" * 201]
)
def test_a_megabyte_service_or_name_is_refused_without_parsing(text: str) -> None:
    assert ServiceMatcher(SERVICES).match(text).best is None
    assert NameMatcher([Entry("anna", "Anna Becker")]).match(text).best is None
    assert name_similarity(text, "Anna Becker") == 0.0


def test_the_bound_is_generous_for_real_phrases() -> None:
    said = "ich hätte gern einen Herrenhaarschnitt " + " bitte" * 20
    assert len(said) <= MAX_INPUT_CHARS
    result = ServiceMatcher(SERVICES).match(said)
    assert result.resolved is not None
    assert result.resolved.id == "herren"


@pytest.mark.parametrize("parse", [de.parse_when, en.parse_when])
@pytest.mark.parametrize("text", ["9" * MEGABYTE, "morgen " * 200_000, "a" * 201])
def test_a_megabyte_date_phrase_is_a_question(parse: object, text: str) -> None:
    assert callable(parse)
    result = parse(text, WED)
    assert result.clarify is not None
    assert result.clarify.endswith("?")
    assert result.date is None


def test_an_absurd_offset_is_a_question_not_an_error() -> None:
    assert de.parse_when("in 99999999999 Wochen", WED).clarify
    assert en.parse_when("in 99999999999 weeks", WED).clarify


def test_a_megabyte_phone_number_is_invalid() -> None:
    assert isinstance(parse_phone("+49" + "1" * MEGABYTE), InvalidPhone)
