"""Caller numbers in any German or international format → E.164, or "withheld", or invalid.

Telephony providers send a caller ID as they please: "0171 1234567", "+49 (0)30 123456",
"0049 89 1234567", "anonymous", an empty string, or "+266696687" ("ANONYMOUS" typed on a
keypad, which some carriers send for a hidden number). ``parse_phone`` sorts these into
three kinds so a caller can match on them:

- ``E164``: a valid number, stored in this form only;
- ``Withheld``: the caller hid the number, or the field holds no digits at all;
- ``InvalidPhone``: digits that do not form a valid number in the given region.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType

from frontdesk.language.limits import MAX_INPUT_CHARS, too_long

__all__ = ["E164", "InvalidPhone", "PhoneResult", "Withheld", "parse_phone"]

DEFAULT_REGION = "DE"

# Caller IDs that mean "hidden", as providers spell them, lowercased without spaces.
_WITHHELD_WORDS = frozenset(
    {
        "anonymous",
        "anonym",
        "unknown",
        "unbekannt",
        "private",
        "privat",
        "restricted",
        "unavailable",
        "withheld",
        "blocked",
        "clid_withheld",
        "nicht_uebermittelt",
    }
)
# "ANONYMOUS" on a phone keypad; sent by some carriers instead of a number.
_KEYPAD_ANONYMOUS = "266696687"


@dataclass(frozen=True, slots=True)
class E164:
    """A valid number: ``number`` as "+4915112345678"."""

    number: str
    mobile: bool

    @property
    def national(self) -> str:
        """For display to staff: "0151 12345678"."""
        parsed = phonenumbers.parse(self.number)
        return phonenumbers.format_number(parsed, PhoneNumberFormat.NATIONAL)


@dataclass(frozen=True, slots=True)
class Withheld:
    """The caller's number is not known; ``raw`` is what the provider sent."""

    raw: str | None


@dataclass(frozen=True, slots=True)
class InvalidPhone:
    """Digits that are not a valid number; ``reason`` is for logs, not for callers."""

    raw: str
    reason: str


PhoneResult = E164 | Withheld | InvalidPhone


def parse_phone(raw: str | None, default_region: str = DEFAULT_REGION) -> PhoneResult:
    """Classify and normalise a caller ID; numbers without "+" use ``default_region``.

    Text longer than ``limits.MAX_INPUT_CHARS`` is invalid before anything else (and is not
    kept in the cache).
    """
    if raw is not None and too_long(raw):
        return InvalidPhone(raw[:MAX_INPUT_CHARS], "too long")
    return _parse_phone(raw, default_region)


# Every voice request parses its dialled number and caller ID, and a call's requests repeat them:
# the results are immutable, so recent ones are kept (libphonenumber's parse is the costly part).
@lru_cache(maxsize=4096)
def _parse_phone(raw: str | None, default_region: str) -> PhoneResult:
    if raw is None:
        return Withheld(None)
    text = raw.strip()
    compact = "".join(text.lower().split())
    digits = "".join(ch for ch in text if ch.isdigit())
    if not digits or compact in _WITHHELD_WORDS or digits == _KEYPAD_ANONYMOUS:
        return Withheld(raw)
    if compact.startswith(("sip:", "tel:")):
        text = compact.split(":", 1)[1].split("@", 1)[0].split(";", 1)[0]
        if text in _WITHHELD_WORDS:
            return Withheld(raw)
    try:
        parsed = phonenumbers.parse(text, default_region)
    except NumberParseException as error:
        return InvalidPhone(raw, str(error))
    if not phonenumbers.is_valid_number(parsed):
        return InvalidPhone(raw, "not a valid number")
    number_type = phonenumbers.number_type(parsed)
    mobile = number_type in (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE)
    return E164(phonenumbers.format_number(parsed, PhoneNumberFormat.E164), mobile)
