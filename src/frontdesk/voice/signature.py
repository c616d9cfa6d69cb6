"""Retell's ``X-Retell-Signature``: ``v=<ms>,d=<hex HMAC-SHA256(key, body + str(ms))>``.

A pure re-implementation of ``retell.lib.verify`` (retell-sdk >= 5.57.2, see
reference/retell.md §1.4): full-match header, a symmetric five-minute window, HMAC over the raw
body bytes with the decimal timestamp appended (no separator), constant-time comparison. The
body is never re-serialised: ``json.dumps`` would escape "ü" and the digest would not match.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from enum import StrEnum

HEADER = "X-Retell-Signature"
TOLERANCE_MS = 5 * 60 * 1000
# ASCII digits only: ``\d`` would also accept other scripts' digits, which Retell never sends.
# At most 15 of them (milliseconds until the year 33658): a longer "timestamp" is malformed, and
# is never handed to ``int`` (which refuses more than 4,300 digits with an error of its own).
_FORMAT = re.compile(r"v=([0-9]{1,15}),d=([0-9a-f]{64})", re.ASCII)


class SignatureProblem(StrEnum):
    """Why a request was refused; logged, never shown to the caller."""

    NO_KEY = "no_key"
    MISSING = "missing"
    MALFORMED = "malformed"
    STALE = "stale"
    MISMATCH = "mismatch"


def digest(body: bytes, key: str, timestamp_ms: int) -> str:
    """Lower-case hex HMAC-SHA256 of ``body + str(timestamp_ms)`` under ``key``."""
    message = body + str(timestamp_ms).encode("ascii")
    return hmac.new(key.encode("utf-8"), message, hashlib.sha256).hexdigest()


def sign(body: bytes, key: str, timestamp_ms: int) -> str:
    """The header value Retell would send for ``body`` at ``timestamp_ms`` (tests, bench)."""
    return f"v={timestamp_ms},d={digest(body, key, timestamp_ms)}"


def check(body: bytes, key: str | None, header: str | None, now_ms: int) -> SignatureProblem | None:
    """``None`` when ``header`` is Retell's valid signature of ``body``, else the problem."""
    if not key:
        return SignatureProblem.NO_KEY
    if not header:
        return SignatureProblem.MISSING
    found = _FORMAT.fullmatch(header)
    if found is None:
        return SignatureProblem.MALFORMED
    timestamp = int(found.group(1))
    if abs(now_ms - timestamp) > TOLERANCE_MS:
        return SignatureProblem.STALE
    if not hmac.compare_digest(digest(body, key, timestamp), found.group(2)):
        return SignatureProblem.MISMATCH
    return None
