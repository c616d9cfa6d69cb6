"""Capturing structlog events in tests (the ``logs_of`` fixture in tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

LogCapture = Callable[..., AbstractContextManager[list[dict[str, Any]]]]
"""``with logs_of(module, ...) as logs``: the events those modules log in the block."""
