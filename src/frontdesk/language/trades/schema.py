"""The shape of one trade's data module (``salon.py``, ``practice.py``, ``workshop.py``)."""

from __future__ import annotations

from typing import TypedDict


class TradeWords(TypedDict):
    """``lemmas``: the catalogue's word → every way a caller says it (space-separated);
    ``generic``: words naming every service's object; ``ignored``: never a service."""

    lemmas: dict[str, str]
    generic: str
    ignored: str
