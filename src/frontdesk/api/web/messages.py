"""Every text of the web app, German first, English second: data, not strings in code.

Keys are dotted by page; values are ``str.format`` templates. A key missing in English falls
back to German (the business's language), a key missing everywhere is shown as the key, and a
unit test keeps both catalogues complete. The texts live per area (``texts/``, and the manage
page's and the messages settings' modules of their own); this module merges them into the one
catalogue the translator reads.
"""

from __future__ import annotations

from collections.abc import Mapping

from frontdesk.api.web.manage_messages import MANAGE_MESSAGES
from frontdesk.api.web.settings_messages_texts import SETTINGS_MESSAGES_TEXTS
from frontdesk.api.web.texts import calls, common, customers, schedule, settings, sync

Catalogue = Mapping[str, Mapping[str, str]]

AREAS: tuple[Catalogue, ...] = (
    common.TEXTS,
    schedule.TEXTS,
    calls.TEXTS,
    customers.TEXTS,
    settings.TEXTS,
    SETTINGS_MESSAGES_TEXTS,
    sync.TEXTS,
    MANAGE_MESSAGES,
)


def merge(areas: tuple[Catalogue, ...]) -> dict[str, dict[str, str]]:
    """One catalogue per language (German first); a key two areas both define is a mistake."""
    merged: dict[str, dict[str, str]] = {"de": {}, "en": {}}
    for area in areas:
        for language, texts in area.items():
            twice = merged[language].keys() & texts.keys()
            if twice:
                raise ValueError(f"texts defined twice: {sorted(twice)}")
            merged[language].update(texts)
    return merged


MESSAGES = merge(AREAS)
