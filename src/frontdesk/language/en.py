"""English: the lexicon of date/time phrases as callers say them, and ``parse_when``.

Data only; the grammar and the policies are the German ones (``rules.py``, ``resolve.py``,
ADR 0003 and 0010): "tomorrow at 3 pm", "next Tuesday morning", "Tuesday next week",
"in two weeks", "early next week", "December 5th", "the 5th of December", "half past two",
British "half ten" (10:30), "quarter to four", "between 2 and 4 pm", "after 3", "around noon",
"as soon as possible", "Christmas Eve at ten", "the day before Boxing Day", "late January",
"the end of the month", "next month" and ISO-8601. "am"/"pm" fix the hour; without them a bare
1-7 is the afternoon.
"""

from __future__ import annotations

from datetime import datetime

from frontdesk.language.facts import Part
from frontdesk.language.lexicon import ASAP_MARK, Lexicon, QuestionTexts, phrases, rewriter
from frontdesk.language.rules import Grammar
from frontdesk.language.when import PartOfDay, When

__all__ = ["LEXICON", "parse_when"]

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


_WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# Full names, plurals ("mondays") and three-letter abbreviations.
_WEEKDAYS = {
    form: day for day, name in enumerate(_WEEKDAY_NAMES) for form in (name, name + "s", name[:3])
}
_WEEKDAYS |= {"tues": 1, "thur": 3, "thurs": 3}

_MONTH_NAMES = (
    "january february march april may june july august september october november december"
)
_MONTHS = {
    form: month
    for month, name in enumerate(_MONTH_NAMES.split(), start=1)
    for form in (name, name[:3])
}
_MONTHS |= {"sept": 9}

_PARTS_OF_DAY = dict.fromkeys(("morning", "mornings"), PartOfDay.MORNING)
_PARTS_OF_DAY |= {"lunchtime": PartOfDay.NOON}
_PARTS_OF_DAY |= dict.fromkeys(("afternoon", "afternoons"), PartOfDay.AFTERNOON)
_PARTS_OF_DAY |= dict.fromkeys(("evening", "evenings", "tonight"), PartOfDay.EVENING)

_FILLERS = (
    "uh um er erm hmm well so like please maybe perhaps i we would could can id like "
    "just okay ok the if possible works for me"
)

_NAMED_DAYS = phrases(
    ("christmas eve", "christmas_eve"),
    ("xmas eve", "christmas_eve"),
    ("christmas", "christmas_day"),
    ("xmas", "christmas_day"),
    ("christmas day", "christmas_day"),
    ("xmas day", "christmas_day"),
    ("boxing day", "boxing_day"),
    ("st stephens day", "boxing_day"),
    ("between christmas and new year", "between_the_years"),
    ("between christmas and new years", "between_the_years"),
    ("new years eve", "new_years_eve"),
    ("new years day", "new_years_day"),
    ("new years", "new_years_day"),
    ("new year", "new_years_day"),
    ("valentines day", "valentines_day"),
    ("shrove tuesday", "shrove_monday"),
    ("ash wednesday", "ash_wednesday"),
    ("maundy thursday", "maundy_thursday"),
    ("good friday", "good_friday"),
    ("holy saturday", "holy_saturday"),
    ("easter saturday", "holy_saturday"),
    ("easter", "easter"),
    ("easter sunday", "easter_sunday"),
    ("easter monday", "easter_monday"),
    ("ascension day", "ascension_day"),
    ("ascension", "ascension_day"),
    ("whitsun", "whitsun"),
    ("pentecost", "whitsun"),
    ("whit sunday", "whit_sunday"),
    ("pentecost sunday", "whit_sunday"),
    ("whit monday", "whit_monday"),
    ("pentecost monday", "whit_monday"),
    ("halloween", "halloween"),
)

_normalise = rewriter(
    [
        (r"['’]", "", ("'", "’")),
        (r"\b([ap])\.\s?m\b\.?", r"\1m", (".",)),
        (r"\b(\d{1,2})(?:st|nd|rd|th)\b", r"\1.", ("st", "nd", "rd", "th")),
        (
            r"\b(twenty|thirty|forty|fifty)[\s-]"
            r"(one|two|three|four|five|six|seven|eight|nine|first|second|third|fourth|fifth"
            r"|sixth|seventh|eighth|ninth)\b",
            r"\1\2",
            ("ty",),
        ),
        (
            r"\bthe day after tomorrow\b|\bday after tomorrow\b",
            " zzovermorrow ",
            ("after tomorrow",),
        ),
        (
            r"\b(?:as (?:soon|early) as (?:possible|you can)|asap|soonest|right away"
            r"|(?:earliest|first|next) (?:possible|available|free)(?: \w+)?)\b",
            f" {ASAP_MARK} ",
            ("as", "soonest", "right away", "possible", "available", "free"),
        ),
    ]
)

QUESTIONS = QuestionTexts(
    not_understood="When would you like to come in, for example tomorrow at 2 pm?",
    no_such_day="This month has no day {day}. Which day do you mean?",
    no_such_date="There is no {day} {month}. Which day do you mean?",
    past_date="{date} is in the past. Which day do you mean?",
    past_time="{time} has already passed today. What time suits you?",
    skipped_time="{time} does not exist that day because the clocks change. What time?",
    bad_hour="{hour}:{minute:02d} is not a time of day. What time do you mean?",
    bad_time="{hour}:{minute:02d} is not a time of day. What time do you mean?",
    weekday_mismatch="{date} is a {actual}, not a {named}. Which day do you mean?",
    conflict="That was not clear to me. Which day and what time do you mean?",
    bad_range="That range ends before it starts. From when to when suits you?",
    day_month="{day} {month}",
    day_month_year="{day} {month} {year}",
)

LEXICON = Lexicon(
    code="en",
    questions=QUESTIONS,
    normalise=lambda text: _normalise(text.lower()),
    fillers=frozenset(_FILLERS.split()),
    number_words=_number_words(),
    weekdays=_WEEKDAYS,
    months=_MONTHS,
    parts_of_day=_PARTS_OF_DAY,
    relative_days={"yesterday": -1, "today": 0, "tonight": 0, "tomorrow": 1, "zzovermorrow": 2},
    relative_day_parts={"tonight": PartOfDay.EVENING},
    early_morning=frozenset({"morning", "mornings"}),
    modifiers={"next": 1, "coming": 1, "this": 0},
    week_words=frozenset({"week"}),
    weekend_words=frozenset({"weekend"}),
    month_words=frozenset({"month"}),
    part_words={
        "early": Part.START,
        "beginning": Part.START,
        "start": Part.START,
        "mid": Part.MIDDLE,
        "middle": Part.MIDDLE,
        "late": Part.END,
        "end": Part.END,
    },
    part_links=frozenset({"of"}),
    month_preps=frozenset({"in", "during"}),
    date_links=frozenset({"of"}),
    at_words=frozenset({"at"}),
    approx_words=frozenset({"around", "about", "approximately", "roughly", "circa", "ca"}),
    lower_words=frozenset({"after"}),
    upper_words=frozenset({"before", "until", "till", "til", "by"}),
    range_words=frozenset({"between", "from"}),
    range_joins=frozenset({"and", "to", "until", "till", "til"}),
    hour_words=frozenset({"oclock"}),
    meridiem={"am": 0, "pm": 12},
    clock_words={"noon": (12, 0), "midday": (12, 0), "midnight": (0, 0)},
    fractions={"half": 30, "quarter": 15},
    direct_fractions={"half": 30},  # British "half ten" is 10:30
    past_words=frozenset({"past", "after"}),
    to_words=frozenset({"to", "before"}),
    in_words=frozenset({"in"}),
    day_units=frozenset({"day", "days"}),
    week_units=frozenset({"week", "weeks"}),
    day_words=frozenset({"day"}),
    named_days=_NAMED_DAYS,
    before_words=frozenset({"before"}),
    after_words=frozenset({"after"}),
)

_GRAMMAR = Grammar(LEXICON)


def parse_when(text: str, now: datetime) -> When:
    """Read an English date/time phrase relative to ``now`` (aware, in the branch's zone)."""
    return _GRAMMAR.parse_when(text, now)
