"""German: the lexicon of date/time phrases as callers say them on the phone, and ``parse_when``.

Data only; the grammar is ``rules.py`` (one for every language, ADR 0010) and the policies are
``resolve.py`` / ``named_days.py`` (ADR 0003). ``parse_when(text, now)`` reads phrases such as
"nächsten Dienstag um halb drei", "Freitag Vormittag", "übermorgen um viertel vor neun",
"zwischen 14 und 16 Uhr", "so früh wie möglich", "Silvester um zehn", "am Tag vor
Heiligabend", "zwischen den Jahren", "Ende Januar", "Anfang nächsten Monats" and ISO-8601.

Normalising: lowercase and fold umlauts (ä→ae, ß→ss, so "naechsten" from speech-to-text works
too), split compounds ("Dienstagvormittag", "Monatsende"), mark "as soon as possible" phrases.
"""

from __future__ import annotations

from datetime import datetime

from frontdesk.language.facts import Part
from frontdesk.language.lexicon import ASAP_MARK, Lexicon, QuestionTexts, phrases, rewriter
from frontdesk.language.rules import Grammar
from frontdesk.language.when import PartOfDay, When

__all__ = ["LEXICON", "parse_when"]

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
_ENDINGS = ("e", "en", "er", "es", "em")


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
        for ending in _ENDINGS:
            words[stem + ending] = (value, True)
    return words


_WEEKDAYS = {"montag": 0, "dienstag": 1, "mittwoch": 2, "donnerstag": 3, "freitag": 4}
_WEEKDAYS |= {"samstag": 5, "sonnabend": 5, "sonntag": 6}
_WEEKDAYS |= {word + "s": day for word, day in _WEEKDAYS.items()}

_MONTHS = {"januar": 1, "jaenner": 1, "jan": 1, "februar": 2, "feber": 2, "feb": 2}
_MONTHS |= {"maerz": 3, "mrz": 3, "april": 4, "apr": 4, "mai": 5, "juni": 6, "jun": 6}
_MONTHS |= {"juli": 7, "jul": 7, "august": 8, "aug": 8, "september": 9, "sept": 9, "sep": 9}
_MONTHS |= {"oktober": 10, "okt": 10, "november": 11, "nov": 11, "dezember": 12, "dez": 12}

_PARTS_OF_DAY = {"frueh": PartOfDay.EARLY, "morgens": PartOfDay.EARLY}
_PARTS_OF_DAY |= dict.fromkeys(("vormittag", "vormittags"), PartOfDay.MORNING)
_PARTS_OF_DAY |= dict.fromkeys(("mittag", "mittags", "mittagszeit"), PartOfDay.NOON)
_PARTS_OF_DAY |= dict.fromkeys(("nachmittag", "nachmittags"), PartOfDay.AFTERNOON)
_PARTS_OF_DAY |= dict.fromkeys(("abend", "abends"), PartOfDay.EVENING)

# "nächsten", "kommenden", "diesen", "übernächsten" in all their endings → weeks ahead.
_MODIFIER_STEMS = {"naechst": 1, "kommend": 1, "dies": 0, "uebernaechst": 2}

# Dropped before the grammar runs, so "halb äh drei" is still "halb drei".
_FILLERS = (
    "aeh aehm eh ehm hm hmm also bitte wenn wenns s geht es ja gerne gern mal vielleicht "
    "halt eben doch so ich wir haette haetten moechte moechten wuerde wuerden denn dann "
    "okay ok genau naja na sagen"
)

_NAMED_DAYS = phrases(
    ("heiligabend", "christmas_eve"),
    ("heiliger abend", "christmas_eve"),
    ("heiligen abend", "christmas_eve"),
    ("heilig abend", "christmas_eve"),
    ("weihnachtsabend", "christmas_eve"),
    ("weihnachten", "christmas"),
    ("weihnachtsfeiertage", "christmas_holidays"),
    ("weihnachtsfeiertagen", "christmas_holidays"),
    ("weihnachtstage", "christmas_holidays"),
    ("weihnachtstagen", "christmas_holidays"),
    ("1. weihnachtsfeiertag", "christmas_day"),
    ("1. weihnachtstag", "christmas_day"),
    ("2. weihnachtsfeiertag", "boxing_day"),
    ("2. weihnachtstag", "boxing_day"),
    ("stephanstag", "boxing_day"),
    ("stefanitag", "boxing_day"),
    ("zwischen den jahren", "between_the_years"),
    ("silvester", "new_years_eve"),
    ("sylvester", "new_years_eve"),
    ("silvesterabend", "new_years_eve"),
    ("neujahr", "new_years_day"),
    ("neujahrstag", "new_years_day"),
    ("heilige drei koenige", "epiphany"),
    ("heiligedreikoenige", "epiphany"),
    ("dreikoenigstag", "epiphany"),
    ("valentinstag", "valentines_day"),
    ("rosenmontag", "shrove_monday"),
    ("aschermittwoch", "ash_wednesday"),
    ("gruendonnerstag", "maundy_thursday"),
    ("karfreitag", "good_friday"),
    ("karsamstag", "holy_saturday"),
    ("ostern", "easter"),
    ("osterfest", "easter"),
    ("ostersonntag", "easter_sunday"),
    ("ostermontag", "easter_monday"),
    ("tag der arbeit", "labour_day"),
    ("maifeiertag", "labour_day"),
    ("christi himmelfahrt", "ascension_day"),
    ("himmelfahrt", "ascension_day"),
    ("vatertag", "ascension_day"),
    ("pfingsten", "whitsun"),
    ("pfingstsonntag", "whit_sunday"),
    ("pfingstmontag", "whit_monday"),
    ("fronleichnam", "corpus_christi"),
    ("tag der deutschen einheit", "german_unity_day"),
    ("reformationstag", "halloween"),
    ("halloween", "halloween"),
    ("allerheiligen", "all_saints_day"),
    ("nikolaus", "st_nicholas_day"),
    ("nikolaustag", "st_nicholas_day"),
)

_DAY_WORDS = "montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonnabend|sonntag"
_normalise = rewriter(
    [
        (
            rf"({_DAY_WORDS}|heute|uebermorgen|morgen)(frueh|morgen|vormittag|mittag|nachmittag|abend)",
            r"\1 \2",
            ("frueh", "morgen", "mittag", "abend"),
        ),
        (r"\bmonats(anfang|beginn|mitte|ende)\b", r"\1 des monats", ("monats",)),
        (r"\bwochen(anfang|beginn|mitte)\b", r"\1 der woche", ("wochen",)),
        (
            r"\b(?:so (?:frueh|bald|schnell|zeitig) wie (?:moeglich|es geht)"
            r"|schnellstmoeglich\w*|fruehestmoeglich\w*|baldmoeglichst\w*|naechstmoeglich\w*"
            r"|moeglichst (?:bald|frueh|schnell)|asap|sofort"
            r"|(?:naechste|erste)[nmrs]? (?:freie[nmrs]? |moegliche[nmrs]? )?termin\w*)\b",
            f" {ASAP_MARK} ",
            ("wie", "moeglich", "asap", "sofort", "termin"),
        ),
    ]
)

QUESTIONS = QuestionTexts(
    not_understood="Wann hätten Sie gern den Termin, zum Beispiel morgen um 14 Uhr?",
    no_such_day="Einen {day}. gibt es in diesem Monat nicht. Welchen Tag meinen Sie?",
    no_such_date="Den {day}. {month} gibt es nicht. Welchen Tag meinen Sie?",
    past_date="Der {date} liegt in der Vergangenheit. Welchen Tag meinen Sie?",
    past_time="{time} ist heute schon vorbei. Welche Uhrzeit passt?",
    skipped_time="{time} gibt es an dem Tag wegen der Zeitumstellung nicht. Wann passt es?",
    bad_hour="{hour} Uhr gibt es nicht. Welche Uhrzeit meinen Sie?",
    bad_time="{hour}:{minute:02d} Uhr gibt es nicht. Welche Uhrzeit meinen Sie?",
    weekday_mismatch="Der {date} ist ein {actual}, kein {named}. Welchen Tag meinen Sie?",
    conflict="Das war nicht eindeutig. Welchen Tag und welche Uhrzeit meinen Sie?",
    bad_range="Der Zeitraum endet, bevor er beginnt. Von wann bis wann passt es Ihnen?",
    day_month="{day}. {month}",
    day_month_year="{day}. {month} {year}",
)

LEXICON = Lexicon(
    code="de",
    questions=QUESTIONS,
    normalise=lambda text: _normalise(text.lower().translate(_FOLD)),
    fillers=frozenset(_FILLERS.split()),
    number_words=_number_words(),
    weekdays=_WEEKDAYS,
    months=_MONTHS,
    parts_of_day=_PARTS_OF_DAY,
    relative_days={"vorgestern": -2, "gestern": -1, "heute": 0, "morgen": 1, "uebermorgen": 2},
    morning_after_day="morgen",
    modifiers={stem + end: weeks for stem, weeks in _MODIFIER_STEMS.items() for end in _ENDINGS},
    week_words=frozenset({"woche"}),
    weekend_words=frozenset({"wochenende"}),
    month_words=frozenset({"monat", "monats", "monates"}),
    part_words={"anfang": Part.START, "beginn": Part.START, "mitte": Part.MIDDLE, "ende": Part.END},
    part_links=frozenset({"der", "des"}),
    month_preps=frozenset({"im"}),
    at_words=frozenset({"um"}),
    approx_words=frozenset({"gegen", "circa", "ca", "etwa", "ungefaehr"}),
    lower_words=frozenset({"ab", "nach", "fruehestens"}),
    upper_words=frozenset({"bis", "vor", "spaetestens"}),
    range_words=frozenset({"zwischen", "von"}),
    range_joins=frozenset({"und", "bis"}),
    hour_words=frozenset({"uhr"}),
    fractions={"viertel": 15},
    direct_fractions={"halb": 30, "viertel": 15, "dreiviertel": 45},
    direct_counts_back=True,
    past_words=frozenset({"nach"}),
    to_words=frozenset({"vor"}),
    ordinal_hours=True,
    dotted_dates=True,
    in_words=frozenset({"in"}),
    day_units=frozenset({"tag", "tage", "tagen"}),
    week_units=frozenset({"woche", "wochen"}),
    day_words=frozenset({"tag"}),
    named_days=_NAMED_DAYS,
    before_words=frozenset({"vor"}),
    after_words=frozenset({"nach"}),
)

_GRAMMAR = Grammar(LEXICON)


def parse_when(text: str, now: datetime) -> When:
    """Read a German date/time phrase relative to ``now`` (aware, in the branch's zone)."""
    return _GRAMMAR.parse_when(text, now)
