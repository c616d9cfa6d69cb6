"""What callers say for the services of a trade: verbs, gender words, generic words — as data.

Each trade (``salon``, ``practice``, ``workshop``) is one data module with a ``VOCABULARY``.
``ServiceMatcher`` applies it to the catalogue's names and to what the caller says alike, so
"Herren schneiden", "Männerhaarschnitt" and "Haarschnitt für Herren" all become the words
(herren, schnitt) and meet "Herrenhaarschnitt" (ADR 0010):

- ``lemmas``: a word as said → the word catalogues use for the same thing ("schneiden" →
  "schnitt", "Männer" → "herren", "Tönung" → "färben"); every form of a verb is listed;
- ``generic``: words that name the object of every service of the trade ("Haare", "Auto");
  they are dropped unless nothing else is left, so "Haare waschen" is just "waschen";
- ``ignored``: words that never name a service ("mir", "lassen").

Words are written as people spell them (umlauts allowed) and normalised on load. A new trade
is a new data module plus one line in ``TRADES``; a word must mean the same in every trade,
because a tenant without a known trade gets all of them merged.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from frontdesk.language.trades import practice, salon, workshop
from frontdesk.language.trades.schema import TradeWords

__all__ = ["TRADES", "Vocabulary", "vocabulary"]


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """A trade's words, normalised: ``lemmas`` word → catalogue word, ``generic``, ``ignored``."""

    lemmas: Mapping[str, str]
    generic: frozenset[str]
    ignored: frozenset[str]

    @property
    def words(self) -> frozenset[str]:
        """Every word this vocabulary knows; compounds are split with these as well."""
        return frozenset(self.lemmas) | frozenset(self.lemmas.values()) | self.generic


TRADES: dict[str, TradeWords] = {
    "salon": salon.VOCABULARY,
    "practice": practice.VOCABULARY,
    "workshop": workshop.VOCABULARY,
}


_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "&": " "})
_NON_WORD_RE = re.compile(r"[^a-z0-9]+")


def _words(text: str) -> list[str]:
    """The same normalisation as ``match.normalise`` (which imports this package)."""
    return _NON_WORD_RE.sub(" ", text.lower().translate(_FOLD)).split()


def _load(data: TradeWords) -> Vocabulary:
    lemmas: dict[str, str] = {}
    for lemma, said in data["lemmas"].items():
        (target,) = _words(lemma)
        for word in _words(said):
            lemmas[word] = target
        lemmas.setdefault(target, target)
    return Vocabulary(
        lemmas=lemmas,
        generic=frozenset(_words(data["generic"])),
        ignored=frozenset(_words(data["ignored"])),
    )


@cache
def vocabulary(trade: str | None = None) -> Vocabulary:
    """The vocabulary of ``trade``; ``None``: every trade's merged (conflicts raise)."""
    if trade is not None:
        if trade not in TRADES:
            raise ValueError(f"unknown trade {trade!r}; known: {', '.join(sorted(TRADES))}")
        return _load(TRADES[trade])
    lemmas: dict[str, str] = {}
    generic: set[str] = set()
    ignored: set[str] = set()
    for name in TRADES:
        one = _load(TRADES[name])
        for word, lemma in one.lemmas.items():
            if lemmas.setdefault(word, lemma) != lemma:
                raise ValueError(
                    f"{name}: {word!r} means {lemma!r} here, {lemmas[word]!r} elsewhere"
                )
        generic |= one.generic
        ignored |= one.ignored
    return Vocabulary(lemmas, frozenset(generic), frozenset(ignored))
