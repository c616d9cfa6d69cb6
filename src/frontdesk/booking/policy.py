"""Cancellation policy of a service: how late a cancellation may come and what it costs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any


@dataclass(frozen=True, slots=True)
class CancellationTerms:
    allowed: bool
    fee_cents: int
    min_notice: timedelta


def cancellation_terms(policy: dict[str, Any], time_left: timedelta) -> CancellationTerms:
    """Apply ``{"min_notice_minutes": int, "fees": [{"within_minutes", "fee_cents"}…]}``.

    A cancellation is refused when less than ``min_notice_minutes`` remain. Otherwise the fee
    is that of the tightest tier the cancellation falls into (``time_left`` < ``within_minutes``);
    no tier, no fee. An empty policy allows free cancellation up to the start.
    """
    min_notice = timedelta(minutes=int(policy.get("min_notice_minutes", 0)))
    if time_left < min_notice:
        return CancellationTerms(allowed=False, fee_cents=0, min_notice=min_notice)
    applicable = [
        tier
        for tier in policy.get("fees", [])
        if time_left < timedelta(minutes=int(tier["within_minutes"]))
    ]
    tightest = min(applicable, key=lambda tier: int(tier["within_minutes"]), default=None)
    fee = int(tightest["fee_cents"]) if tightest else 0
    return CancellationTerms(allowed=True, fee_cents=fee, min_notice=min_notice)
