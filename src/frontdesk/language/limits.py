"""How much text the language layer reads at all.

A date phrase, a service or a person's name said on the phone is a few words; the longest
real one in our tables is well under 100 characters. Anything longer than ``MAX_INPUT_CHARS``
is refused at the entry points (``parse_when``, ``ServiceMatcher.match``,
``NameMatcher.match``, ``name_similarity``, ``parse_phone``) before any parsing: a date phrase
gets the "not understood" question back, a service or name matches nothing, a phone number is
invalid. Refusing, not truncating: a cut phrase could still parse, into the wrong day.
Every algorithm behind these entry points is also near-linear in its input (ADR 0010), so the
bound is a second line of defence, not the only one.
"""

from __future__ import annotations

MAX_INPUT_CHARS = 200


def too_long(text: str) -> bool:
    """True when ``text`` is longer than anything a caller says in one phrase."""
    return len(text) > MAX_INPUT_CHARS
