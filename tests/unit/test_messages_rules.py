"""The pure rules of customer messages: who gets an SMS, quiet hours, signed unsubscribe links,
dates in words and digits, the .ics and the templates."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from frontdesk.booking import manage_link
from frontdesk.jobs.errors import PermanentJobError
from frontdesk.messages import ics, links, outbox, policy, render
from frontdesk.messages.model import Appointment, MessageKind, Notice
from frontdesk.messages.wording import in_digits, in_words
from frontdesk.settings import Settings

BERLIN = ZoneInfo("Europe/Berlin")
KEY = b"k" * 32


def _appointment(locale: str = "de-DE") -> Appointment:
    return Appointment(
        appointment_id=uuid.UUID(int=1),
        tenant_id=uuid.UUID(int=2),
        business="Salon Sonnenschein",
        branch="Mitte",
        address="Hauptstraße 1, 10115 Berlin",
        service="Herrenhaarschnitt",
        staff="Jonas Weber",
        starts_at=datetime(2027, 3, 30, 8, 30, tzinfo=UTC),
        ends_at=datetime(2027, 3, 30, 9, 0, tzinfo=UTC),
        timezone="Europe/Berlin",
        locale=locale,
        customer_name="Erika Mustermann",
    )


def test_sms_only_to_a_mobile_number_with_consent() -> None:
    assert policy.sms_number("+49 151 12345678", "DE", consented=True) == "+4915112345678"
    assert policy.sms_number("0151 12345678", "DE", consented=True) == "+4915112345678"
    assert policy.sms_number("+49 151 12345678", "DE", consented=False) is None
    assert policy.sms_number("+49 30 12345678", "DE", consented=True) is None  # landline
    assert policy.sms_number(None, "DE", consented=True) is None


def test_quiet_hours_move_an_sms_to_eight_or_skip_it() -> None:
    start = datetime(2026, 12, 9, 10, 0, tzinfo=BERLIN)
    day = datetime(2026, 12, 8, 15, 0, tzinfo=BERLIN)
    assert policy.sms_send_time(day, start, BERLIN) == day
    night = datetime(2026, 12, 8, 21, 0, tzinfo=BERLIN)
    assert policy.sms_send_time(night, start, BERLIN) == datetime(2026, 12, 9, 8, 0, tzinfo=BERLIN)
    early = datetime(2026, 12, 9, 6, 30, tzinfo=BERLIN)
    assert policy.sms_send_time(early, start, BERLIN) == datetime(2026, 12, 9, 8, 0, tzinfo=BERLIN)
    # 08:00 is too close to an 08:30 appointment: no SMS at all.
    assert policy.sms_send_time(night, start.replace(hour=8, minute=30), BERLIN) is None
    assert policy.is_quiet(datetime(2026, 12, 8, 20, 59, tzinfo=BERLIN), BERLIN) is False


def test_eight_oclock_on_the_night_of_the_dst_change() -> None:
    # Berlin springs forward at 02:00 on 28 March 2027: 08:00 that morning is 06:00 UTC.
    night = datetime(2027, 3, 27, 23, 0, tzinfo=BERLIN)
    morning = policy.sms_send_time(night, datetime(2027, 3, 28, 12, 0, tzinfo=BERLIN), BERLIN)
    assert morning is not None
    assert morning.astimezone(UTC) == datetime(2027, 3, 28, 6, 0, tzinfo=UTC)


@given(st.uuids(), st.uuids())
def test_unsubscribe_tokens_round_trip_and_resist_tampering(
    tenant: uuid.UUID, who: uuid.UUID
) -> None:
    token = links.unsubscribe_token(KEY, tenant, who)
    assert links.read_unsubscribe_token(KEY, token) == (tenant, who)
    assert links.read_unsubscribe_token(b"x" * 32, token) is None
    flipped = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    assert links.read_unsubscribe_token(KEY, flipped) is None


def test_garbage_is_not_a_token() -> None:
    assert links.read_unsubscribe_token(KEY, "not-a-token") is None
    assert links.read_unsubscribe_token(KEY, "") is None
    assert links.read_unsubscribe_token(KEY, "A" * 500) is None


def test_manage_url_is_the_manage_pages_link_unless_another_builder_is_installed() -> None:
    appt = _appointment()
    settings = Settings(base_url="https://x.example", secret_key="k" * 43 + "=")
    default = links.manage_url_for(settings, appt.tenant_id, appt.appointment_id, appt.starts_at)
    assert default is not None
    token = default.removeprefix("https://x.example/m/")
    check = manage_link.verify(manage_link.link_key(settings), token, appt.starts_at)
    assert check.ref is not None
    assert check.ref.appointment_id == appt.appointment_id
    body = render.customer_email(Notice(MessageKind.BOOKED, 0, appt, default)).body
    assert default in body
    links.install_manage_url_builder(lambda cfg, t, a, s: None)
    try:
        assert (
            links.manage_url_for(settings, appt.tenant_id, appt.appointment_id, appt.starts_at)
            is None
        )
    finally:
        links.install_manage_url_builder(None)
    assert "http" not in render.customer_email(Notice(MessageKind.BOOKED, 0, appt)).body


def test_dates_in_words_and_digits() -> None:
    local = datetime(2027, 3, 30, 10, 30, tzinfo=BERLIN)
    assert in_words(local, "de") == "Dienstag, 30. März 2027 um 10:30 Uhr"
    assert in_digits(local, "de") == "30.03.2027, 10:30"
    assert in_words(local, "en") == "Tuesday, 30 March 2027 at 10:30 am"


def test_english_tenants_get_english_messages() -> None:
    texts = render.customer_email(Notice(MessageKind.MOVED, 1, _appointment("en-GB")))
    assert texts.subject.startswith("Appointment moved")
    assert "Tuesday, 30 March 2027 at 10:30 am" in texts.body
    sms = render.customer_sms(Notice(MessageKind.CANCELLED, 2, _appointment("de-DE")))
    assert sms.startswith("Salon Sonnenschein: Termin abgesagt: Herrenhaarschnitt, Dienstag")
    assert "Hauptstraße" not in sms  # a cancelled appointment needs no address


def test_the_ics_is_an_itip_request_or_cancel_in_berlin_time() -> None:
    stamp = datetime(2027, 3, 1, tzinfo=UTC)
    for kind, method, sequence in (
        (MessageKind.BOOKED, "REQUEST", 0),
        (MessageKind.MOVED, "REQUEST", 1),
        (MessageKind.CANCELLED, "CANCEL", 2),
    ):
        raw = ics.invitation(
            Notice(kind, sequence, _appointment()), "a@b.example", "c@d.example", stamp
        )
        cal = icalendar.Calendar.from_ical(raw)
        assert cal["METHOD"] == method
        event = cal.walk("VEVENT")[0]
        assert event["UID"] == f"{uuid.UUID(int=1)}@frontdesk"
        assert int(event["SEQUENCE"]) == sequence
        assert event.decoded("DTSTART") == datetime(2027, 3, 30, 10, 30, tzinfo=BERLIN)
        assert event.decoded("DTSTART").utcoffset() == timedelta(hours=2)
        for required in ("ORGANIZER", "ATTENDEE", "DTSTAMP", "UID"):
            assert required in event
        assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["Europe/Berlin"]


@pytest.mark.parametrize(
    "payload",
    [{}, {"tenant_id": "x", "appointment_id": "y", "kind": "booked", "sequence": 0},
     {"tenant_id": str(uuid.uuid4()), "appointment_id": str(uuid.uuid4()), "kind": "booked",
      "sequence": "first"}],
)  # fmt: skip
def test_an_unreadable_message_job_is_permanent(payload: dict[str, object]) -> None:
    """Retrying a payload that cannot be read cannot mend it: a dead job, not five attempts."""
    with pytest.raises(PermanentJobError):
        outbox.read_job(payload)
