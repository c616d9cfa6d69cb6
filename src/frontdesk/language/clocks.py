"""Clock expressions for the rule engine: "14:30", "halb drei", "quarter to four", "3 pm".

``ClockReader`` reads a time of day from the tokens at an index, through its lexicon's words;
``rules.Grammar`` builds on it. Returns the ``Clock`` as said and how many tokens it spans.
"""

from __future__ import annotations

from frontdesk.language.facts import Clock
from frontdesk.language.grammar import CLOCK, DOT, NUM, WORD, Token, number_at, word_at
from frontdesk.language.lexicon import Lexicon

Found = tuple[Clock, int] | None
_NONE: frozenset[str] = frozenset()


def _hour_before(hour: int) -> int:
    """The hour "halb drei" and "viertel vor drei" are in: 3 → 2, 1 → 12."""
    return hour - 1 if hour > 1 else 12


class ClockReader:
    """Reads times of day with one lexicon's words."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lex = lexicon
        self._relative = lexicon.past_words | lexicon.to_words

    def _suffix(self, tokens: list[Token], i: int, clock: Clock, used: int) -> tuple[Clock, int]:
        """Skip an hour word ("Uhr", "o'clock"), then apply "am"/"pm"."""
        word = word_at(tokens, i)
        if word in self.lex.hour_words:
            i, used = i + 1, used + 1
            word = word_at(tokens, i)
        shift = self.lex.meridiem.get(word or "")
        if shift is None or not 1 <= clock.hour <= 12:
            return clock, used
        return Clock(clock.hour % 12 + shift, clock.minute, explicit24=True), used + 1

    def _clock_at(
        self, tokens: list[Token], i: int, *, bare: bool, joins: frozenset[str] = _NONE
    ) -> Found:
        """A clock expression at ``i``; ``bare`` allows a lone number after "um", "bis"…

        ``joins``: words that end a range ("9 to 11"), not minutes before an hour (10:51).
        """
        if i >= len(tokens):
            return None
        token = tokens[i]
        if token.kind == CLOCK or (
            token.kind == DOT
            and (bare or token.b > 12 or word_at(tokens, i + 1) in self.lex.hour_words)
        ):
            return self._suffix(tokens, i + 1, Clock(token.a, token.b, token.explicit24), 1)
        if token.kind == WORD:
            return self._clock_from_word(tokens, i)
        if token.kind == NUM:
            return self._clock_from_number(tokens, i, bare=bare, joins=joins)
        return None

    def _hour(self, tokens: list[Token], i: int) -> int | None:
        hour = number_at(tokens, i)
        if hour is None or hour.ordinal or not 1 <= hour.value <= 24:
            return None
        return hour.value

    def _clock_from_word(self, tokens: list[Token], i: int) -> Found:
        lex = self.lex
        word = tokens[i].text
        fixed = lex.clock_words.get(word)
        if fixed is not None:
            return Clock(fixed[0], fixed[1], explicit24=True), 1
        minutes = lex.fractions.get(word)
        after = word_at(tokens, i + 1)
        if minutes is not None and after in self._relative:
            hour = self._hour(tokens, i + 2)
            if hour is None:
                return None
            if after in lex.past_words:
                return self._suffix(tokens, i + 3, Clock(hour, minutes), 3)
            return self._suffix(tokens, i + 3, Clock(_hour_before(hour), 60 - minutes), 3)
        direct = lex.direct_fractions.get(word)
        if direct is None:
            return None
        hour = self._hour(tokens, i + 1)
        if hour is None:
            return None
        base = _hour_before(hour) if lex.direct_counts_back else hour
        return self._suffix(tokens, i + 2, Clock(base, direct), 2)

    def _clock_from_number(
        self, tokens: list[Token], i: int, *, bare: bool, joins: frozenset[str]
    ) -> Found:
        lex = self.lex
        token = tokens[i]
        value = token.value
        after = word_at(tokens, i + 1)
        if after in lex.hour_words:
            minute = number_at(tokens, i + 2)
            if (
                minute is not None
                and not minute.ordinal
                and word_at(tokens, i + 3) not in lex.months
            ):
                return self._suffix(tokens, i + 3, Clock(value, minute.value, token.explicit24), 3)
            return self._suffix(tokens, i + 2, Clock(value, 0, token.explicit24), 2)
        if value == 3 and lex.direct_counts_back and lex.direct_fractions.get(after or "") == 15:
            hour = self._hour(tokens, i + 2)  # "drei viertel vier"
            return (
                None
                if hour is None
                else self._suffix(tokens, i + 3, Clock(_hour_before(hour), 45), 3)
            )
        if (
            after in self._relative
            and after not in joins
            and not token.ordinal
            and 1 <= value <= 30
        ):
            found = self._minutes_to_or_past(tokens, i, value, after in lex.past_words)
            if found is not None:
                return found
        if token.ordinal and (
            not lex.ordinal_hours or not bare or word_at(tokens, i + 1) in lex.months
        ):
            return None
        if after in lex.meridiem or ((bare or not token.spoken) and value <= 24):
            return self._suffix(tokens, i + 1, Clock(value, 0, token.explicit24), 1)
        return None

    def _minutes_to_or_past(self, tokens: list[Token], i: int, minutes: int, past: bool) -> Found:
        """ "zwanzig nach zehn", "ten to four", "fünf vor halb zwei"."""
        lex = self.lex
        index = i + 2
        half = (
            lex.direct_counts_back and lex.direct_fractions.get(word_at(tokens, index) or "") == 30
        )
        if half:
            index += 1
        hour = self._hour(tokens, index)
        if hour is None:
            return None
        if half:
            clock = Clock(_hour_before(hour), 30 + minutes if past else 30 - minutes)
        elif past:
            clock = Clock(hour, minutes)
        else:
            clock = Clock(_hour_before(hour), 60 - minutes)
        return self._suffix(tokens, index + 1, clock, index + 1 - i)
