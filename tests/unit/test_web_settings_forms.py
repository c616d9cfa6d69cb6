"""Reading the settings forms: German times, prices, dates and weeks (pure)."""

from __future__ import annotations

from datetime import date, time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from frontdesk.api.web import settings_forms as forms
from frontdesk.api.web.settings_forms import FormProblem
from frontdesk.business.rules import MAX_PRICE_CENTS, Window


@given(st.integers(min_value=0, max_value=MAX_PRICE_CENTS))
def test_a_price_shown_german_style_reads_back_as_the_same_cents(cents: int) -> None:
    shown = forms.euro_text(cents)
    assert shown.endswith(" €")
    assert forms.euros(shown, "price") == cents


@pytest.mark.parametrize(
    ("typed", "cents"),
    [
        ("25", 2500),
        ("25,5", 2550),
        ("25,00 €", 2500),
        ("1.250,00", 125000),
        ("0,99", 99),
        ("", None),
        (" € ", None),
    ],
)
def test_prices_as_people_type_them(typed: str, cents: int | None) -> None:
    assert forms.euros(typed, "price") == cents


@pytest.mark.parametrize("typed", ["zwölf", "25.5", "1,2,3", "-5", "25,123", "12.50 €"])
def test_what_is_not_a_price_is_refused_with_a_german_message(typed: str) -> None:
    with pytest.raises(FormProblem) as refused:
        forms.euros(typed, "price")
    assert refused.value.field == "price"
    assert "kein Preis" in refused.value.message


@pytest.mark.parametrize(("typed", "value"), [("9:00", time(9)), ("09.30", time(9, 30)),
                                              (" 23:59 ", time(23, 59))])  # fmt: skip
def test_clock_times(typed: str, value: time) -> None:
    assert forms.clock_time(typed, "t") == value


@pytest.mark.parametrize("typed", ["24:00", "9", "9:60", "neun", "09:00:00"])
def test_what_is_not_a_clock_time(typed: str) -> None:
    with pytest.raises(FormProblem, match="keine Uhrzeit"):
        forms.clock_time(typed, "t")


def test_a_week_form_reads_windows_breaks_and_closed_days() -> None:
    form = {"d0_0_start": "09:00", "d0_0_end": "13:00", "d0_1_start": "14:00",
            "d0_1_end": "18:00", "d0_1_breaks": "15:00-15:15, 16:00–16:10",
            "d6_0_start": "", "d6_0_end": ""}  # fmt: skip
    week = forms.week(form, with_breaks=True)
    assert week[0] == [
        Window(time(9), time(13)),
        Window(time(14), time(18), ((time(15), time(15, 15)), (time(16), time(16, 10)))),
    ]
    assert week[6] == []
    assert set(week) == set(range(7))
    assert forms.week(form, with_breaks=False)[0][1].breaks == ()


def test_a_window_with_one_end_missing_names_the_empty_field() -> None:
    with pytest.raises(FormProblem) as refused:
        forms.week({"d2_1_end": "12:00"}, with_breaks=False)
    assert refused.value.field == "d2_1_start"
    assert "Mittwoch" in refused.value.message


def test_dates_from_the_date_input_or_typed_german_style() -> None:
    assert forms.day_of("2026-12-24", "d") == forms.day_of("24.12.2026", "d") == date(2026, 12, 24)
    with pytest.raises(FormProblem, match="kein gültiges Datum"):
        forms.day_of("30.02.2026", "d")


def test_whole_numbers_and_aliases() -> None:
    assert forms.whole_number(" 45 ", "m", "Dauer") == 45
    with pytest.raises(FormProblem, match="ganze Zahl"):
        forms.whole_number("4,5", "m", "Dauer")
    assert forms.aliases_of("Kinder, Kids\n\n Schnitt ") == ["Kinder", "Kids", "Schnitt"]
