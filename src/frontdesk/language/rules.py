"""The one date/time grammar, for every language: rules driven by a ``Lexicon``.

A phrase is normalised by its lexicon, tokenised (``grammar.tokenize``), and at each token the
rule for its kind runs; a rule looks ahead from its index, records what it recognised in
``Facts`` and returns how many tokens it used (0: not its phrase). ``resolve`` then applies
the policies. The rules know token shapes ("a number, then an hour word, then a number"),
never words: every word comes from the lexicon, so a new language is a new lexicon.
"""

from __future__ import annotations

from datetime import datetime

from frontdesk.language.clocks import ClockReader
from frontdesk.language.facts import Clock, Facts, Part
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
from frontdesk.language.lexicon import ASAP_MARK, Lexicon, PhraseWord
from frontdesk.language.limits import too_long
from frontdesk.language.named_days import Side
from frontdesk.language.problems import NotUnderstood
from frontdesk.language.resolve import resolve
from frontdesk.language.when import PartOfDay, When


class Grammar(ClockReader):
    """``parse_when`` for one lexicon; build once per language at import."""

    def __init__(self, lexicon: Lexicon) -> None:
        super().__init__(lexicon)
        lex = lexicon
        self._units = lex.day_units | lex.week_units
        self._sides = dict.fromkeys(lex.before_words, Side.BEFORE)
        self._sides |= dict.fromkeys(lex.after_words, Side.AFTER)
        words: dict[str, Rule] = dict.fromkeys(lex.at_words | lex.approx_words, self._on_at)
        words |= dict.fromkeys(lex.lower_words | lex.upper_words, self._on_bound)
        words |= dict.fromkeys(lex.range_words, self._on_range)
        words |= dict.fromkeys(lex.in_words | lex.month_preps, self._on_in)
        words |= dict.fromkeys(lex.weekend_words, self._on_weekend)
        words |= dict.fromkeys(lex.day_words, self._on_day_word)
        clock_words = set(lex.clock_words) | set(lex.fractions) | set(lex.direct_fractions)
        words |= dict.fromkeys(clock_words, self._on_clock_word)
        words |= dict.fromkeys(lex.modifiers, self._on_modifier)
        words |= dict.fromkeys(lex.part_words, self._on_part)
        words[ASAP_MARK] = self._on_asap
        self._words = words
        self._kinds: dict[str, Rule] = {
            WORD: self._on_word,
            NUM: self._on_number,
            CLOCK: self._on_dotted,
            DATE: self._on_dotted,
            DOT: self._on_dotted,
        }

    def parse_when(self, text: str, now: datetime) -> When:
        """Read a phrase relative to ``now`` (aware, in the branch's zone)."""
        lex = self.lex
        if too_long(text):
            return When(clarify=lex.asker.ask(NotUnderstood()))
        normal = lex.normalise(text)
        tokens = tokenize(normal, now.tzinfo, fillers=lex.fillers, number_words=lex.number_words)
        return resolve(run_rules(tokens, self._kinds), now, lex.asker)

    # --- named days ----------------------------------------------------------------------

    def _named_at(self, tokens: list[Token], i: int) -> tuple[str, int] | None:
        """A named day ("Heiligabend", "2. Weihnachtsfeiertag") at ``i`` and its length."""
        if i >= len(tokens):
            return None
        token = tokens[i]
        first: PhraseWord = token.value if token.kind == NUM and token.ordinal else token.text
        for phrase, key in self.lex.phrases.get(first, ()):
            if all(_is(tokens, i + k, part) for k, part in enumerate(phrase)):
                return key, len(phrase)
        return None

    def _named_near(self, tokens: list[Token], i: int, facts: Facts, days: int) -> int:
        """ "vor Weihnachten" (days 0: the week before), "Tag vor" (1), "zwei Tage nach" (2)."""
        side = self._sides.get(word_at(tokens, i) or "")
        named = None if side is None else self._named_at(tokens, i + 1)
        if side is None or named is None:
            return 0
        shift = -days if side is Side.BEFORE else days
        facts.set_named(named[0], i + 1 + named[1], side=side, shift=shift)
        return 1 + named[1]

    # --- rules by token kind -------------------------------------------------------------

    def _on_number(self, tokens: list[Token], i: int, facts: Facts) -> int:
        lex = self.lex
        named = self._named_at(tokens, i)
        if named is not None:
            facts.set_named(named[0], i + named[1])
            return named[1]
        unit = word_at(tokens, i + 1)
        if not tokens[i].ordinal and unit in self._units:
            days = tokens[i].value * (7 if unit in lex.week_units else 1)
            used = self._named_near(tokens, i + 2, facts, days)
            if used:
                return 2 + used
        used = self._date_from_number(tokens, i, facts)
        if used:
            return used
        found = self._clock_at(tokens, i, bare=False)
        if found is None:
            return 0
        facts.set_clock(found[0])
        return found[1]

    def _date_from_number(self, tokens: list[Token], i: int, facts: Facts) -> int:
        """ "5. Dezember", "the 5th of December", "am fünften zwölften", "am 20."."""
        lex = self.lex
        token = tokens[i]
        index = i + 1
        while word_at(tokens, index) in lex.date_links:
            index += 1
        month = lex.months.get(word_at(tokens, index) or "")
        if month is not None:
            return self._with_year(tokens, i, token.value, month, index + 1, facts)
        if not token.ordinal:
            return 0
        second = number_at(tokens, i + 1)
        if (
            second is not None
            and second.ordinal
            and 1 <= second.value <= 12
            and word_at(tokens, i + 2) not in lex.hour_words
        ):
            return self._with_year(tokens, i, token.value, second.value, i + 2, facts)
        if 1 <= token.value <= 31:
            facts.set_date(token.value, None, None, i + 1)
            return 1
        return 0

    def _with_year(
        self, tokens: list[Token], i: int, day: int, month: int, index: int, facts: Facts
    ) -> int:
        year = number_at(tokens, index)
        if year is not None and not year.spoken and year.value >= 1000:
            facts.set_date(day, month, year.value, index + 1)
            return index + 1 - i
        facts.set_date(day, month, None, index)
        return index - i

    def _on_dotted(self, tokens: list[Token], i: int, facts: Facts) -> int:
        token = tokens[i]
        if token.kind == DATE:
            facts.set_date(token.a, token.b, token.c, i + 1)
            return 1
        if (
            token.kind == DOT
            and self.lex.dotted_dates
            and token.b <= 12
            and word_at(tokens, i + 1) not in self.lex.hour_words
        ):
            facts.set_date(token.a, token.b, None, i + 1)
            return 1
        found = self._clock_at(tokens, i, bare=False)
        if found is None:
            return 0
        facts.set_clock(found[0])
        return found[1]

    def _on_word(self, tokens: list[Token], i: int, facts: Facts) -> int:
        lex = self.lex
        word = tokens[i].text
        named = self._named_at(tokens, i)
        if named is not None:
            facts.set_named(named[0], i + named[1])
            return named[1]
        rule = self._words.get(word)
        if rule is not None:
            return rule(tokens, i, facts)
        if word in lex.weekdays:
            facts.set_weekday(lex.weekdays[word], i + 1)
            return 1
        if word in lex.relative_days:
            return self._on_relative_day(tokens, i, facts)
        if word in lex.parts_of_day:
            facts.set_part_of_day(lex.parts_of_day[word])
            return 1
        if word in lex.months:
            return self._on_month(tokens, i, facts)
        return 0

    # --- rules by word -------------------------------------------------------------------

    def _on_relative_day(self, tokens: list[Token], i: int, facts: Facts) -> int:
        word = tokens[i].text
        if word == self.lex.morning_after_day and facts.day_end == i:
            # "Dienstag morgen", "morgen Morgen", "heute morgen": the morning of that day.
            facts.set_part_of_day(PartOfDay.EARLY)
            return 1
        facts.set_relative_days(self.lex.relative_days[word], i + 1)
        part = self.lex.relative_day_parts.get(word)
        if part is not None:
            facts.set_part_of_day(part)
        return 1

    def _on_month(self, tokens: list[Token], i: int, facts: Facts) -> int:
        """ "December 5", "Dec 5th 2026"."""
        day = number_at(tokens, i + 1)
        if day is None or not 1 <= day.value <= 31 or word_at(tokens, i + 2) in self.lex.meridiem:
            return 0
        return self._with_year(tokens, i, day.value, self.lex.months[tokens[i].text], i + 2, facts)

    def _on_modifier(self, tokens: list[Token], i: int, facts: Facts) -> int:
        """ "nächsten Dienstag", "next week", "übernächstes Wochenende", "this evening"."""
        lex = self.lex
        offset = lex.modifiers[tokens[i].text]
        target = word_at(tokens, i + 1) or ""
        if target in lex.weekdays:
            facts.set_weekday(lex.weekdays[target], i + 2, strict=offset != 0)
            if offset == 2:
                facts.add_offset(7)
        elif target in lex.week_words:
            facts.set_week(offset, Part.WHOLE, i + 2)
        elif target in lex.weekend_words:
            facts.set_week(1 if offset == 2 else 0, Part.WEEKEND, i + 2)
            facts.coming_weekend = offset != 0
        elif target in lex.month_words:
            facts.set_month(None, offset, Part.WHOLE, i + 2)
        elif target in lex.parts_of_day and offset == 0:
            facts.set_relative_days(0, i + 2)
            facts.set_part_of_day(lex.parts_of_day[target])
        else:
            return 0
        return 2

    def _on_part(self, tokens: list[Token], i: int, facts: Facts) -> int:
        """ "Anfang nächster Woche", "Ende des Monats", "Mitte Januar", "late next week"."""
        lex = self.lex
        part = lex.part_words[tokens[i].text]
        index = i + 1
        if part is Part.START and word_at(tokens, index) in lex.early_morning:
            facts.set_part_of_day(PartOfDay.EARLY)
            return 2
        while word_at(tokens, index) in lex.part_links:
            index += 1
        offset: int | None = None
        modifier = word_at(tokens, index) or ""
        if modifier in lex.modifiers:
            offset = lex.modifiers[modifier]
            index += 1
        target = word_at(tokens, index) or ""
        if target in lex.week_words:
            facts.set_week(offset or 0, part, index + 1)
        elif target in lex.month_words:
            facts.set_month(None, offset or 0, part, index + 1)
        elif target in lex.months and offset is None:
            facts.set_month(lex.months[target], None, part, index + 1)
        else:
            return 0
        return index + 1 - i

    def _on_weekend(self, tokens: list[Token], i: int, facts: Facts) -> int:
        facts.set_week(None, Part.WEEKEND, i + 1)
        return 1

    def _on_day_word(self, tokens: list[Token], i: int, facts: Facts) -> int:
        """ "am Tag vor Heiligabend", "the day after Boxing Day"."""
        used = self._named_near(tokens, i + 1, facts, 1)
        return 1 + used if used else 0

    def _on_in(self, tokens: list[Token], i: int, facts: Facts) -> int:
        """ "in drei Tagen", "in 2 weeks", "im Januar", "in March"."""
        lex = self.lex
        count = number_at(tokens, i + 1)
        unit = word_at(tokens, i + 2)
        if count is not None and not count.ordinal and tokens[i].text in lex.in_words:
            if unit in lex.day_units:
                facts.add_offset(count.value)
                return 3
            if unit in lex.week_units:
                facts.add_offset(7 * count.value)
                return 3
        month = lex.months.get(word_at(tokens, i + 1) or "")
        if month is not None and tokens[i].text in lex.month_preps:
            if number_at(tokens, i + 2) is not None:
                return 0  # "in December 5": the date rule reads it
            facts.set_month(month, None, Part.WHOLE, i + 2)
            return 2
        return 0

    def _on_at(self, tokens: list[Token], i: int, facts: Facts) -> int:
        """ "um 10", "at 3 pm", "gegen halb elf", "around noon"."""
        found = self._clock_at(tokens, i + 1, bare=True)
        if found is None:
            return 0
        facts.set_clock(found[0], approx=tokens[i].text in self.lex.approx_words)
        return 1 + found[1]

    def _on_bound(self, tokens: list[Token], i: int, facts: Facts) -> int:
        """ "ab 15 Uhr", "bis 12", "frühestens um 15 Uhr", "vor Weihnachten", "after 3"."""
        lex = self.lex
        word = tokens[i].text
        start = i + 2 if word_at(tokens, i + 1) in lex.at_words else i + 1
        found = self._clock_at(tokens, start, bare=True)
        if found is None:
            return self._named_near(tokens, i, facts, 0)
        lower = word in lex.lower_words
        facts.set_bound(found[0], lower=lower)
        used = start - i + found[1]
        if lower and word_at(tokens, i + used) in lex.range_joins:
            return used + self._upper_after(tokens, i + used, found[0], facts)
        return used

    def _on_range(self, tokens: list[Token], i: int, facts: Facts) -> int:
        """ "zwischen 14 und 16 Uhr", "von 9 bis 11", "from 9 to 11 am"."""
        joins = self.lex.range_joins
        first = self._clock_at(tokens, i + 1, bare=True, joins=joins)
        if first is None:
            return 0
        facts.set_bound(first[0], lower=True)
        index = i + 1 + first[1]
        if word_at(tokens, index) not in joins:
            return index - i
        return index - i + self._upper_after(tokens, index, first[0], facts)

    def _upper_after(self, tokens: list[Token], index: int, lower: Clock, facts: Facts) -> int:
        second = self._clock_at(tokens, index + 1, bare=True)
        if second is None:
            return 0
        upper = second[0]
        if upper.explicit24 and not lower.explicit24 and lower.hour <= 12:
            # "between 2 and 4 pm" is 14-16, but "between 10 and 2 pm" starts at 10.
            shift = 12 if lower.hour < 12 and lower.hour + 12 <= upper.hour else 0
            facts.set_bound(Clock(lower.hour + shift, lower.minute, True), lower=True)
        facts.set_bound(upper, lower=False)
        return 1 + second[1]

    def _on_clock_word(self, tokens: list[Token], i: int, facts: Facts) -> int:
        found = self._clock_from_word(tokens, i)
        if found is None:
            return 0
        facts.set_clock(found[0])
        return found[1]

    def _on_asap(self, tokens: list[Token], i: int, facts: Facts) -> int:
        facts.set_asap()
        return 1


def _is(tokens: list[Token], i: int, part: PhraseWord) -> bool:
    if i >= len(tokens):
        return False
    token = tokens[i]
    if isinstance(part, int):
        return token.kind == NUM and token.ordinal and token.value == part
    # Text, whatever the kind: "drei" in "Heilige Drei Könige" is a number word.
    return token.text == part
