"""German date/time phrases as callers say them on the phone → ``When``.

A deterministic tokenizer and a small hand-written grammar, no guessing library (dateparser
drops "um 14 Uhr" silently; see ADR 0003). ``parse_when(text, now)`` reads phrases such as
"nächsten Dienstag um halb drei", "Freitag Vormittag", "übermorgen um viertel vor neun",
"zwischen 14 und 16 Uhr", "so früh wie möglich" and ISO-8601 ("2026-11-24T14:30").

Pipeline: lowercase and fold umlauts (ä→ae, ß→ss, so "naechsten" from speech-to-text works
too) → split compounds ("Dienstagvormittag") → mark "as soon as possible" phrases → tokens
(words, numbers incl. German number words 0-59 and ordinals, "14:30", "5.12.", ISO) with
filler words dropped → grammar rules at each token → ``facts.resolve``.

Policies (shared with English, implemented in ``facts.py``):

- "Dienstag", "nächsten/kommenden Dienstag": the next Tuesday strictly after today;
  "Dienstag nächste Woche": the Tuesday of the following Monday-Sunday week;
  "Dienstag in einer Woche" / "übernächsten Dienstag": the next Tuesday plus seven days;
  "diesen Dienstag": today counts.
- An hour 1-7 without a part of day and not in 24-hour form ("14:30", "07:30") is 13-19;
  8-12 stay; "früh/morgens/vormittags" keep the hour, "nachmittags/abends" add 12.
- "5.1." without a year that has passed this year is next year; "am 3.3.2020", "30. Februar",
  "25 Uhr", a time today that is over and a phrase not understood give ``clarify``.
- Parts of day use the one table ``when.PART_OF_DAY_WINDOWS``; "gegen 10" is 10:00 with a
  window of ±30 minutes; "Anfang/Mitte/Ende der Woche" are Mon-Wed / Tue-Thu / Thu-Sat;
  "nächstes Wochenende" is the weekend that has not begun.
"""

from __future__ import annotations

import re
from collections.abc import Callable
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

_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})

_UNITS = {"ein": 1, "zwei": 2, "drei": 3, "vier": 4, "fuenf": 5, "sechs": 6, "sieben": 7}
_UNITS |= {"acht": 8, "neun": 9}
_TENS = {"zwanzig": 20, "dreissig": 30, "vierzig": 40, "fuenfzig": 50}
_CARDINALS = {"null": 0, "eins": 1, "eine": 1, "einen": 1, "einem": 1, "einer": 1, "zwo": 2}
_CARDINALS |= {"zehn": 10, "elf": 11, "zwoelf": 12, "dreizehn": 13, "vierzehn": 14}
_CARDINALS |= {"fuenfzehn": 15, "sechzehn": 16, "siebzehn": 17, "achtzehn": 18, "neunzehn": 19}
_ORDINAL_STEMS = {"erst": 1, "zweit": 2, "dritt": 3, "viert": 4, "fuenft": 5, "sechst": 6}
_ORDINAL_STEMS |= {"siebt": 7, "siebent": 7, "acht": 8, "neunt": 9, "zehnt": 10, "elft": 11}
_ORDINAL_STEMS |= {"zwoelft": 12}
_ORDINAL_ENDINGS = ("e", "en", "er", "es", "em")


def _number_words() -> dict[str, tuple[int, bool]]:
    """Every German number word 0-59 and ordinal 1-31, built once at import."""
    words: dict[str, tuple[int, bool]] = {w: (v, False) for w, v in _CARDINALS.items()}
    words |= {w: (v, False) for w, v in _UNITS.items()}
    for tens_word, tens in _TENS.items():
        words[tens_word] = (tens, False)
        for unit_word, unit in _UNITS.items():
            words[f"{unit_word}und{tens_word}"] = (tens + unit, False)
    stems = dict(_ORDINAL_STEMS)
    for word, (value, _) in list(words.items()):
        if 13 <= value <= 19 and word.endswith("zehn"):
            stems[word + "t"] = value
        elif 20 <= value <= 31:
            stems[word + "st"] = value
    for stem, value in stems.items():
        for ending in _ORDINAL_ENDINGS:
            words[stem + ending] = (value, True)
    return words


_NUMBER_WORDS = _number_words()

_WEEKDAYS = {
    "montag": 0,
    "dienstag": 1,
    "mittwoch": 2,
    "donnerstag": 3,
    "freitag": 4,
    "samstag": 5,
    "sonnabend": 5,
    "sonntag": 6,
}
_WEEKDAYS |= {word + "s": day for word, day in _WEEKDAYS.items()}

_MONTHS = {"januar": 1, "jaenner": 1, "jan": 1, "februar": 2, "feber": 2, "feb": 2}
_MONTHS |= {"maerz": 3, "mrz": 3, "april": 4, "apr": 4, "mai": 5, "juni": 6, "jun": 6}
_MONTHS |= {"juli": 7, "jul": 7, "august": 8, "aug": 8, "september": 9, "sept": 9, "sep": 9}
_MONTHS |= {"oktober": 10, "okt": 10, "november": 11, "nov": 11, "dezember": 12, "dez": 12}

_PARTS_OF_DAY = {
    "frueh": PartOfDay.EARLY,
    "morgens": PartOfDay.EARLY,
    "vormittag": PartOfDay.MORNING,
    "vormittags": PartOfDay.MORNING,
    "mittag": PartOfDay.NOON,
    "mittags": PartOfDay.NOON,
    "mittagszeit": PartOfDay.NOON,
    "nachmittag": PartOfDay.AFTERNOON,
    "nachmittags": PartOfDay.AFTERNOON,
    "abend": PartOfDay.EVENING,
    "abends": PartOfDay.EVENING,
}

_RELATIVE_DAYS = {"vorgestern": -2, "gestern": -1, "heute": 0, "morgen": 1, "uebermorgen": 2}

# "nächsten", "kommenden", "diesen", "übernächsten" in all their endings.
_NEXT, _THIS, _AFTER_NEXT = "next", "this", "after_next"
_MODIFIER_STEMS = {"naechst": _NEXT, "kommend": _NEXT, "dies": _THIS, "uebernaechst": _AFTER_NEXT}
_MODIFIERS = {
    stem + ending: kind for stem, kind in _MODIFIER_STEMS.items() for ending in _ORDINAL_ENDINGS
}
_WEEK_OFFSETS = {_THIS: 0, _NEXT: 1, _AFTER_NEXT: 2}

_WEEK_PART_WORDS = {"anfang": WeekPart.START, "mitte": WeekPart.MIDDLE, "ende": WeekPart.END}

# Dropped before the grammar runs, so "halb äh drei" is still "halb drei".
_FILLER_WORDS = (
    "aeh aehm eh ehm hm hmm also bitte wenn wenns s geht es ja gerne gern mal vielleicht "
    "halt eben doch so ich wir haette haetten moechte moechten wuerde wuerden denn dann "
    "okay ok genau naja na sagen"
)
_FILLERS = frozenset(_FILLER_WORDS.split())

_APPROX_WORDS = frozenset({"gegen", "circa", "ca", "etwa", "ungefaehr"})
_LOWER_BOUND_WORDS = frozenset({"ab", "nach", "fruehestens"})
_UPPER_BOUND_WORDS = frozenset({"bis", "vor", "spaetestens"})

# --- tokenizer -----------------------------------------------------------------------------

_DAY_WORDS = "montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonnabend|sonntag"
_COMPOUND_RE = re.compile(
    rf"({_DAY_WORDS}|heute|uebermorgen|morgen)(frueh|morgen|vormittag|mittag|nachmittag|abend)"
)
_ASAP_RE = re.compile(
    r"\b(?:so (?:frueh|bald|schnell|zeitig) wie (?:moeglich|es geht)"
    r"|schnellstmoeglich\w*|fruehestmoeglich\w*|baldmoeglichst\w*|naechstmoeglich\w*"
    r"|moeglichst (?:bald|frueh|schnell)|asap|sofort"
    r"|(?:naechste|erste)[nmrs]? (?:freie[nmrs]? |moegliche[nmrs]? )?termin\w*)\b"
)


def _tokenize(text: str, zone: tzinfo | None) -> list[Token]:
    normal = text.lower().translate(_FOLD)
    normal = _COMPOUND_RE.sub(r"\1 \2", normal)
    normal = _ASAP_RE.sub(" zzasap ", normal)
    return tokenize(normal, zone, fillers=_FILLERS, number_words=_NUMBER_WORDS)


# --- grammar -------------------------------------------------------------------------------


def _hour_before(hour: int) -> int:
    """The hour "halb drei" and "viertel vor drei" are in: 3 → 2, 1 → 12."""
    return hour - 1 if hour > 1 else 12


def _with_uhr(tokens: list[Token], index: int, used: int) -> int:
    return used + 1 if word_at(tokens, index) == "uhr" else used


def _clock_at(tokens: list[Token], i: int, *, bare: bool) -> tuple[Clock, int] | None:
    """A clock expression starting at ``i`` and how many tokens it spans.

    ``bare`` allows a lone number ("um zehn", "bis 12.") because a word such as "um" or
    "bis" already announced a time.
    """
    if i >= len(tokens):
        return None
    token = tokens[i]
    if token.kind == CLOCK:
        return Clock(token.a, token.b, token.explicit24), _with_uhr(tokens, i + 1, 1)
    if token.kind == DOT and (bare or token.b > 12 or word_at(tokens, i + 1) == "uhr"):
        return Clock(token.a, token.b, token.explicit24), _with_uhr(tokens, i + 1, 1)
    if token.kind == WORD:
        return _clock_from_word(tokens, i)
    if token.kind == NUM:
        return _clock_from_number(tokens, i, bare=bare)
    return None


def _clock_from_word(tokens: list[Token], i: int) -> tuple[Clock, int] | None:
    word = tokens[i].text
    if word == "halb":
        return _relative_clock(tokens, i + 1, 1, lambda h: Clock(_hour_before(h), 30))
    if word == "dreiviertel":
        return _relative_clock(tokens, i + 1, 1, lambda h: Clock(_hour_before(h), 45))
    if word == "viertel":
        after = word_at(tokens, i + 1)
        if after == "nach":
            return _relative_clock(tokens, i + 2, 2, lambda h: Clock(h, 15))
        if after == "vor":
            return _relative_clock(tokens, i + 2, 2, lambda h: Clock(_hour_before(h), 45))
        # Southern German "viertel vier" is a quarter past three.
        return _relative_clock(tokens, i + 1, 1, lambda h: Clock(_hour_before(h), 15))
    return None


def _relative_clock(
    tokens: list[Token], hour_index: int, used: int, make: Callable[[int], Clock]
) -> tuple[Clock, int] | None:
    hour = number_at(tokens, hour_index)
    if hour is None or hour.ordinal or not 1 <= hour.value <= 24:
        return None
    return make(hour.value), _with_uhr(tokens, hour_index + 1, used + 1)


def _clock_from_number(tokens: list[Token], i: int, *, bare: bool) -> tuple[Clock, int] | None:
    token = tokens[i]
    value = token.value
    after = word_at(tokens, i + 1)
    if after == "uhr":
        minute = number_at(tokens, i + 2)
        if minute is not None and not minute.ordinal and word_at(tokens, i + 3) not in _MONTHS:
            return Clock(value, minute.value, token.explicit24), 3
        return Clock(value, 0, token.explicit24), 2
    if value == 3 and after == "viertel":
        return _relative_clock(tokens, i + 2, 2, lambda h: Clock(_hour_before(h), 45))
    if after in ("nach", "vor") and not token.ordinal and 1 <= value <= 29:
        found = _minutes_to_or_past(tokens, i, value, after == "nach")
        if found is not None:
            return found
    if token.ordinal and (not bare or word_at(tokens, i + 1) in _MONTHS):
        return None
    if (bare or not token.spoken) and value <= 24:
        return Clock(value, 0, token.explicit24), 1
    return None


def _minutes_to_or_past(
    tokens: list[Token], i: int, minutes: int, past: bool
) -> tuple[Clock, int] | None:
    """ "zwanzig nach zehn", "fünf vor halb zwei", "zehn nach halb drei"."""
    index = i + 2
    half = word_at(tokens, index) == "halb"
    if half:
        index += 1
    hour = number_at(tokens, index)
    if hour is None or hour.ordinal or not 1 <= hour.value <= 24:
        return None
    if half:
        clock = Clock(_hour_before(hour.value), 30 + minutes if past else 30 - minutes)
    elif past:
        clock = Clock(hour.value, minutes)
    else:
        clock = Clock(_hour_before(hour.value), 60 - minutes)
    return clock, _with_uhr(tokens, index + 1, index + 1 - i)


def _date_from_number(tokens: list[Token], i: int, facts: Facts) -> int:
    token = tokens[i]
    month = _MONTHS.get(word_at(tokens, i + 1) or "")
    if month is not None:
        return _date_with_year(tokens, i, token.value, month, 2, facts)
    if not token.ordinal:
        return 0
    second = number_at(tokens, i + 1)
    if (
        second is not None
        and second.ordinal
        and 1 <= second.value <= 12
        and word_at(tokens, i + 2) != "uhr"
    ):
        return _date_with_year(tokens, i, token.value, second.value, 2, facts)
    if 1 <= token.value <= 31:
        facts.set_date(token.value, None, None, i + 1)
        return 1
    return 0


def _date_with_year(
    tokens: list[Token], i: int, day: int, month: int, used: int, facts: Facts
) -> int:
    year = number_at(tokens, i + used)
    if year is not None and not year.spoken and year.value >= 1000:
        facts.set_date(day, month, year.value, i + used + 1)
        return used + 1
    facts.set_date(day, month, None, i + used)
    return used


def _on_number(tokens: list[Token], i: int, facts: Facts) -> int:
    used = _date_from_number(tokens, i, facts)
    if used:
        return used
    found = _clock_at(tokens, i, bare=False)
    if found is None:
        return 0
    facts.set_clock(found[0])
    return found[1]


def _on_dotted(tokens: list[Token], i: int, facts: Facts) -> int:
    token = tokens[i]
    if token.kind == DATE:
        facts.set_date(token.a, token.b, token.c, i + 1)
        return 1
    if token.kind == DOT and token.b <= 12 and word_at(tokens, i + 1) != "uhr":
        facts.set_date(token.a, token.b, None, i + 1)
        return 1
    found = _clock_at(tokens, i, bare=False)
    if found is None:
        return 0
    facts.set_clock(found[0])
    return found[1]


def _on_word(tokens: list[Token], i: int, facts: Facts) -> int:
    word = tokens[i].text
    handler = _WORD_HANDLERS.get(word)
    if handler is not None:
        return handler(tokens, i, facts)
    if word in _WEEKDAYS:
        facts.set_weekday(_WEEKDAYS[word], i + 1)
        return 1
    if word in _RELATIVE_DAYS:
        return _on_relative_day(tokens, i, facts)
    if word in _PARTS_OF_DAY:
        facts.set_part_of_day(_PARTS_OF_DAY[word])
        return 1
    if word in _MODIFIERS:
        return _on_modifier(tokens, i, facts)
    if word in _WEEK_PART_WORDS:
        return _on_week_part(tokens, i, facts)
    return 0


def _on_relative_day(tokens: list[Token], i: int, facts: Facts) -> int:
    word = tokens[i].text
    if word == "morgen" and facts.day_end == i:
        # "Dienstag morgen", "morgen Morgen", "heute morgen": the morning of that day.
        facts.set_part_of_day(PartOfDay.EARLY)
        return 1
    facts.set_relative_days(_RELATIVE_DAYS[word], i + 1)
    return 1


def _on_modifier(tokens: list[Token], i: int, facts: Facts) -> int:
    kind = _MODIFIERS[tokens[i].text]
    target = word_at(tokens, i + 1)
    if target in _WEEKDAYS:
        facts.set_weekday(_WEEKDAYS[target], i + 2, strict=kind != _THIS)
        if kind == _AFTER_NEXT:
            facts.add_offset(7)
        return 2
    if target == "woche":
        facts.set_week(_WEEK_OFFSETS[kind], WeekPart.WHOLE, i + 2)
        return 2
    if target == "wochenende":
        facts.set_week(1 if kind == _AFTER_NEXT else 0, WeekPart.WEEKEND, i + 2)
        facts.coming_weekend = kind != _THIS
        return 2
    return 0


def _on_week_part(tokens: list[Token], i: int, facts: Facts) -> int:
    """ "Anfang nächster Woche", "Ende der Woche", "Mitte dieser Woche"."""
    index = i + 1
    if word_at(tokens, index) in ("der", "des"):
        index += 1
    offset = 0
    modifier = word_at(tokens, index)
    if modifier in _MODIFIERS:
        offset = _WEEK_OFFSETS[_MODIFIERS[modifier]]
        index += 1
    if word_at(tokens, index) != "woche":
        return 0
    facts.set_week(offset, _WEEK_PART_WORDS[tokens[i].text], index + 1)
    return index + 1 - i


def _on_weekend(tokens: list[Token], i: int, facts: Facts) -> int:
    facts.set_week(None, WeekPart.WEEKEND, i + 1)
    return 1


def _on_in(tokens: list[Token], i: int, facts: Facts) -> int:
    """ "in drei Tagen", "in einer Woche", "in 14 Tagen"."""
    count = number_at(tokens, i + 1)
    unit = word_at(tokens, i + 2)
    if count is None or count.ordinal:
        return 0
    if unit in ("tag", "tage", "tagen"):
        facts.add_offset(count.value)
        return 3
    if unit in ("woche", "wochen"):
        facts.add_offset(7 * count.value)
        return 3
    return 0


def _on_um(tokens: list[Token], i: int, facts: Facts) -> int:
    found = _clock_at(tokens, i + 1, bare=True)
    if found is None:
        return 0
    facts.set_clock(found[0])
    return 1 + found[1]


def _on_approx(tokens: list[Token], i: int, facts: Facts) -> int:
    found = _clock_at(tokens, i + 1, bare=True)
    if found is None:
        return 0
    facts.set_clock(found[0], approx=True)
    return 1 + found[1]


def _on_bound(tokens: list[Token], i: int, facts: Facts) -> int:
    """ "ab 15 Uhr", "bis 12", "frühestens um 15 Uhr"."""
    start = i + 2 if word_at(tokens, i + 1) == "um" else i + 1
    found = _clock_at(tokens, start, bare=True)
    if found is None:
        return 0
    facts.set_bound(found[0], lower=tokens[i].text in _LOWER_BOUND_WORDS)
    return start - i + found[1]


def _on_range(tokens: list[Token], i: int, facts: Facts) -> int:
    """ "zwischen 14 und 16 Uhr", "von 9 bis 12"."""
    first = _clock_at(tokens, i + 1, bare=True)
    if first is None:
        return 0
    facts.set_bound(first[0], lower=True)
    index = i + 1 + first[1]
    if word_at(tokens, index) in ("und", "bis"):
        second = _clock_at(tokens, index + 1, bare=True)
        if second is not None:
            facts.set_bound(second[0], lower=False)
            return index + 1 + second[1] - i
    return index - i


def _on_clock_word(tokens: list[Token], i: int, facts: Facts) -> int:
    found = _clock_from_word(tokens, i)
    if found is None:
        return 0
    facts.set_clock(found[0])
    return found[1]


def _on_asap(tokens: list[Token], i: int, facts: Facts) -> int:
    facts.set_asap()
    return 1


_WORD_HANDLERS: dict[str, Rule] = {
    "um": _on_um,
    "zwischen": _on_range,
    "von": _on_range,
    "in": _on_in,
    "wochenende": _on_weekend,
    "halb": _on_clock_word,
    "viertel": _on_clock_word,
    "dreiviertel": _on_clock_word,
    "zzasap": _on_asap,
}
_WORD_HANDLERS |= dict.fromkeys(_APPROX_WORDS, _on_approx)
_WORD_HANDLERS |= dict.fromkeys(_LOWER_BOUND_WORDS | _UPPER_BOUND_WORDS, _on_bound)

_KIND_HANDLERS: dict[str, Rule] = {
    WORD: _on_word,
    NUM: _on_number,
    CLOCK: _on_dotted,
    DATE: _on_dotted,
    DOT: _on_dotted,
}


# --- questions back ------------------------------------------------------------------------


class _GermanQuestions:
    """The German question for each problem; short, because the agent reads it aloud."""

    def ask(self, problem: Problem) -> str:
        match problem:
            case NoSuchDate(day=day, month=None):
                return f"Einen {day}. gibt es in diesem Monat nicht. Welchen Tag meinen Sie?"
            case NoSuchDate(day=day, month=month):
                name = speech.month_name(month or 1, "de")
                return f"Den {day}. {name} gibt es nicht. Welchen Tag meinen Sie?"
            case PastDate(day=day):
                said = f"{day.day}. {speech.month_name(day.month, 'de')} {day.year}"
                return f"Der {said} liegt in der Vergangenheit. Welchen Tag meinen Sie?"
            case PastTime(at=at):
                return f"{speech.say_time(at, 'de')} ist heute schon vorbei. Welche Uhrzeit passt?"
            case SkippedTime(at=at):
                said = speech.say_time(at, "de")
                return f"{said} gibt es an dem Tag wegen der Zeitumstellung nicht. Wann passt es?"
            case BadTime(hour=hour, minute=minute):
                said = f"{hour}:{minute:02d} Uhr" if minute else f"{hour} Uhr"
                return f"{said} gibt es nicht. Welche Uhrzeit meinen Sie?"
            case WeekdayMismatch(day=day, said_weekday=said):
                actual = speech.weekday_name(day.weekday(), "de")
                named = speech.weekday_name(said, "de")
                when = f"{day.day}. {speech.month_name(day.month, 'de')}"
                return f"Der {when} ist ein {actual}, kein {named}. Welchen Tag meinen Sie?"
            case Conflict():
                return "Das war nicht eindeutig. Welchen Tag und welche Uhrzeit meinen Sie?"
            case BadRange():
                return "Der Zeitraum endet, bevor er beginnt. Von wann bis wann passt es Ihnen?"
            case _:
                return "Wann hätten Sie gern den Termin, zum Beispiel morgen um 14 Uhr?"


_QUESTIONS = _GermanQuestions()


def parse_when(text: str, now: datetime) -> When:
    """Read a German date/time phrase relative to ``now`` (aware, in the branch's zone)."""
    return resolve(run_rules(_tokenize(text, now.tzinfo), _KIND_HANDLERS), now, _QUESTIONS)
