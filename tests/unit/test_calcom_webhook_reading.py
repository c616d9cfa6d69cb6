"""Reading Cal.com's webhook deliveries: the signature (the reference test vector), the dedupe
key and the facts of a booking payload."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest
from tests.calcom_webhook_support import EXAMPLES, booking, vector
from tests.clock_support import at

from frontdesk.calendars.calcom import webhook
from frontdesk.calendars.calcom.webhook import BookingState, SignatureProblem

TENANT = uuid.UUID(int=1)


def test_the_reference_vector_verifies() -> None:
    data = vector()
    body = data["raw_body"].encode()
    assert data["header_name"] == webhook.SIGNATURE_HEADER
    assert webhook.sign(data["secret"], body) == data["expected_signature_hex"]
    assert webhook.check(body, data["secret"], data["expected_signature_hex"]) is None
    # Upper-case hex is the same digest.
    assert webhook.check(body, data["secret"], data["expected_signature_hex"].upper()) is None


@pytest.mark.parametrize(
    ("secret", "header", "problem"),
    [
        (None, "ab" * 32, SignatureProblem.NO_SECRET),
        ("", "ab" * 32, SignatureProblem.NO_SECRET),
        ("s", None, SignatureProblem.MISSING),
        ("s", "", SignatureProblem.MISSING),
        ("s", "no-secret-provided", SignatureProblem.MISSING),
        ("s", "ab" * 32, SignatureProblem.MISMATCH),
        ("s", "sha256=" + "ab" * 32, SignatureProblem.MISMATCH),
        ("s", "ä" * 64, SignatureProblem.MISMATCH),
    ],
)
def test_anything_but_the_exact_signature_is_refused(
    secret: str | None, header: str | None, problem: SignatureProblem
) -> None:
    assert webhook.check(b"{}", secret, header) is problem


def test_the_signature_covers_the_raw_bytes_not_a_reserialisation() -> None:
    data = vector()
    body = data["raw_body"].encode()
    spaced = json.dumps(json.loads(body)).encode()
    assert webhook.check(spaced, data["secret"], data["expected_signature_hex"]) is (
        SignatureProblem.MISMATCH
    )
    assert webhook.check(body, "another-secret", data["expected_signature_hex"]) is (
        SignatureProblem.MISMATCH
    )


def test_the_dedupe_key_is_the_tenant_and_the_exact_bytes() -> None:
    key = webhook.dedupe_key(TENANT, b"{}")
    assert key == webhook.dedupe_key(TENANT, b"{}")
    assert key != webhook.dedupe_key(TENANT, b"{ }")
    assert key != webhook.dedupe_key(uuid.UUID(int=2), b"{}")
    assert key.startswith("calcom:")
    assert len(key) <= 255


def test_the_docs_example_reads_as_an_accepted_booking() -> None:
    example = json.loads((EXAMPLES / "booking_created.docs-example.json").read_text())
    facts = webhook.booking_facts(example["triggerEvent"], example["payload"])
    assert facts is not None
    assert facts.uid == "bFJeNb2uX8ANpT3JL5EfXw"
    assert facts.state is BookingState.ACCEPTED
    assert (facts.start, facts.end) == (
        datetime(2023, 5, 25, 9, 30, tzinfo=UTC),
        datetime(2023, 5, 25, 10, 30, tzinfo=UTC),
    )
    assert (facts.host, facts.event_type, facts.ours, facts.previous_uid) == ("5", "7", None, None)
    assert facts.attendee == webhook.Attendee("John Doe", "john.doe@example.com", None)


def test_a_reschedule_names_the_old_uid_and_our_id_is_read_from_the_metadata() -> None:
    ours = uuid.uuid4()
    payload = booking("new", at(2, 10), previous="old", ours=ours, status="PENDING")
    facts = webhook.booking_facts(webhook.RESCHEDULED, payload)
    assert facts is not None
    assert (facts.uid, facts.previous_uid, facts.ours) == ("new", "old", ours)
    assert facts.state is BookingState.PENDING
    # rescheduleUid only means "replaced" on a reschedule.
    created = webhook.booking_facts(webhook.CREATED, payload)
    assert created is not None
    assert created.previous_uid is None


def test_the_trigger_decides_a_final_state_and_the_status_only_ranks_upwards() -> None:
    accepted = booking("u", at(2, 10))
    cancelled = webhook.booking_facts(webhook.CANCELLED, accepted)
    assert cancelled is not None
    assert cancelled.state is BookingState.CANCELLED
    odd = webhook.booking_facts(webhook.CREATED, {**accepted, "status": "CANCELLED"})
    assert odd is not None
    assert odd.state is BookingState.ACCEPTED
    assert BookingState.PENDING.rank < BookingState.ACCEPTED.rank < BookingState.REJECTED.rank
    assert BookingState.CANCELLED.final
    assert BookingState.REJECTED.final
    assert not BookingState.ACCEPTED.final


def test_our_guest_placeholder_is_no_customer_address() -> None:
    payload = booking("u", at(2, 10), email="caller-49151@guest.frontdesk.invalid", phone="+49151")
    facts = webhook.booking_facts(webhook.CREATED, payload)
    assert facts is not None
    assert facts.attendee is not None
    assert (facts.attendee.email, facts.attendee.phone) == (None, "+49151")


@pytest.mark.parametrize(
    "change",
    [
        {"uid": None},
        {"uid": ""},
        {"startTime": "tomorrow"},
        {"startTime": "2026-12-02T10:00:00"},  # no offset
        {"endTime": "2026-12-02T08:00:00Z"},  # before the start
        {"startTime": 17},
    ],
)
def test_a_payload_without_a_booking_uid_and_times_gives_no_facts(
    change: dict[str, object],
) -> None:
    assert webhook.booking_facts(webhook.CREATED, {**booking("u", at(2, 10)), **change}) is None


def test_trigger_labels_are_bounded() -> None:
    assert webhook.trigger_label("BOOKING_CREATED") == "BOOKING_CREATED"
    assert webhook.trigger_label("MEETING_ENDED") == "MEETING_ENDED"
    assert webhook.trigger_label("x" * 500) == "other"
