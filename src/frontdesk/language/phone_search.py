"""A search box's text as a phone number, and stored numbers as staff read them.

Staff type a number as they heard or read it: "0171 2345678", "+49 (0)171/234 56 78",
"0049 171 2345678", or only its beginning ("0171 23") or some digits ("2345678"). Numbers are
stored as E.164 ("+491712345678"), so a search is a prefix of that form (a complete or partial
national or international number, normalised with libphonenumber where complete) or, for bare
digits without a leading 0 or +, digits anywhere in the number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers
from phonenumbers import PhoneNumberFormat

from frontdesk.language.phone import E164, parse_phone

# What people write between digits.
_SEPARATORS = re.compile(r"[\s\-/.()\u00a0]+")
# The trunk zero written after a country code: "+49 (0)30 …".
_TRUNK_IN_PARENS = re.compile(r"\(\s*0\s*\)")
MIN_DIGITS = 3


@dataclass(frozen=True, slots=True)
class PhoneQuery:
    """Numbers starting with ``prefix`` (E.164 form), or containing ``digits``."""

    prefix: str | None = None
    digits: str | None = None


def phone_query(text: str, region: str = "DE") -> PhoneQuery | None:
    """``text`` as a phone search, or None when it is not one (letters, too few digits)."""
    compact = _SEPARATORS.sub("", _TRUNK_IN_PARENS.sub("", text.strip()))
    body = compact[1:] if compact.startswith("+") else compact
    if not body.isdigit() or len(body) < MIN_DIGITS:
        return None
    if not compact.startswith(("+", "0")):
        # A fragment: libphonenumber would read "2345678" as a whole national number.
        return PhoneQuery(digits=compact)
    parsed = parse_phone(compact, region)
    if isinstance(parsed, E164):
        return PhoneQuery(prefix=parsed.number)
    if compact.startswith("+"):
        return PhoneQuery(prefix=compact)
    if compact.startswith("00"):
        return PhoneQuery(prefix="+" + compact[2:])
    country = phonenumbers.country_code_for_region(region)
    return PhoneQuery(prefix=f"+{country}{compact[1:]}")


def display(number: str | None, region: str = "DE") -> str | None:
    """A stored E.164 number as staff in ``region`` write it: national within the region
    ("0171 2345678"), international otherwise ("+44 20 7946 0958"); unparseable text as it is."""
    if number is None:
        return None
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException:
        return number
    home = phonenumbers.region_code_for_number(parsed) == region
    style = PhoneNumberFormat.NATIONAL if home else PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(parsed, style)
