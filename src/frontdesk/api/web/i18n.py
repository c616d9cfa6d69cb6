"""Which language a page speaks and how it says things: messages from ``messages.py``, dates and
times through Babel in the locale's conventions (``Dienstag, 1. Dezember 2026``, ``14:30``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from babel.dates import format_date

from frontdesk.api.web.messages import MESSAGES

DEFAULT_LANGUAGE = "de"
LANGUAGES = tuple(MESSAGES)
# Babel locales for the languages (German as in Germany: the businesses are German).
_BABEL_LOCALE = {"de": "de_DE", "en": "en_GB"}


def language_of_locale(locale: str | None) -> str:
    """``de-DE`` → ``de``; unknown or empty → German."""
    code = (locale or "").replace("_", "-").split("-")[0].lower()
    return code if code in MESSAGES else DEFAULT_LANGUAGE


def language_of_accept(header: str | None) -> str:
    """The best supported language of an ``Accept-Language`` header (German when none fits)."""
    choices: list[tuple[float, int, str]] = []
    for index, part in enumerate((header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        code = tag.split("-")[0].lower()
        if code in MESSAGES and quality > 0:
            choices.append((-quality, index, code))
    return min(choices)[2] if choices else DEFAULT_LANGUAGE


@dataclass(frozen=True, slots=True)
class Translator:
    language: str

    def __call__(self, key: str, **values: object) -> str:
        text = MESSAGES[self.language].get(key) or MESSAGES[DEFAULT_LANGUAGE].get(key) or key
        return text.format(**values) if values else text

    @property
    def babel_locale(self) -> str:
        return _BABEL_LOCALE[self.language]

    def date(self, day: date | datetime, style: str = "full") -> str:
        """``full``: Dienstag, 1. Dezember 2026; ``medium``: 01.12.2026; or a Babel pattern."""
        return format_date(day, format=style, locale=self.babel_locale)

    def time(self, instant: datetime) -> str:
        """Wall-clock time of an aware datetime in its own zone, 24-hour (14:30) in both
        languages; formatted directly, because Babel's pattern machinery costs tens of
        microseconds a call and a busy day view formats hundreds of times."""
        return f"{instant:%H:%M}"
