"""Reading JSON nobody vouches for yet: bounded depth, text every database can store.

``json.loads`` recurses once per nesting level; a body nested a thousand levels deep raises
``RecursionError`` (or, close to the limit, succeeds and breaks whatever walks it next). Here
parsing failures of any kind are ``None``, and ``sanitised`` refuses depth beyond ``MAX_DEPTH``
(Retell's deepest payload, a transcript object's words, is 5 levels) and replaces what no
database stores: lone UTF-16 surrogates become U+FFFD, NUL characters are dropped.
"""

from __future__ import annotations

import json
import re
from typing import Any

MAX_DEPTH = 32
_SURROGATE = re.compile(r"[\ud800-\udfff]")


class TooDeep(ValueError):
    """The JSON value nests deeper than ``MAX_DEPTH``."""


def loads(raw: bytes | str) -> Any | None:
    """The parsed JSON value, or ``None`` when ``raw`` is not JSON (or too deep to parse)."""
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None


def text(value: str) -> str:
    """``value`` with lone surrogates replaced by U+FFFD and NUL characters removed."""
    if "\x00" in value:
        value = value.replace("\x00", "")
    if not value.isascii() and _SURROGATE.search(value):
        value = _SURROGATE.sub("\ufffd", value)
    return value


def sanitised(value: Any, max_depth: int = MAX_DEPTH) -> Any:
    """A copy of the JSON ``value`` whose strings (keys too) pass ``text``; ``TooDeep`` when it
    nests deeper than ``max_depth`` (checked before descending, so recursion stays bounded)."""
    return _sanitised(value, max_depth)


def _sanitised(value: Any, depth: int) -> Any:
    if isinstance(value, str):
        return text(value)
    if isinstance(value, dict):
        if depth <= 0:
            raise TooDeep("JSON nested too deeply")
        return {text(str(k)): _sanitised(v, depth - 1) for k, v in value.items()}
    if isinstance(value, list):
        if depth <= 0:
            raise TooDeep("JSON nested too deeply")
        return [_sanitised(v, depth - 1) for v in value]
    return value
