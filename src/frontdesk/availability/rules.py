"""Interval arithmetic on sorted half-open integer spans: merge, subtract, clip, probe.

The engine works in integer microseconds since the Unix epoch (exact, and an order of
magnitude cheaper to compare than aware datetimes). A *span list* here is always sorted by
start, pairwise disjoint and non-touching, which ``merge`` establishes; every other function
relies on that and runs in linear time (``subtract``) or logarithmic time (``clip``,
``overlaps``, ``covering``) by bisecting instead of scanning.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from operator import itemgetter

Span = tuple[int, int]
"""A half-open interval ``[start, end)`` with ``start < end``."""

_end_of = itemgetter(1)
_start_of = itemgetter(0)


def merge(spans: Iterable[Span]) -> list[Span]:
    """Sort spans and coalesce the ones that overlap or touch into a span list."""
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def subtract(base: Sequence[Span], cuts: Sequence[Span]) -> list[Span]:
    """Remove every part of ``base`` covered by ``cuts``; both are span lists.

    One forward pass over both lists: a cut that ends before the current base span can never
    matter again because both lists are sorted.
    """
    result: list[Span] = []
    j = 0
    n_cuts = len(cuts)
    for start, end in base:
        while j < n_cuts and cuts[j][1] <= start:
            j += 1
        k = j
        cursor = start
        while k < n_cuts and cuts[k][0] < end:
            cut_start, cut_end = cuts[k]
            if cut_start > cursor:
                result.append((cursor, cut_start))
            cursor = max(cursor, cut_end)
            if cursor >= end:
                break
            k += 1
        if cursor < end:
            result.append((cursor, end))
    return result


def clip(spans: Sequence[Span], lo: int, hi: int) -> list[Span]:
    """The parts of a span list that lie inside ``[lo, hi)``."""
    first = bisect_right(spans, lo, key=_end_of)
    last = bisect_left(spans, hi, key=_start_of)
    window = list(spans[first:last])
    if window:
        if window[0][0] < lo:
            window[0] = (lo, window[0][1])
        if window[-1][1] > hi:
            window[-1] = (window[-1][0], hi)
    return window


def overlaps(spans: Sequence[Span], start: int, end: int) -> bool:
    """Whether ``[start, end)`` shares any instant with a span list."""
    i = bisect_right(spans, start, key=_end_of)
    return i < len(spans) and spans[i][0] < end


def covering(spans: Sequence[Span], start: int, end: int) -> bool:
    """Whether a single span of a span list contains all of ``[start, end)``."""
    i = bisect_right(spans, start, key=_start_of) - 1
    return i >= 0 and spans[i][1] >= end


def total(spans: Iterable[Span]) -> int:
    """Summed length of disjoint spans."""
    return sum(end - start for start, end in spans)
