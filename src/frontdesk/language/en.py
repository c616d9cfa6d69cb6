"""English date/time phrases as callers say them on the phone → ``When``.

The same approach and the same policies as the German grammar (``de.py``, ADR 0003), with a
smaller vocabulary: "tomorrow at 3 pm", "next Tuesday morning", "Tuesday next week",
"in two weeks", "early next week", "December 5th", "the 5th of December", "half past two",
"quarter to four", "between 2 and 4 pm", "after 3", "around noon", "as soon as possible" and
ISO-8601. "am"/"pm" fix the hour; without them a bare 1-7 is the afternoon; questions back
are English.
"""

from __future__ import annotations

import re
from datetime import datetime, tzinfo

from frontdesk.language import speech
from frontdesk.language.facts import (
    BadRange,
    BadTime,
    Clock,
    Conflict,
    Facts,
    NoSuchDate,
    PastDate,
    PastTime,
    Problem,
    SkippedTime,
    WeekdayMismatch,
    WeekPart,
    resolve,
)
from frontdesk.language.grammar import (
    CLOCK,
    DATE,
    DOT,
    NUM,
    WORD,
    Rule,
    Token,
    number_at,
    run_rules,
    tokenize,
    word_at,
)
from frontdesk.language.when import PartOfDay, When

__all__ = ["parse_when"]

# --- lexicon -------------------------------------------------------------------------------

_SMALL_WORDS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
)
_SMALL = _SMALL_WORDS.split()
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50}
_ORDINAL_WORDS = (
    "zeroth first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth "
    "thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth"
)
_ORDINALS_SMALL = _ORDINAL_WORDS.split()


def _number_words() -> dict[str, tuple[int, bool]]:
    """Cardinals 0-59 and ordinals 1-31; "twenty-one" is joined to "twentyone" beforehand."""
    words: dict[str, tuple[int, bool]] = {"a": (1, False), "an": (1, False)}
    words |= {word: (value, False) for value, word in enumerate(_SMALL)}
    words |= {word: (value, True) for value, word in enumerate(_ORDINALS_SMALL) if value}
    for tens_word, tens in _TENS.items():
        words[tens_word] = (tens, False)
        words[tens_word[:-1] + "ieth"] = (tens, True)
        for unit in range(1, 10):
            words[tens_word + _SMALL[unit]] = (tens + unit, False)
            words[tens_word + _ORDINALS_SMALL[unit]] = (tens + unit, True)
    return words


_NUMBER_WORDS = _number_words()

_WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# Full names, plurals ("mondays") and three-letter abbreviations.
_WEEKDAYS = {
    form: day for day, name in enumerate(_WEEKDAY_NAMES) for form in (name, name + "s", name[:3])
}
_WEEKDAYS |= {"tues": 1, "thur": 3, "thurs": 3}

_MONTH_WORDS = (
    "january february march april may june july august september october november december"
)
_MONTHS = {
    form: month
    for month, name in enumerate(_MONTH_WORDS.split(), start=1)
    for form in (name, name[:3])
}
_MONTHS |= {"sept": 9}

_PARTS_OF_DAY = {
    "morning": PartOfDay.MORNING,
    "mornings": PartOfDay.MORNING,
    "lunchtime": PartOfDay.NOON,
    "afternoon": PartOfDay.AFTERNOON,
    "afternoons": PartOfDay.AFTERNOON,
    "evening": PartOfDay.EVENING,
    "evenings": PartOfDay.EVENING,
    "tonight": PartOfDay.EVENING,
}

_RELATIVE_DAYS = {"yesterday": -1, "today": 0, "tonight": 0, "tomorrow": 1, "zzovermorrow": 2}

_NEXT, _THIS = "next", "this"
_MODIFIERS = {"next": _NEXT, "coming": _NEXT, "this": _THIS}
_WEEK_PART_WORDS = {
    "early": WeekPart.START,
    "beginning": WeekPart.START,
    "start": WeekPart.START,
    "mid": WeekPart.MIDDLE,
    "middle": WeekPart.MIDDLE,
    "late": WeekPart.END,
    "end": WeekPart.END,
}

_FILLER_WORDS = (
    "uh um er erm hmm well so like please maybe perhaps i we would could can id like "
    "just okay ok the if possible works for me"
)
_FILLERS = frozenset(_FILLER_WORDS.split())

_APPROX_WORDS = frozenset({"around", "about", "approximately", "roughly", "circa", "ca"})
_LOWER_BOUND_WORDS = frozenset({"after", "from"})
_UPPER_BOUND_WORDS = frozenset({"before", "until", "till", "til", "by"})
_OCLOCK = "oclock"

# --- tokenizer -----------------------------------------------------------------------------

_AM_PM_RE = re.compile(r"\b([ap])\.\s?m\b\.?")
_ORDINAL_SUFFIX_RE = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)\b")
_COMPOUND_NUMBER_RE = re.compile(
    r"\b(twenty|thirty|forty|fifty)[\s-]"
    r"(one|two|three|four|five|six|seven|eight|nine|first|second|third|fourth|fifth|sixth"
    r"|seventh|eighth|ninth)\b"
)
_ASAP_RE = re.compile(
    r"\b(?:as (?:soon|early) as (?:possible|you can)|asap|soonest|right away"
    r"|(?:earliest|first|next) (?:possible|available|free)(?: \w+)?)\b"
)
_OVERMORROW_RE = re.compile(r"\bthe day after tomorrow\b|\bday after tomorrow\b")


def _tokenize(text: str, zone: tzinfo | None) -> list[Token]:
    normal = text.lower().replace("'", "").replace("’", "")
    normal = _AM_PM_RE.sub(r"\1m", normal)
    normal = _ORDINAL_SUFFIX_RE.sub(r"\1.", normal)
    normal = _COMPOUND_NUMBER_RE.sub(r"\1\2", normal)
    normal = _OVERMORROW_RE.sub(" zzovermorrow ", normal)
    normal = _ASAP_RE.sub(" zzasap ", normal)
    return tokenize(normal, zone, fillers=_FILLERS, number_words=_NUMBER_WORDS)


# --- grammar -------------------------------------------------------------------------------


def _hour_before(hour: int) -> int:
    return hour - 1 if hour > 1 else 12


def _meridiem(tokens: list[Token], index: int, clock: Clock, used: int) -> tuple[Clock, int]:
    """Apply a following "am"/"pm" (or skip "o'clock"); both make the hour explicit."""
    word = word_at(tokens, index)
    if word == _OCLOCK:
        return _meridiem(tokens, index + 1, clock, used + 1)
    if word not in ("am", "pm") or not 1 <= clock.hour <= 12:
        return clock, used
    hour = clock.hour % 12 + (12 if word == "pm" else 0)
    return Clock(hour, clock.minute, explicit24=True), used + 1


def _clock_at(
    tokens: list[Token], i: int, *, bare: bool, relative: bool = True
) -> tuple[Clock, int] | None:
    """A clock expression at ``i``; ``bare`` allows a lone number after "at", "after"…

    ``relative`` False reads "9 to 11" after "from" as a range, not as 10:51.
    """
    if i >= len(tokens):
        return None
    token = tokens[i]
    if token.kind == CLOCK or (token.kind == DOT and token.b > 12):
        return _meridiem(tokens, i + 1, Clock(token.a, token.b, token.explicit24), 1)
    if token.kind == WORD:
        return _clock_from_word(tokens, i)
    if token.kind != NUM or token.ordinal:
        return None
    after = word_at(tokens, i + 1)
    if relative and after in ("past", "after", "to", "before") and 1 <= token.value <= 30:
        hour = _hour_number(tokens, i + 2)
        if hour is not None and after in ("past", "after"):
            return _meridiem(tokens, i + 3, Clock(hour, token.value), 3)
        if hour is not None:
            return _meridiem(tokens, i + 3, Clock(_hour_before(hour), 60 - token.value), 3)
    if after in ("am", "pm", _OCLOCK) or ((bare or not token.spoken) and token.value <= 24):
        return _meridiem(tokens, i + 1, Clock(token.value, 0, token.explicit24), 1)
    return None


def _hour_number(tokens: list[Token], index: int) -> int | None:
    hour = number_at(tokens, index)
    if hour is None or hour.ordinal or not 1 <= hour.value <= 24:
        return None
    return hour.value


def _clock_from_word(tokens: list[Token], i: int) -> tuple[Clock, int] | None:
    word = tokens[i].text
    if word in ("noon", "midday"):
        return Clock(12, 0, explicit24=True), 1
    if word == "midnight":
        return Clock(0, 0, explicit24=True), 1
    minutes = {"half": 30, "quarter": 15}.get(word)
    after = word_at(tokens, i + 1)
    if minutes is None or after not in ("past", "after", "to", "before"):
        return None
    hour = _hour_number(tokens, i + 2)
    if hour is None:
        return None
    if after in ("past", "after"):
        return _meridiem(tokens, i + 3, Clock(hour, minutes), 3)
    return _meridiem(tokens, i + 3, Clock(_hour_before(hour), 60 - minutes), 3)


def _on_number(tokens: list[Token], i: int, facts: Facts) -> int:
    used = _date_from_number(tokens, i, facts)
    if used:
        return used
    found = _clock_at(tokens, i, bare=False)
    if found is None:
        return 0
    facts.set_clock(found[0])
    return found[1]


def _date_from_number(tokens: list[Token], i: int, facts: Facts) -> int:
    """ "5 December", "5th of December", "the 5th"."""
    day = tokens[i]
    index = i + 1
    if word_at(tokens, index) == "of":
        index += 1
    month = _MONTHS.get(word_at(tokens, index) or "")
    if month is not None:
        return _with_year(tokens, i, day.value, month, index + 1, facts)
    if day.ordinal and 1 <= day.value <= 31:
        facts.set_date(day.value, None, None, i + 1)
        return 1
    return 0


def _on_month(tokens: list[Token], i: int, facts: Facts) -> int:
    """ "December 5", "Dec 5th 2026"."""
    day = number_at(tokens, i + 1)
    if day is None or not 1 <= day.value <= 31 or word_at(tokens, i + 2) in ("am", "pm"):
        return 0
    return _with_year(tokens, i, day.value, _MONTHS[tokens[i].text], i + 2, facts)


def _with_year(tokens: list[Token], i: int, day: int, month: int, index: int, f: Facts) -> int:
    year = number_at(tokens, index)
    if year is not None and not year.spoken and year.value >= 1000:
        f.set_date(day, month, year.value, index + 1)
        return index + 1 - i
    f.set_date(day, month, None, index)
    return index - i


def _on_dotted(tokens: list[Token], i: int, facts: Facts) -> int:
    token = tokens[i]
    if token.kind == DATE:
        facts.set_date(token.a, token.b, token.c, i + 1)
        return 1
    found = _clock_at(tokens, i, bare=False)
    if found is None:
        return 0
    facts.set_clock(found[0])
    return found[1]


def _on_word(tokens: list[Token], i: int, facts: Facts) -> int:
    word = tokens[i].text
    handler = _WORD_RULES.get(word)
    if handler is not None:
        return handler(tokens, i, facts)
    if word in _WEEKDAYS:
        facts.set_weekday(_WEEKDAYS[word], i + 1)
        return 1
    if word in _RELATIVE_DAYS:
        facts.set_relative_days(_RELATIVE_DAYS[word], i + 1)
        if word == "tonight":
            facts.set_part_of_day(PartOfDay.EVENING)
        return 1
    if word in _PARTS_OF_DAY:
        facts.set_part_of_day(_PARTS_OF_DAY[word])
        return 1
    if word in _MONTHS:
        return _on_month(tokens, i, facts)
    return 0


def _on_modifier(tokens: list[Token], i: int, facts: Facts) -> int:
    kind = _MODIFIERS[tokens[i].text]
    target = word_at(tokens, i + 1)
    if target in _WEEKDAYS:
        facts.set_weekday(_WEEKDAYS[target], i + 2, strict=kind == _NEXT)
        return 2
    if target == "week":
        facts.set_week(1 if kind == _NEXT else 0, WeekPart.WHOLE, i + 2)
        return 2
    if target == "weekend":
        facts.set_week(0, WeekPart.WEEKEND, i + 2)
        facts.coming_weekend = kind == _NEXT
        return 2
    if target in _PARTS_OF_DAY and kind == _THIS:
        facts.set_relative_days(0, i + 2)
        facts.set_part_of_day(_PARTS_OF_DAY[target])
        return 2
    return 0


def _on_week_part(tokens: list[Token], i: int, facts: Facts) -> int:
    """ "early next week", "end of the week", "middle of next week"; "early morning"."""
    index = i + 1
    if tokens[i].text == "early" and word_at(tokens, index) in ("morning", "mornings"):
        facts.set_part_of_day(PartOfDay.EARLY)
        return 2
    if word_at(tokens, index) == "of":
        index += 1
    offset = 0
    modifier = word_at(tokens, index)
    if modifier in _MODIFIERS:
        offset = 1 if _MODIFIERS[modifier] == _NEXT else 0
        index += 1
    if word_at(tokens, index) != "week":
        return 0
    facts.set_week(offset, _WEEK_PART_WORDS[tokens[i].text], index + 1)
    return index + 1 - i


def _on_weekend(tokens: list[Token], i: int, facts: Facts) -> int:
    facts.set_week(None, WeekPart.WEEKEND, i + 1)
    return 1


def _on_in(tokens: list[Token], i: int, facts: Facts) -> int:
    """ "in three days", "in a week", "in 2 weeks"."""
    count = number_at(tokens, i + 1)
    unit = word_at(tokens, i + 2)
    if count is None or count.ordinal:
        return 0
    if unit in ("day", "days"):
        facts.add_offset(count.value)
        return 3
    if unit in ("week", "weeks"):
        facts.add_offset(7 * count.value)
        return 3
    return 0


def _on_at(tokens: list[Token], i: int, facts: Facts) -> int:
    found = _clock_at(tokens, i + 1, bare=True)
    if found is None:
        return 0
    facts.set_clock(found[0], approx=tokens[i].text in _APPROX_WORDS)
    return 1 + found[1]


def _on_bound(tokens: list[Token], i: int, facts: Facts) -> int:
    found = _clock_at(tokens, i + 1, bare=True, relative=tokens[i].text != "from")
    if found is None:
        return 0
    lower = tokens[i].text in _LOWER_BOUND_WORDS
    facts.set_bound(found[0], lower=lower)
    used = 1 + found[1]
    if lower and word_at(tokens, i + used) in ("to", "until", "till", "til"):
        return used + _upper_after(tokens, i + used, found[0], facts)
    return used


def _on_between(tokens: list[Token], i: int, facts: Facts) -> int:
    """ "between 2 and 4 pm": an "am"/"pm" on the second time also applies to the first."""
    first = _clock_at(tokens, i + 1, bare=True)
    if first is None:
        return 0
    index = i + 1 + first[1]
    facts.set_bound(first[0], lower=True)
    if word_at(tokens, index) != "and":
        return index - i
    return index - i + _upper_after(tokens, index, first[0], facts)


def _upper_after(tokens: list[Token], index: int, lower: Clock, facts: Facts) -> int:
    second = _clock_at(tokens, index + 1, bare=True)
    if second is None:
        return 0
    upper = second[0]
    if upper.explicit24 and not lower.explicit24 and lower.hour <= 12:
        # "between 2 and 4 pm" is 14-16, but "between 10 and 2 pm" starts at 10.
        shift = 12 if lower.hour < 12 and lower.hour + 12 <= upper.hour else 0
        facts.set_bound(Clock(lower.hour + shift, lower.minute, True), lower=True)
    facts.set_bound(upper, lower=False)
    return 1 + second[1]


def _on_clock_word(tokens: list[Token], i: int, facts: Facts) -> int:
    found = _clock_from_word(tokens, i)
    if found is None:
        return 0
    facts.set_clock(found[0])
    return found[1]


def _on_asap(tokens: list[Token], i: int, facts: Facts) -> int:
    facts.set_asap()
    return 1


_WORD_RULES: dict[str, Rule] = {
    "at": _on_at,
    "between": _on_between,
    "in": _on_in,
    "weekend": _on_weekend,
    "half": _on_clock_word,
    "quarter": _on_clock_word,
    "noon": _on_clock_word,
    "midday": _on_clock_word,
    "midnight": _on_clock_word,
    "zzasap": _on_asap,
}
_WORD_RULES |= dict.fromkeys(_APPROX_WORDS, _on_at)
_WORD_RULES |= dict.fromkeys(_LOWER_BOUND_WORDS | _UPPER_BOUND_WORDS, _on_bound)
_WORD_RULES |= dict.fromkeys(_MODIFIERS, _on_modifier)
_WORD_RULES |= dict.fromkeys(_WEEK_PART_WORDS, _on_week_part)

_KIND_RULES: dict[str, Rule] = {
    WORD: _on_word,
    NUM: _on_number,
    CLOCK: _on_dotted,
    DATE: _on_dotted,
    DOT: _on_dotted,
}


class _EnglishQuestions:
    """The English question for each problem; short, because the agent reads it aloud."""

    def ask(self, problem: Problem) -> str:
        match problem:
            case NoSuchDate(day=day, month=None):
                return f"This month has no day {day}. Which day do you mean?"
            case NoSuchDate(day=day, month=month):
                name = speech.month_name(month or 1, "en")
                return f"There is no {day} {name}. Which day do you mean?"
            case PastDate(day=day):
                said = f"{day.day} {speech.month_name(day.month, 'en')} {day.year}"
                return f"{said} is in the past. Which day do you mean?"
            case PastTime(at=at):
                return f"{speech.say_time(at, 'en')} has already passed today. What time suits you?"
            case SkippedTime(at=at):
                said = speech.say_time(at, "en")
                return f"{said} does not exist that day because the clocks change. What time?"
            case BadTime(hour=hour, minute=minute):
                return f"{hour}:{minute:02d} is not a time of day. What time do you mean?"
            case WeekdayMismatch(day=day, said_weekday=said):
                actual = speech.weekday_name(day.weekday(), "en")
                named = speech.weekday_name(said, "en")
                when = f"{day.day} {speech.month_name(day.month, 'en')}"
                return f"{when} is a {actual}, not a {named}. Which day do you mean?"
            case Conflict():
                return "That was not clear to me. Which day and what time do you mean?"
            case BadRange():
                return "That range ends before it starts. From when to when suits you?"
            case _:
                return "When would you like to come in, for example tomorrow at 2 pm?"


_QUESTIONS = _EnglishQuestions()


def parse_when(text: str, now: datetime) -> When:
    """Read an English date/time phrase relative to ``now`` (aware, in the branch's zone)."""
    return resolve(run_rules(_tokenize(text, now.tzinfo), _KIND_RULES), now, _QUESTIONS)
