"""The tokenizer and the loop that runs the rules, shared by every language (``rules.py``).

A phrase becomes a list of ``Token``s (words, numbers, "14:30", "5.12.", ISO-8601); each
language then maps token kinds to rules. A rule looks at the tokens from an index, records
what it recognised in ``Facts`` and returns how many tokens it used (0: not its phrase).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo

from frontdesk.language.facts import Facts
from frontdesk.language.problems import NotUnderstood

WORD, NUM, CLOCK, DATE, DOT = "word", "num", "clock", "date", "dot"


@dataclass(slots=True)
class Token:
    """One token; numbers carry their value, clocks and dates their parts in ``a``/``b``/``c``."""

    kind: str
    text: str
    value: int = 0
    ordinal: bool = False
    spoken: bool = False  # a number word: ignored when no rule uses it ("eine Beratung")
    a: int = 0
    b: int = 0
    c: int | None = None
    explicit24: bool = False


Rule = Callable[[list[Token], int, Facts], int]

TOKEN_RE = re.compile(
    r"(?P<iso>\d{4}-\d{2}-\d{2}"
    r"(?:[t ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:z|[+-]\d{2}(?::?\d{2})?)?)?)"
    r"|(?P<clock>\d{1,2}:\d{2})(?::\d{2})?"
    r"|(?P<dmy>\d{1,2}\.\d{1,2}\.(?:\d{4}|\d{2}(?!\d))?)"
    r"|(?P<dm>\d{1,2}\.\d{1,2})(?!\d)"
    r"|(?P<ord>\d{1,2}\.)(?!\d)"
    r"|(?P<num>\d+)"
    r"|(?P<word>[a-z]+)"
)


def tokenize(
    normal: str,
    zone: tzinfo | None,
    *,
    fillers: frozenset[str],
    number_words: Mapping[str, tuple[int, bool]],
) -> list[Token]:
    """Tokens of an already normalised (lowercase, ASCII-folded) phrase, fillers dropped."""
    tokens: list[Token] = []
    for match in TOKEN_RE.finditer(normal):
        kind = match.lastgroup
        raw = match.group()
        if kind == "word":
            if raw in fillers:
                continue
            number = number_words.get(raw)
            if number is None:
                tokens.append(Token(WORD, raw))
            else:
                tokens.append(Token(NUM, raw, number[0], ordinal=number[1], spoken=True))
        elif kind == "num":
            tokens.append(Token(NUM, raw, int(raw), explicit24=raw.startswith("0")))
        elif kind == "ord":
            tokens.append(Token(NUM, raw, int(raw[:-1]), ordinal=True))
        elif kind == "clock":
            tokens.append(_clock_token(match.group("clock")))
        elif kind in ("dmy", "dm"):
            tokens.append(_dotted_token(raw))
        else:
            tokens.extend(iso_tokens(raw, zone))
    return tokens


def _clock_token(raw: str) -> Token:
    hour, minute = raw.split(":")
    return Token(CLOCK, raw, a=int(hour), b=int(minute), explicit24=len(hour) == 2)


def _dotted_token(raw: str) -> Token:
    """ "5.12." and "05.12.2026" are dates; "14.30" may be a time, decided by the grammar."""
    parts = raw.split(".")
    first, second = int(parts[0]), int(parts[1])
    trailing_dot = len(parts) == 3
    year = int(parts[2]) if trailing_dot and parts[2] else None
    if trailing_dot and (year is not None or second <= 12):
        return Token(DATE, raw, a=first, b=second, c=year)
    return Token(DOT, raw, a=first, b=second, explicit24=len(parts[0]) == 2)


def iso_tokens(raw: str, zone: tzinfo | None) -> list[Token]:
    """ISO-8601 date or date-time as a date token and a 24-hour clock token.

    A date-time with an offset is converted into the branch's zone first, so
    "2026-11-24T14:30:00+01:00" is 14:30 in Berlin in winter.
    """
    raw = raw.upper().replace(" ", "T")
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        year, month, day = (int(part) for part in raw[:10].split("-"))
        return [Token(DATE, raw, a=day, b=month, c=year)]
    if moment.tzinfo is not None and zone is not None:
        moment = moment.astimezone(zone)
    tokens = [Token(DATE, raw, a=moment.day, b=moment.month, c=moment.year)]
    if "T" in raw:
        tokens.append(Token(CLOCK, raw, a=moment.hour, b=moment.minute, explicit24=True))
    return tokens


def word_at(tokens: list[Token], index: int) -> str | None:
    if index < len(tokens) and tokens[index].kind == WORD:
        return tokens[index].text
    return None


def number_at(tokens: list[Token], index: int) -> Token | None:
    if index < len(tokens) and tokens[index].kind == NUM:
        return tokens[index]
    return None


def run_rules(tokens: list[Token], rules: Mapping[str, Rule]) -> Facts:
    """Run the rule for each token's kind; a digit no rule used makes the phrase unclear."""
    facts = Facts()
    index = 0
    while index < len(tokens):
        token = tokens[index]
        used = rules[token.kind](tokens, index, facts)
        if used:
            index += used
            continue
        if token.kind != WORD and not token.spoken:
            facts.fail(NotUnderstood())
        index += 1
    return facts
