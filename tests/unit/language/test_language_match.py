"""Matching the demo salon's services and staff (DESIGN §5) from what callers say."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from frontdesk.language.match import (
    Entry,
    MatchResult,
    NameMatcher,
    ServiceMatcher,
    name_similarity,
    normalise,
)

SERVICES = [
    Entry("damen", "Damenhaarschnitt", ("Haarschnitt Damen",)),
    Entry("herren", "Herrenhaarschnitt", ("Herrenschnitt",)),
    Entry("faerben", "Färben", ("Haare färben",)),
    Entry("bart", "Bartpflege", ("Bart trimmen",)),
    Entry("beratung", "Beratung", ()),
    Entry("waschen", "Waschen & Föhnen", ()),
]
STAFF = [
    Entry("anna", "Anna Becker"),
    Entry("jonas", "Jonas Weber"),
    Entry("mia", "Mia Schulz"),
]

services = ServiceMatcher(SERVICES)
staff = NameMatcher(STAFF)


def _ids(result: MatchResult[Entry]) -> list[str]:
    return [candidate.id for candidate in result.candidates]


@pytest.mark.parametrize(
    ("said", "service"),
    [
        ("Damenhaarschnitt", "damen"),
        ("Haarschnitt für Damen", "damen"),
        ("Damenschnitt", "damen"),
        ("damen-haarschnitt", "damen"),
        ("Herrenhaarschnitt", "herren"),
        ("Haarschnitt für Herren", "herren"),
        ("Herrenschnitt", "herren"),
        ("herren schnitt", "herren"),
        ("ich hätte gern einen Herrenhaarschnitt bei Jonas", "herren"),
        ("Färben", "faerben"),
        ("Haare färben lassen", "faerben"),
        ("faerben", "faerben"),
        ("Farbe", "faerben"),
        ("Bartpflege", "bart"),
        ("Bart trimmen", "bart"),
        ("den Bart", "bart"),
        ("Beratung", "beratung"),
        ("Beratungsgespräch", "beratung"),
        ("einen Beratungstermin bitte", "beratung"),
        ("Waschen und Föhnen", "waschen"),
        ("Föhnen", "waschen"),
        ("fönen", "waschen"),
        ("waschen, föhnen", "waschen"),
    ],
)
def test_service_from_spoken_variant(said: str, service: str) -> None:
    result = services.match(said)
    assert result.resolved is not None
    assert result.resolved.id == service
    assert 0.75 <= result.confidence <= 1.0


@pytest.mark.parametrize("said", ["Haarschnitt", "einen Haarschnitt bitte", "Schnitt"])
def test_haircut_alone_is_ambiguous_between_ladies_and_men(said: str) -> None:
    result = services.match(said)
    assert result.ambiguous
    assert sorted(_ids(result)) == ["damen", "herren"]
    assert result.resolved is None


@pytest.mark.parametrize("said", ["blablub", "Zahnreinigung", "", "bitte"])
def test_unknown_service_is_no_match(said: str) -> None:
    result = services.match(said)
    assert result.best is None
    assert result.candidates == ()


@pytest.mark.parametrize(
    ("said", "person"),
    [
        ("Anna", "anna"),
        ("Becker", "anna"),
        ("Frau Becker", "anna"),
        ("Ana", "anna"),
        ("Beker", "anna"),
        ("Jonas", "jonas"),
        ("Herr Weber", "jonas"),
        ("Jonaz", "jonas"),
        ("Webber", "jonas"),
        ("bei der Mia", "mia"),
        ("Schulz", "mia"),
        ("Schultz", "mia"),
        ("Mia Schulz bitte", "mia"),
    ],
)
def test_staff_by_first_name_last_name_or_misspelling(said: str, person: str) -> None:
    result = staff.match(said)
    assert result.resolved is not None
    assert result.resolved.id == person


def test_staff_nickname_alias() -> None:
    matcher = NameMatcher([Entry("jonas", "Jonas Weber", ("Joni",)), *STAFF[:1]])
    result = matcher.match("zum Joni")
    assert result.resolved is not None
    assert result.resolved.id == "jonas"


def test_shared_first_name_is_ambiguous_until_the_last_name() -> None:
    matcher = NameMatcher([*STAFF, Entry("anna-s", "Anna Schmidt")])
    both = matcher.match("bei Anna")
    assert both.ambiguous
    assert sorted(_ids(both)) == ["anna", "anna-s"]
    one = matcher.match("Anna Schmidt")
    assert one.resolved is not None
    assert one.resolved.id == "anna-s"


@pytest.mark.parametrize("said", ["Peter", "egal", "Müller", ""])
def test_unknown_person_is_no_match(said: str) -> None:
    assert staff.match(said).best is None


@dataclass(frozen=True)
class _Row:
    """A caller's own row type: any object with id, name and aliases works."""

    id: int
    name: str
    aliases: tuple[str, ...]


def test_callers_pass_their_own_rows() -> None:
    rows = [_Row(7, "Bartpflege", ("Bart trimmen",)), _Row(8, "Färben", ())]
    result = ServiceMatcher(rows).match("Bart")
    assert result.resolved == rows[0]


@pytest.mark.parametrize(
    ("heard", "known", "at_least"),
    [
        ("Müller", "Müller", 1.0),
        ("Mueller", "Müller", 1.0),
        ("Möller", "Müller", 0.9),
        ("Meier", "Mayer", 0.9),
        ("Müller", "Hans Müller", 1.0),
        ("Erika Musterman", "Erika Mustermann", 0.95),
    ],
)
def test_names_as_heard_match_phonetically(heard: str, known: str, at_least: float) -> None:
    assert name_similarity(heard, known) >= at_least


@pytest.mark.parametrize(("heard", "known"), [("Schmidt", "Müller"), ("", "Müller")])
def test_different_names_do_not_match(heard: str, known: str) -> None:
    assert name_similarity(heard, known) < 0.5


def test_normalise_folds_umlauts_and_punctuation() -> None:
    assert normalise("Waschen & Föhnen") == "waschen foehnen"
    assert normalise("Straße-Süd") == "strasse sued"


# --- what is done rather than the catalogue's noun (trade vocabulary, issue 10 §3) ---------


@pytest.mark.parametrize(
    ("said", "service"),
    [
        ("Herren schneiden", "herren"),
        ("schneiden, Herren", "herren"),
        ("Männerhaarschnitt", "herren"),
        ("Männer Haare schneiden", "herren"),
        ("für meinen Mann einen Haarschnitt", "herren"),
        ("Frauen schneiden", "damen"),
        ("Frauenhaarschnitt", "damen"),
        ("Damen Haare schneiden lassen", "damen"),
        ("Haare waschen", "waschen"),
        ("Haare föhnen", "waschen"),
        ("Haare waschen und föhnen", "waschen"),
        ("Damen färben", "faerben"),
        ("Haare tönen", "faerben"),
        ("Tönung", "faerben"),
        ("Strähnchen", "faerben"),
        ("Bart schneiden", "bart"),
        ("Bart trimmen lassen", "bart"),
        ("beraten lassen", "beratung"),
        ("men's haircut", "herren"),
        ("ladies' haircut", "damen"),
        ("wash and blow dry", "waschen"),
        ("beard trim", "bart"),
        ("colour", "faerben"),
    ],
)
def test_service_by_what_is_done(said: str, service: str) -> None:
    for trade in (None, "salon"):
        result = ServiceMatcher(SERVICES, trade=trade).match(said)
        assert result.resolved is not None, (trade, said)
        assert result.resolved.id == service


@pytest.mark.parametrize(
    "said",
    [
        "Haare schneiden",
        "ich möchte mir die Haare schneiden lassen",
        "schneiden",
        "Spitzen schneiden",
        "a haircut",
    ],
)
def test_cutting_without_gender_asks_between_ladies_and_men(said: str) -> None:
    result = services.match(said)
    assert result.ambiguous
    assert sorted(_ids(result)) == ["damen", "herren"]


@pytest.mark.parametrize("said", ["Kinderhaarschnitt", "Ölwechsel", "Haare", "lassen"])
def test_what_the_salon_does_not_offer_is_no_match(said: str) -> None:
    assert services.match(said).resolved is None


def test_other_trades_are_data_too() -> None:
    garage = [
        Entry("reifen", "Reifenwechsel"),
        Entry("oel", "Ölwechsel"),
        Entry("inspektion", "Inspektion"),
    ]
    matcher = ServiceMatcher(garage, trade="workshop")
    assert _ids(matcher.match("die Reifen wechseln")) == ["reifen"]
    assert _ids(matcher.match("Öl wechseln lassen")) == ["oel"]
    assert _ids(matcher.match("das Auto zum Service")) == ["inspektion"]
    practice = [Entry("pzr", "Zahnreinigung"), Entry("impf", "Grippeimpfung")]
    matcher = ServiceMatcher(practice, trade="practice")
    assert _ids(matcher.match("Zähne reinigen")) == ["pzr"]
    assert _ids(matcher.match("gegen Grippe impfen")) == ["impf"]


def test_unknown_trade_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown trade"):
        ServiceMatcher(SERVICES, trade="bakery")


def test_every_trade_means_the_same_by_the_same_word() -> None:
    from frontdesk.language.trades import TRADES, vocabulary

    merged = vocabulary(None)  # raises when two trades disagree on a word
    for trade in TRADES:
        for word, lemma in vocabulary(trade).lemmas.items():
            assert merged.lemmas[word] == lemma
