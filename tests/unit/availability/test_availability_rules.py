"""Interval arithmetic of the availability engine, checked against a set-of-instants oracle."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from frontdesk.availability.rules import (
    Span,
    clip,
    covering,
    merge,
    overlaps,
    subtract,
    total,
)

spans = st.lists(
    st.tuples(st.integers(0, 60), st.integers(1, 12)).map(lambda p: (p[0], p[0] + p[1])),
    max_size=8,
)


def points(span_list: list[Span]) -> set[int]:
    """Every integer instant covered: the brute-force meaning of a set of half-open spans."""
    return {t for start, end in span_list for t in range(start, end)}


def is_span_list(span_list: list[Span]) -> bool:
    ordered = all(a[1] < b[0] for a, b in itertools.pairwise(span_list))
    return ordered and all(start < end for start, end in span_list)


@given(spans)
def test_merge_covers_the_same_instants_in_sorted_disjoint_spans(raw: list[Span]) -> None:
    merged = merge(raw)
    assert is_span_list(merged)
    assert points(merged) == points(raw)


def test_merge_joins_touching_spans() -> None:
    assert merge([(5, 7), (1, 3), (3, 5)]) == [(1, 7)]


@given(spans, spans)
def test_subtract_removes_exactly_the_cut_instants(base: list[Span], cuts: list[Span]) -> None:
    result = subtract(merge(base), merge(cuts))
    assert is_span_list(result)
    assert points(result) == points(base) - points(cuts)


def test_subtract_splits_a_window_around_a_break() -> None:
    assert subtract([(9, 18)], [(13, 14)]) == [(9, 13), (14, 18)]


@given(spans, st.integers(0, 70), st.integers(1, 30))
def test_clip_keeps_only_the_window(raw: list[Span], lo: int, width: int) -> None:
    merged = merge(raw)
    result = clip(merged, lo, lo + width)
    assert is_span_list(result)
    assert points(result) == points(merged) & set(range(lo, lo + width))


@given(spans, st.integers(0, 70), st.integers(1, 30))
def test_overlaps_and_covering_agree_with_instants(raw: list[Span], start: int, width: int) -> None:
    merged = merge(raw)
    probe = set(range(start, start + width))
    assert overlaps(merged, start, start + width) == bool(probe & points(merged))
    assert covering(merged, start, start + width) == (probe <= points(merged))


@given(spans)
def test_total_is_the_number_of_covered_instants(raw: list[Span]) -> None:
    assert total(merge(raw)) == len(points(raw))
