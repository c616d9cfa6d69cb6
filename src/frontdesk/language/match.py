"""Which service or person a caller means, from free text, with a confidence and ambiguity.

Callers pass their own rows: anything with ``id``, ``name`` and ``aliases`` (``Named``).
A matcher is built once per catalogue and keeps every normalised key, so a match is a few
dozen RapidFuzz comparisons:

- ``ServiceMatcher``: German normaliser (case, ä/ae, ß/ss, hyphens, "&"), filler words
  dropped, compounds split with the catalogue's own vocabulary and the trade's, and every word
  mapped to the word catalogues use (``trades``: "schneiden" → "schnitt", "Männer" →
  "herren"; generic words such as "Haare" dropped), so "Herrenhaarschnitt", "Haarschnitt für
  Herren", "Herren schneiden" and "Männerhaarschnitt" all meet on "herren" + "schnitt".
- ``NameMatcher``: staff (or any people) by first name, last name or nickname; titles such
  as "Herr", "Frau", "bei der" are dropped and every word also gets its Kölner Phonetik
  code, so "Ana", "Herr Webber" or "Schultz" still resolve.
- ``name_similarity``: one name as heard against one known name ("Möller" vs "Müller").

Every match returns a ``MatchResult``: the best item, a confidence in 0..1, and all
candidates within ``AMBIGUITY_MARGIN`` of the best, so "Haarschnitt" in a salon with ladies'
and men's cuts comes back ambiguous and the agent asks instead of guessing. Below the
threshold there is no match.

Every entry point refuses text longer than ``limits.MAX_INPUT_CHARS`` (no match), and every
step is near-linear: a compound is only cut where one side can be a known word, so splitting
a word costs O(longest known word), not O(len(word)²) (issue 11).
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

import cologne_phonetics
from rapidfuzz.fuzz import ratio

from frontdesk.language.limits import too_long
from frontdesk.language.trades import Vocabulary, vocabulary

__all__ = [
    "AMBIGUITY_MARGIN",
    "Entry",
    "MatchResult",
    "NameMatcher",
    "Named",
    "ServiceMatcher",
    "name_similarity",
    "normalise",
]

# Two candidates closer than this are both offered back to the caller.
AMBIGUITY_MARGIN = 0.08
SERVICE_THRESHOLD = 0.75
NAME_THRESHOLD = 0.75
# Word similarity below this counts as no similarity: "damen" and "herren" share letters,
# not meaning.
_WORD_CUTOFF = 70.0
# Two names that sound the same (same Kölner Phonetik code) are this similar at least.
_SAME_SOUND = 0.92
_SOUND_NEEDS_SPELLING = 0.5
# No part of a compound is longer than this; longer words are compared whole, never split.
MAX_PART = 40

_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "&": " "})
_NON_WORD_RE = re.compile(r"[^a-z0-9]+")

# Words that never name a service or a person; dropped before comparing.
_SERVICE_STOPWORD_TEXT = (
    "fuer die der den das dem des ein eine einen einem einer mal bitte und mit zum zur zu "
    "beim bei termin ich moechte mochte gerne gern haette lassen machen brauche will "
    "wuerde einmal auch noch so also aeh ja neuen neue a an the for and i would like to "
    "get my me please appointment book"
)
_SERVICE_STOPWORDS = frozenset(_SERVICE_STOPWORD_TEXT.split())
_NAME_STOPWORD_TEXT = (
    "herr herrn frau fr hr dr doktor bei der die dem den zu zur zum mit von gerne gern "
    "bitte am liebsten wieder wie immer kollege kollegin termin ich moechte haette "
    "mr mrs ms miss with please"
)
_NAME_STOPWORDS = frozenset(_NAME_STOPWORD_TEXT.split())


class Named(Protocol):
    """A catalogue row as the matchers need it; dataclasses and ORM rows both fit."""

    @property
    def id(self) -> Hashable: ...

    @property
    def name(self) -> str: ...

    @property
    def aliases(self) -> Sequence[str]: ...


@dataclass(frozen=True, slots=True)
class Entry:
    """A ready-made ``Named`` for callers without their own row type."""

    id: str
    name: str
    aliases: tuple[str, ...] = ()


T = TypeVar("T", bound=Named)


@dataclass(frozen=True, slots=True)
class MatchResult(Generic[T]):
    """The outcome of one match.

    ``best`` is None when nothing reached the threshold; ``candidates`` holds every item
    within ``AMBIGUITY_MARGIN`` of the best (best first), so more than one means "ask".
    """

    best: T | None
    confidence: float
    candidates: tuple[T, ...]

    @property
    def ambiguous(self) -> bool:
        return len(self.candidates) > 1

    @property
    def resolved(self) -> T | None:
        """The one item meant, or None when there is none or the caller must choose."""
        return None if self.ambiguous else self.best


def normalise(text: str) -> str:
    """Lowercase ASCII words: "Waschen & Föhnen" → "waschen foehnen"."""
    folded = text.lower().translate(_FOLD)
    return _NON_WORD_RE.sub(" ", folded).strip()


def _words(text: str, stopwords: frozenset[str]) -> list[str]:
    return [word for word in normalise(text).split() if word not in stopwords]


def _cuts(length: int, longest: int) -> Iterator[int]:
    """Where to cut a word of ``length``: right to left, each part at least three letters,
    and only where the head or the tail is at most ``longest`` letters (else neither can be
    a known word): at most 2 × ``longest`` cuts, whatever the length."""
    short_tail = max(length - longest, 3)
    yield from range(length - 3, short_tail - 1, -1)
    yield from range(min(longest, short_tail - 1), 2, -1)


def _split_compound(
    word: str, vocabulary: frozenset[str], *, guess: bool, longest: int = MAX_PART
) -> list[str]:
    """Split a German compound into catalogue words: "herrenhaarschnitt" → herren, haar, schnitt.

    Two known halves are split; with ``guess`` also a known half next to an unknown one of
    four letters or more ("damenschnitt" → damen, schnitt). Parts are split again, so the
    same word always ends up as the same parts, wherever it occurs. ``longest`` is the length
    of the longest word in ``vocabulary``; only cuts leaving a part that short are tried.
    """
    length = len(word)
    guessed: list[str] | None = None
    for cut in _cuts(length, longest):
        head_known = cut <= longest and word[:cut] in vocabulary
        tail_known = length - cut <= longest and word[cut:] in vocabulary
        if head_known and tail_known:
            return [
                *_split_compound(word[:cut], vocabulary, guess=False, longest=longest),
                *_split_compound(word[cut:], vocabulary, guess=False, longest=longest),
            ]
        if guess and guessed is None:
            if head_known and length - cut >= 4:
                head = _split_compound(word[:cut], vocabulary, guess=False, longest=longest)
                guessed = [*head, word[cut:]]
            elif tail_known and cut >= 4:
                tail = _split_compound(word[cut:], vocabulary, guess=False, longest=longest)
                guessed = [word[:cut], *tail]
    return guessed or [word]


def _learn_vocabulary(words: Iterable[str]) -> frozenset[str]:
    """The catalogue's (and trade's) words plus the parts its compounds split into.

    "Herrenhaarschnitt" next to "Haarschnitt Damen" teaches "herren", which then also splits
    "Herrenschnitt" and teaches "schnitt". Words longer than ``MAX_PART`` are left out.
    """
    vocabulary = frozenset(word for word in words if 3 <= len(word) <= MAX_PART)
    for _ in range(3):
        vocabulary |= {
            part
            for word in vocabulary
            for part in _split_compound(word, vocabulary, guess=True)
            if len(part) <= MAX_PART
        }
    return vocabulary


def _rank(scores: Iterable[tuple[float, T]], threshold: float) -> MatchResult[T]:
    ranked = sorted(scores, key=lambda pair: pair[0], reverse=True)
    if not ranked:
        return MatchResult(None, 0.0, ())
    top = ranked[0][0]
    if top < threshold:
        return MatchResult(None, round(top, 3), ())
    close = tuple(item for score, item in ranked if top - score < AMBIGUITY_MARGIN)
    return MatchResult(close[0], round(top, 3), close)


class ServiceMatcher(Generic[T]):
    """Services from free text; build once per catalogue, call ``match`` per utterance.

    ``trade`` ("salon", "practice", "workshop") picks the words callers use for what is done
    (``trades``); ``None`` uses every trade's, which only ever helps when the catalogue uses
    the words they map to.
    """

    def __init__(
        self,
        services: Iterable[T],
        *,
        threshold: float = SERVICE_THRESHOLD,
        trade: str | None = None,
    ) -> None:
        self._services = list(services)
        self._threshold = threshold
        self._trade: Vocabulary = vocabulary(trade)
        self._stopwords = _SERVICE_STOPWORDS | self._trade.ignored
        texts = [[s.name, *s.aliases] for s in self._services]
        catalogue = [w for names in texts for text in names for w in _words(text, self._stopwords)]
        self._vocabulary = _learn_vocabulary([*catalogue, *self._trade.words])
        self._longest = max((len(word) for word in self._vocabulary), default=0)
        # Each service's keys: one tuple of compound-split words per name or alias.
        self._keys = [[self._parts(text) for text in names if self._parts(text)] for names in texts]

    def _parts(self, text: str) -> tuple[str, ...]:
        lemmas = self._trade.lemmas
        parts: list[str] = []
        for word in _words(text, self._stopwords):
            unknown = word not in self._vocabulary
            split = _split_compound(word, self._vocabulary, guess=unknown, longest=self._longest)
            parts.extend(lemmas.get(part, part) for part in split)
        specific = [part for part in parts if part not in self._trade.generic]
        return tuple(specific or parts)

    def match(self, text: str) -> MatchResult[T]:
        if too_long(text):
            return MatchResult(None, 0.0, ())
        query = self._parts(text)
        if not query:
            return MatchResult(None, 0.0, ())
        similar: dict[tuple[str, str], float] = {}
        scores = (
            (max(_coverage(query, key, similar) for key in keys), service)
            for service, keys in zip(self._services, self._keys, strict=True)
            if keys
        )
        return _rank(scores, self._threshold)


def _word_similarity(a: str, b: str, cache: dict[tuple[str, str], float]) -> float:
    found = cache.get((a, b))
    if found is None:
        found = ratio(a, b, score_cutoff=_WORD_CUTOFF) / 100.0
        cache[(a, b)] = found
    return found


def _coverage(
    query: tuple[str, ...], key: tuple[str, ...], cache: dict[tuple[str, str], float]
) -> float:
    """How well query and key cover each other, whichever direction is better.

    Key coverage lets a long utterance contain the service ("ich hätte gern einen
    Herrenhaarschnitt bei Jonas"); query coverage lets a short one name part of it
    ("Haarschnitt" → both haircuts, hence ambiguous).
    """
    best_for_key = [max(_word_similarity(q, k, cache) for q in query) for k in key]
    best_for_query = [max(_word_similarity(q, k, cache) for k in key) for q in query]
    return max(sum(best_for_key) / len(key), sum(best_for_query) / len(query))


@dataclass(frozen=True, slots=True)
class _Word:
    text: str
    sound: str


def _name_words(text: str) -> list[_Word]:
    words = _words(text, _NAME_STOPWORDS)
    return [_Word(word, _sound(word)) for word in words]


def _sound(word: str) -> str:
    encoded = cologne_phonetics.encode(word)
    return "".join(str(code) for _, code in encoded)


def _name_word_similarity(heard: _Word, known: _Word) -> float:
    spelled = ratio(heard.text, known.text) / 100.0
    # Kölner Phonetik is coarse on short names ("Joni" and "Anna" are both 06), so the
    # sound only counts when the spelling is at least half alike.
    if heard.sound and heard.sound == known.sound and spelled >= _SOUND_NEEDS_SPELLING:
        return max(spelled, _SAME_SOUND)
    return spelled if spelled * 100.0 >= _WORD_CUTOFF else 0.0


def _name_score(heard: Sequence[_Word], known: Sequence[_Word]) -> float:
    """Strongest single word, plus a little for how many heard words fit at all.

    "Anna" fits Anna Becker and Anna Schmidt equally (ambiguous); "Anna Becker" fits one
    of them better through the second word.
    """
    per_word = [max(_name_word_similarity(h, k) for k in known) for h in heard]
    return 0.8 * max(per_word) + 0.2 * sum(per_word) / len(per_word)


class NameMatcher(Generic[T]):
    """People (staff) from a spoken name: first name, last name or an alias/nickname."""

    def __init__(self, people: Iterable[T], *, threshold: float = NAME_THRESHOLD) -> None:
        self._people = list(people)
        self._threshold = threshold
        self._words = [
            [word for text in (p.name, *p.aliases) for word in _name_words(text)]
            for p in self._people
        ]

    def match(self, text: str) -> MatchResult[T]:
        if too_long(text):
            return MatchResult(None, 0.0, ())
        heard = _name_words(text)
        if not heard:
            return MatchResult(None, 0.0, ())
        scores = (
            (_name_score(heard, words), person)
            for person, words in zip(self._people, self._words, strict=True)
            if words
        )
        return _rank(scores, self._threshold)


def name_similarity(heard: str, known: str) -> float:
    """0..1: how well a name as heard fits a known name; "Möller" vs "Müller" ≈ 0.92.

    Every heard word must fit some known word ("Müller" fits "Hans Müller" fully), since a
    caller often gives only the surname.
    """
    if too_long(heard) or too_long(known):
        return 0.0
    heard_words = _name_words(heard)
    known_words = _name_words(known)
    if not heard_words or not known_words:
        return 0.0
    fits = [max(_name_word_similarity(h, k) for k in known_words) for h in heard_words]
    return round(sum(fits) / len(fits), 3)
