"""What one language contributes to the rule engine: word tables and question templates.

A ``Lexicon`` is data only. ``rules.py`` holds the one grammar for every language; adding a
language means writing one ``Lexicon`` (see ``de.py`` and ``en.py``), not another grammar.
Words are stored as the language's ``normalise`` leaves them (lowercase; German folds
ä→ae, ß→ss), and none of them may be a filler word, because fillers are dropped before the
rules run. Multi-word names of days ("erster Weihnachtsfeiertag", "Christmas Eve") are
phrases: tuples of words, where an ``int`` stands for an ordinal number ("1." and "erster"
are both the ordinal 1).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from frontdesk.language import speech
from frontdesk.language.facts import Part
from frontdesk.language.problems import (
    BadRange,
    BadTime,
    Conflict,
    NoSuchDate,
    PastDate,
    PastTime,
    Problem,
    SkippedTime,
    WeekdayMismatch,
)
from frontdesk.language.when import PartOfDay

PhraseWord = str | int
Phrase = tuple[PhraseWord, ...]


@dataclass(frozen=True, slots=True)
class QuestionTexts:
    """One question per problem; ``str.format`` fields are named in each comment."""

    not_understood: str
    no_such_day: str  # {day}
    no_such_date: str  # {day} {month}
    past_date: str  # {date}
    past_time: str  # {time}
    skipped_time: str  # {time}
    bad_hour: str  # {hour} {minute:02d}: a time without minutes ("25 Uhr")
    bad_time: str  # {hour} {minute:02d}
    weekday_mismatch: str  # {date} {actual} {named}
    conflict: str
    bad_range: str
    day_month: str  # {day} {month}: how a date is said in a question
    day_month_year: str  # {day} {month} {year}


@dataclass(frozen=True, slots=True)
class Asker:
    """``problems.Questions`` for one language, from its templates and speech's names."""

    code: str
    texts: QuestionTexts

    def _date(self, day: int, month: int, year: int | None = None) -> str:
        name = speech.month_name(month, self.code)
        if year is None:
            return self.texts.day_month.format(day=day, month=name)
        return self.texts.day_month_year.format(day=day, month=name, year=year)

    def ask(self, problem: Problem) -> str:
        t = self.texts
        match problem:
            case NoSuchDate(day=day, month=None):
                return t.no_such_day.format(day=day)
            case NoSuchDate(day=day, month=month):
                return t.no_such_date.format(
                    day=day, month=speech.month_name(month or 1, self.code)
                )
            case PastDate(day=day):
                return t.past_date.format(date=self._date(day.day, day.month, day.year))
            case PastTime(at=at):
                return t.past_time.format(time=speech.say_time(at, self.code))
            case SkippedTime(at=at):
                return t.skipped_time.format(time=speech.say_time(at, self.code))
            case BadTime(hour=hour, minute=minute):
                template = t.bad_time if minute else t.bad_hour
                return template.format(hour=hour, minute=minute)
            case WeekdayMismatch(day=day, said_weekday=said):
                return t.weekday_mismatch.format(
                    date=self._date(day.day, day.month),
                    actual=speech.weekday_name(day.weekday(), self.code),
                    named=speech.weekday_name(said, self.code),
                )
            case Conflict():
                return t.conflict
            case BadRange():
                return t.bad_range
            case _:
                return t.not_understood


@dataclass(frozen=True, eq=False)
class Lexicon:
    """Every word and switch the rule engine needs for one language."""

    code: str  # "de", "en": also the locale for speech (month names in questions)
    questions: QuestionTexts
    normalise: Callable[[str], str]  # lowercase, fold, mark compounds / "asap" (ASAP_MARK)
    fillers: frozenset[str]
    number_words: Mapping[str, tuple[int, bool]]  # word → (value, ordinal)
    weekdays: Mapping[str, int]  # Monday = 0
    months: Mapping[str, int]
    parts_of_day: Mapping[str, PartOfDay]
    relative_days: Mapping[str, int]  # "morgen": 1
    relative_day_parts: Mapping[str, PartOfDay] = field(default_factory=dict)  # "tonight"
    morning_after_day: str | None = None  # "morgen" after a day: that day's morning
    early_morning: frozenset[str] = frozenset()  # "early" + one of these: PartOfDay.EARLY
    modifiers: Mapping[str, int] = field(default_factory=dict)  # "nächsten": 1 (week offset)
    week_words: frozenset[str] = frozenset()
    weekend_words: frozenset[str] = frozenset()
    month_words: frozenset[str] = frozenset()  # "Monat", "month"
    part_words: Mapping[str, Part] = field(default_factory=dict)  # "Anfang", "mid"
    part_links: frozenset[str] = frozenset()  # "der", "des", "of" after a part word
    month_preps: frozenset[str] = frozenset()  # "im" Januar, "in" January
    date_links: frozenset[str] = frozenset()  # "the 5th of December"
    at_words: frozenset[str] = frozenset()  # "um", "at"
    approx_words: frozenset[str] = frozenset()
    lower_words: frozenset[str] = frozenset()  # "ab", "after"
    upper_words: frozenset[str] = frozenset()  # "bis", "before"
    range_words: frozenset[str] = frozenset()  # "zwischen", "between"
    range_joins: frozenset[str] = frozenset()  # "und", "and", "to"
    hour_words: frozenset[str] = frozenset()  # "Uhr", "o'clock"
    meridiem: Mapping[str, int] = field(default_factory=dict)  # "pm": 12
    clock_words: Mapping[str, tuple[int, int]] = field(default_factory=dict)  # "noon": (12, 0)
    fractions: Mapping[str, int] = field(default_factory=dict)  # "viertel": 15 (with past/to)
    direct_fractions: Mapping[str, int] = field(default_factory=dict)  # "halb" drei
    direct_counts_back: bool = False  # "halb drei" is 2:30 (German); "half ten" is 10:30
    past_words: frozenset[str] = frozenset()  # "nach", "past"
    to_words: frozenset[str] = frozenset()  # "vor", "to"
    ordinal_hours: bool = False  # "bis 12." (German: the dot ends the sentence)
    dotted_dates: bool = False  # "5.12" is a date (German); English reads "10.30" only
    in_words: frozenset[str] = frozenset()  # "in" drei Tagen
    day_units: frozenset[str] = frozenset()
    week_units: frozenset[str] = frozenset()
    day_words: frozenset[str] = frozenset()  # "am Tag vor Heiligabend", "the day before"
    named_days: Mapping[Phrase, str] = field(default_factory=dict)  # → named_days key
    before_words: frozenset[str] = frozenset()  # "vor" Weihnachten
    after_words: frozenset[str] = frozenset()  # "nach" Neujahr
    phrases: dict[PhraseWord, tuple[tuple[Phrase, str], ...]] = field(init=False)
    asker: Asker = field(init=False)

    def __post_init__(self) -> None:
        for phrase in self.named_days:
            fillers = [w for w in phrase if isinstance(w, str) and w in self.fillers]
            if fillers:
                raise ValueError(f"{self.code}: named day {phrase} uses filler words {fillers}")
        by_first: dict[PhraseWord, list[tuple[Phrase, str]]] = {}
        for phrase, key in self.named_days.items():
            by_first.setdefault(phrase[0], []).append((phrase, key))
        # Longest first: "christmas eve" before "christmas".
        table = {
            first: tuple(sorted(found, key=lambda pair: -len(pair[0])))
            for first, found in by_first.items()
        }
        object.__setattr__(self, "phrases", table)
        object.__setattr__(self, "asker", Asker(self.code, self.questions))


ASAP_MARK = "zzasap"  # what ``normalise`` puts in place of "so früh wie möglich"


def phrases(*entries: tuple[str, str]) -> dict[Phrase, str]:
    """Named-day phrases from "1. weihnachtsfeiertag" style text: "1." is the ordinal 1."""
    table: dict[Phrase, str] = {}
    for text, key in entries:
        words: list[PhraseWord] = []
        for word in text.split():
            words.append(int(word[:-1]) if word.endswith(".") and word[:-1].isdigit() else word)
        table[tuple(words)] = key
    return table


def rewriter(rules: Iterable[tuple[str, str, tuple[str, ...]]]) -> Callable[[str], str]:
    """Apply regex substitutions in order; each pattern is compiled once.

    Each rule names substrings of which at least one must occur for the pattern to match
    (empty: always try); most phrases then skip most patterns without running them.
    """
    compiled = [(re.compile(p), replacement, needles) for p, replacement, needles in rules]

    def rewrite(text: str) -> str:
        for pattern, replacement, needles in compiled:
            if not needles or any(needle in text for needle in needles):
                text = pattern.sub(replacement, text)
        return text

    return rewrite
