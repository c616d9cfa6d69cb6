"""Phrase tables for the season: named days, parts of months, British clock times (issue 10 §3).

Each case is (now, phrase, expected ``When``); every date follows from ``now``, never from
today's date. The reference moments sit where the season's edge cases are: early December, on
and after Christmas, on New Year's Eve, on 2 January and before a late Easter.
"""

from __future__ import annotations

from datetime import datetime

from language_cases import BERLIN, Case, w

DEC01 = datetime(2026, 12, 1, 18, 0, tzinfo=BERLIN)  # Tuesday evening, the season begins
DEC25 = datetime(2026, 12, 25, 9, 0, tzinfo=BERLIN)  # Friday, Christmas Day
DEC31 = datetime(2026, 12, 31, 9, 0, tzinfo=BERLIN)  # Thursday, New Year's Eve
JAN02 = datetime(2027, 1, 2, 9, 0, tzinfo=BERLIN)  # Saturday after New Year
FEB10 = datetime(2027, 2, 10, 9, 0, tzinfo=BERLIN)  # Wednesday; Easter 2027 is 28 March

GERMAN_SEASON: list[Case] = [
    # named days
    (DEC01, "Heiligabend", w("2026-12-24")),
    (DEC01, "an Heiligabend", w("2026-12-24")),
    (DEC01, "am Heiligen Abend", w("2026-12-24")),
    (DEC01, "Silvester", w("2026-12-31")),
    (DEC01, "Neujahr", w("2027-01-01")),
    (DEC01, "1. Weihnachtsfeiertag", w("2026-12-25")),
    (DEC01, "am ersten Weihnachtsfeiertag", w("2026-12-25")),
    (DEC01, "erster Weihnachtstag", w("2026-12-25")),
    (DEC01, "2. Weihnachtsfeiertag", w("2026-12-26")),
    (DEC01, "zweiter Weihnachtstag", w("2026-12-26")),
    (DEC01, "Weihnachten", w("2026-12-24", until="2026-12-26")),
    (DEC01, "über die Weihnachtsfeiertage", w("2026-12-25", until="2026-12-26")),
    (DEC01, "Nikolaus", w("2026-12-06")),
    (DEC01, "Ostern", w("2027-03-28", until="2027-03-29")),
    (DEC01, "Ostersonntag", w("2027-03-28")),
    (DEC01, "Ostermontag", w("2027-03-29")),
    (DEC01, "Karfreitag", w("2027-03-26")),
    (DEC01, "Pfingsten", w("2027-05-16", until="2027-05-17")),
    (DEC01, "Pfingstmontag", w("2027-05-17")),
    (DEC01, "Christi Himmelfahrt", w("2027-05-06")),
    (DEC01, "Fronleichnam", w("2027-05-27")),
    (DEC01, "Heilige Drei Könige", w("2027-01-06")),
    (DEC01, "Tag der Deutschen Einheit", w("2027-10-03")),
    # days relative to named days
    (DEC01, "am Tag vor Heiligabend", w("2026-12-23")),
    (DEC01, "einen Tag nach Weihnachten", w("2026-12-27")),
    (DEC01, "zwei Tage vor Silvester", w("2026-12-29")),
    (DEC01, "vor Weihnachten", w("2026-12-17", until="2026-12-23")),
    (DEC01, "nach Weihnachten", w("2026-12-27", until="2027-01-02")),
    (DEC01, "zwischen den Jahren", w("2026-12-27", until="2026-12-30")),
    (DEC01, "nach Neujahr", w("2027-01-02", until="2027-01-08")),
    (DEC01, "nach Ostern", w("2027-03-30", until="2027-04-05")),
    (DEC01, "vor Ostern", w("2027-03-21", until="2027-03-27")),
    # with times and parts of day
    (DEC01, "Silvester um zehn", w("2026-12-31", "10:00")),
    (DEC01, "Silvester um 10 Uhr", w("2026-12-31", "10:00")),
    (DEC01, "Heiligabend vormittags", w("2026-12-24", None, "09:00", "12:00")),
    (DEC01, "an Heiligabend um halb zehn", w("2026-12-24", "09:30")),
    (DEC01, "am Tag vor Heiligabend nachmittags", w("2026-12-23", None, "14:00", "18:00")),
    (
        DEC01,
        "zwischen den Jahren vormittags",
        w("2026-12-27", None, "09:00", "12:00", "2026-12-30"),
    ),
    (DEC01, "Donnerstag, Heiligabend", w("2026-12-24")),
    (DEC01, "Heiligabend, den 24.12.", w("2026-12-24")),
    (DEC01, "nach Weihnachten am Montag", w("2026-12-28")),
    # a named day already over is next year's; a range already begun starts today
    (DEC25, "Heiligabend", w("2027-12-24")),
    (DEC25, "Weihnachten", w("2026-12-25", until="2026-12-26")),
    (DEC25, "zweiter Weihnachtsfeiertag", w("2026-12-26")),
    (DEC25, "vor Weihnachten", w("2027-12-17", until="2027-12-23")),
    (DEC31, "Silvester um 15 Uhr", w("2026-12-31", "15:00")),
    (DEC31, "zwischen den Jahren", w("2027-12-27", until="2027-12-30")),
    (JAN02, "nach Neujahr", w("2027-01-02", until="2027-01-08")),
    (JAN02, "nach Silvester", w("2027-01-02", until="2027-01-07")),
    (JAN02, "Silvester", w("2027-12-31")),
    (FEB10, "Ostern", w("2027-03-28", until="2027-03-29")),
    (FEB10, "Rosenmontag", w("2028-02-28")),
    # parts of months
    (DEC01, "Anfang Januar", w("2027-01-01", until="2027-01-10")),
    (DEC01, "Mitte Januar", w("2027-01-11", until="2027-01-20")),
    (DEC01, "Ende Januar", w("2027-01-21", until="2027-01-31")),
    (DEC01, "Ende Februar", w("2027-02-21", until="2027-02-28")),
    (DEC01, "Anfang Dezember", w("2026-12-01", until="2026-12-10")),
    (DEC01, "Ende des Monats", w("2026-12-21", until="2026-12-31")),
    (DEC01, "zum Monatsende", w("2026-12-21", until="2026-12-31")),
    (DEC01, "Mitte des Monats", w("2026-12-11", until="2026-12-20")),
    (DEC01, "Anfang nächsten Monats", w("2027-01-01", until="2027-01-10")),
    (DEC01, "Ende nächsten Monats", w("2027-01-21", until="2027-01-31")),
    (DEC01, "nächsten Monat", w("2027-01-01", until="2027-01-31")),
    (DEC01, "im nächsten Monat", w("2027-01-01", until="2027-01-31")),
    (DEC01, "diesen Monat", w("2026-12-01", until="2026-12-31")),
    (DEC01, "im Januar", w("2027-01-01", until="2027-01-31")),
    (DEC01, "Ende Januar vormittags", w("2027-01-21", None, "09:00", "12:00", "2027-01-31")),
    (DEC01, "Anfang Januar am Dienstag", w("2027-01-05")),
    (DEC25, "Ende des Monats", w("2026-12-25", until="2026-12-31")),
    (JAN02, "Anfang Januar", w("2027-01-02", until="2027-01-10")),
    # parts of weeks
    (DEC01, "Mitte nächster Woche", w("2026-12-08", until="2026-12-10")),
    (DEC01, "Ende der Woche", w("2026-12-03", until="2026-12-05")),
    (DEC01, "Anfang nächster Woche", w("2026-12-07", until="2026-12-09")),
]

GERMAN_SEASON_CLARIFY: list[tuple[datetime, str]] = [
    (DEC01, "Heiligabend am Freitag"),  # 24.12.2026 is a Thursday
    (DEC01, "Heiligabend am 23.12."),
    (DEC25, "Anfang des Monats"),  # already over this month
    (DEC31, "Silvester um 8 Uhr"),  # already over today
    (DEC01, "in 99999999999 Wochen"),
]

ENGLISH_SEASON: list[Case] = [
    (DEC01, "Christmas Eve", w("2026-12-24")),
    (DEC01, "on Christmas Eve", w("2026-12-24")),
    (DEC01, "Christmas Day", w("2026-12-25")),
    (DEC01, "Christmas", w("2026-12-25")),
    (DEC01, "Boxing Day", w("2026-12-26")),
    (DEC01, "New Year's Eve", w("2026-12-31")),
    (DEC01, "New Year's Day", w("2027-01-01")),
    (DEC01, "New Year’s Day", w("2027-01-01")),
    (DEC01, "Easter", w("2027-03-28", until="2027-03-29")),
    (DEC01, "Easter Monday", w("2027-03-29")),
    (DEC01, "Good Friday", w("2027-03-26")),
    (DEC01, "Whit Monday", w("2027-05-17")),
    (DEC01, "the day before Christmas Eve", w("2026-12-23")),
    (DEC01, "the day after Boxing Day", w("2026-12-27")),
    (DEC01, "two days before New Year's Eve", w("2026-12-29")),
    (DEC01, "before Christmas", w("2026-12-18", until="2026-12-24")),
    (DEC01, "after Christmas", w("2026-12-26", until="2027-01-01")),
    (DEC01, "after New Year", w("2027-01-02", until="2027-01-08")),
    (DEC01, "between Christmas and New Year", w("2026-12-27", until="2026-12-30")),
    (DEC01, "Christmas Eve at ten", w("2026-12-24", "10:00")),
    (DEC01, "Christmas Eve at half ten", w("2026-12-24", "10:30")),
    (DEC01, "New Year's Eve in the morning", w("2026-12-31", None, "09:00", "12:00")),
    (DEC25, "Christmas Eve", w("2027-12-24")),
    (DEC25, "Boxing Day at 11 am", w("2026-12-26", "11:00")),
    # parts of months
    (DEC01, "early January", w("2027-01-01", until="2027-01-10")),
    (DEC01, "mid January", w("2027-01-11", until="2027-01-20")),
    (DEC01, "mid-January", w("2027-01-11", until="2027-01-20")),
    (DEC01, "late January", w("2027-01-21", until="2027-01-31")),
    (DEC01, "the end of January", w("2027-01-21", until="2027-01-31")),
    (DEC01, "the beginning of February", w("2027-02-01", until="2027-02-10")),
    (DEC01, "end of the month", w("2026-12-21", until="2026-12-31")),
    (DEC01, "at the end of the month", w("2026-12-21", until="2026-12-31")),
    (DEC01, "the middle of the month", w("2026-12-11", until="2026-12-20")),
    (DEC01, "next month", w("2027-01-01", until="2027-01-31")),
    (DEC01, "early next month", w("2027-01-01", until="2027-01-10")),
    (DEC01, "beginning of next month", w("2027-01-01", until="2027-01-10")),
    (DEC01, "in January", w("2027-01-01", until="2027-01-31")),
    (DEC01, "middle of next week", w("2026-12-08", until="2026-12-10")),
    (DEC01, "in the middle of next week", w("2026-12-08", until="2026-12-10")),
    (DEC01, "end of the week", w("2026-12-03", until="2026-12-05")),
    # British clock times
    (DEC01, "half ten", w(None, "10:30")),
    (DEC01, "tomorrow at half ten", w("2026-12-02", "10:30")),
    (DEC01, "half two", w(None, "14:30")),
    (DEC01, "half nine in the morning", w(None, "09:30")),
    (DEC01, "quarter past ten", w(None, "10:15")),
    (DEC01, "quarter to eleven", w(None, "10:45")),
    (DEC01, "at half past ten", w(None, "10:30")),
    (DEC01, "at 10.30", w(None, "10:30")),
]

ENGLISH_SEASON_CLARIFY: list[tuple[datetime, str]] = [
    (DEC01, "Christmas Eve on Friday"),
    (DEC31, "New Year's Eve at 8 am"),
]
