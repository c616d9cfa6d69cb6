"""Slot ids: short, opaque, bound to tenant, service, staff and start; forgeries are refused."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from frontdesk.voice.slots import PREFIX, SlotRef, issue, read, secret_from_key

SECRET = secret_from_key("tenant-key")
TENANT = uuid.uuid4()
SERVICES = [uuid.uuid4() for _ in range(6)]
STAFF = [uuid.uuid4() for _ in range(3)]
START = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
REF = SlotRef(SERVICES[1], STAFF[2], START)


def test_a_slot_id_is_short_and_reads_back_to_what_was_offered() -> None:
    token = issue(SECRET, TENANT, REF)
    assert token.startswith(PREFIX)
    assert len(token) <= 26
    assert read(SECRET, TENANT, token, SERVICES, STAFF) == REF
    assert read(SECRET, TENANT, token.upper().replace("S_", "s_"), SERVICES, STAFF) == REF


def test_the_pinned_staff_flag_survives() -> None:
    pinned = SlotRef(SERVICES[0], STAFF[0], START, staff_pinned=True)
    assert read(SECRET, TENANT, issue(SECRET, TENANT, pinned), SERVICES, STAFF) == pinned


def test_another_tenant_or_secret_or_catalogue_cannot_use_it() -> None:
    token = issue(SECRET, TENANT, REF)
    assert read(SECRET, uuid.uuid4(), token, SERVICES, STAFF) is None
    assert read(secret_from_key("other-key"), TENANT, token, SERVICES, STAFF) is None
    assert read(SECRET, TENANT, token, [s for s in SERVICES if s != REF.service_id], STAFF) is None


def test_a_changed_character_or_garbage_is_refused() -> None:
    token = issue(SECRET, TENANT, REF)
    for i in range(len(PREFIX), len(token)):
        swapped = "a" if token[i] != "a" else "b"
        assert read(SECRET, TENANT, token[:i] + swapped + token[i + 1 :], SERVICES, STAFF) is None
    for garbage in ("", "s_", "s_!!!!", "2026-12-02T10:00", PREFIX + "a" * 24, token + "aaaaaaaa"):
        assert read(SECRET, TENANT, garbage, SERVICES, STAFF) is None
