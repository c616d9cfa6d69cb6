"""What the manage page says about a cancellation policy, pure: free until when, which fee
when, refusals with the fee, and posted choices read back (or refused)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from frontdesk.api.web.i18n import Translator
from frontdesk.api.web.manage_view import chosen, fee_refusal, policy_lines, span, too_late_refusal
from frontdesk.booking.manage import FeeTier, ManagedAppointment
from frontdesk.booking.manage_link import LinkRef
from frontdesk.booking.policy import CancellationTerms

BERLIN = ZoneInfo("Europe/Berlin")
START = datetime(2026, 12, 3, 10, 0, tzinfo=BERLIN)
DE, EN = Translator("de"), Translator("en")


def _managed(
    fees: tuple[FeeTier, ...] = (),
    min_notice: timedelta = timedelta(0),
    terms: CancellationTerms | None = None,
) -> ManagedAppointment:
    return ManagedAppointment(
        ref=LinkRef(uuid.uuid4(), uuid.uuid4(), START.astimezone(UTC)),
        business_name="Salon Sonnenschein",
        branch_name="Mitte",
        locale="de-DE",
        zone=BERLIN,
        start=START,
        end=START + timedelta(hours=1),
        version=1,
        service_id=uuid.uuid4(),
        service_name="Damenhaarschnitt",
        staff_name="Anna Becker",
        terms_now=terms or CancellationTerms(True, 0, min_notice),
        min_notice=min_notice,
        fees=fees,
    )


def test_no_policy_is_free_cancellation() -> None:
    assert policy_lines(DE, _managed()) == ["Sie können kostenlos absagen."]


def test_fee_tiers_say_until_when_it_is_free_and_what_costs_what() -> None:
    fees = (FeeTier(timedelta(hours=48), 2000), FeeTier(timedelta(hours=24), 3000))
    lines = policy_lines(DE, _managed(fees, timedelta(hours=2)))
    assert lines == [
        "Sie können kostenlos absagen bis Dienstag, 1. Dezember 2026, 10:00.",
        "Bei einer Absage weniger als 48 Stunden vor dem Termin fällt eine Gebühr von "
        "20,00\u00a0€ an.",
        "Bei einer Absage weniger als 24 Stunden vor dem Termin fällt eine Gebühr von "
        "30,00\u00a0€ an.",
        "Absagen sind bis 2 Stunden vor dem Termin möglich.",
        "Online können Sie nur kostenlos absagen.",
    ]


def test_once_a_fee_applies_the_free_time_is_said_as_past() -> None:
    fees = (FeeTier(timedelta(hours=24), 1500),)
    lines = policy_lines(EN, _managed(fees, terms=CancellationTerms(True, 1500, timedelta(0))))
    assert lines[0] == "Free cancellation was possible until Wednesday, 2 December 2026, 10:00."


def test_refusals_name_the_fee_the_window_and_the_business() -> None:
    managed = _managed((FeeTier(timedelta(hours=24), 1500),), timedelta(minutes=90))
    assert fee_refusal(DE, managed, 1500) == (
        "Eine Absage so kurz vor dem Termin kostet 15,00\u00a0€ (weniger als 24 Stunden "
        "vorher). Online ist sie deshalb nicht möglich – bitte rufen Sie Salon Sonnenschein an."
    )
    assert too_late_refusal(EN, managed) == (
        "Cancellations are possible only up to 90 minutes before the appointment. Please call "
        "Salon Sonnenschein."
    )


def test_spans_read_as_people_say_them() -> None:
    assert span(DE, timedelta(hours=1)) == "1 Stunde"
    assert span(DE, timedelta(hours=24)) == "24 Stunden"
    assert span(EN, timedelta(minutes=45)) == "45 minutes"


def test_a_posted_choice_reads_back_or_is_refused() -> None:
    staff = uuid.uuid4()
    assert chosen(f"2026-12-04T13:30:00+00:00|{staff}") == (
        datetime(2026, 12, 4, 13, 30, tzinfo=UTC),
        staff,
    )
    assert chosen("2026-12-04T13:30:00+00:00|") == (datetime(2026, 12, 4, 13, 30, tzinfo=UTC), None)
    for bad in (None, "", "2026-12-04T13:30:00|" + str(staff), "x|y", "1" * 101, 5):
        assert chosen(bad) is None
