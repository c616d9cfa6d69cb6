"""Manage-link tokens: bound to tenant, appointment and start; any tampering, another key or
another appointment is refused; the start is the expiry; the URL is compact and URL-safe."""

from __future__ import annotations

import base64
import string
import uuid
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st
from pydantic import SecretStr

from frontdesk.booking.manage_link import (
    LinkRef,
    LinkState,
    derive_link_key,
    form_token,
    form_token_ok,
    issue,
    manage_url,
    read,
    verify,
)
from frontdesk.secrets import new_key
from frontdesk.settings import Settings

KEY = derive_link_key(SecretStr(new_key()))
START = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)
REF = LinkRef(uuid.uuid4(), uuid.uuid4(), START)
TOKEN = issue(KEY, REF)
URL_SAFE = set(string.ascii_letters + string.digits + "-_")


def _raw(token: str) -> bytearray:
    return bytearray(base64.urlsafe_b64decode(token + "="))


def _text(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def test_a_token_is_compact_url_safe_and_reads_back() -> None:
    assert len(TOKEN) == 71
    assert set(TOKEN) <= URL_SAFE
    assert read(KEY, TOKEN) == REF


@given(st.integers(min_value=0, max_value=52), st.integers(min_value=1, max_value=255))
def test_any_changed_byte_is_refused(index: int, flip: int) -> None:
    raw = _raw(TOKEN)
    raw[index] ^= flip
    assert read(KEY, _text(bytes(raw))) is None


@given(st.text(max_size=120))
def test_garbage_is_refused_without_raising(text: str) -> None:
    assert read(KEY, text) is None
    assert verify(KEY, text, START).state is LinkState.INVALID


@given(st.integers(min_value=0, max_value=70), st.sampled_from(sorted(URL_SAFE)))
def test_any_changed_character_is_refused(index: int, char: str) -> None:
    changed = TOKEN[:index] + char + TOKEN[index + 1 :]
    assert (read(KEY, changed) is None) == (changed != TOKEN)


def test_a_token_of_another_appointment_tenant_or_start_cannot_be_made_from_this_one() -> None:
    """Swapping the appointment (or tenant, or start) bytes keeps the MAC of A: refused."""
    other = issue(KEY, LinkRef(REF.tenant_id, uuid.uuid4(), START))
    raw, other_raw = _raw(TOKEN), _raw(other)
    spliced = other_raw[:37] + raw[37:]  # B's ids and start with A's MAC
    assert read(KEY, _text(bytes(spliced))) is None
    for start, end in ((1, 17), (17, 33), (33, 37)):
        mixed = raw[:start] + other_raw[start:end] + raw[end:]
        assert mixed == raw or read(KEY, _text(bytes(mixed))) is None


def test_another_key_refuses_it() -> None:
    assert read(derive_link_key(SecretStr(new_key())), TOKEN) is None
    assert read(derive_link_key(None), TOKEN) is None


def test_the_key_is_derived_not_the_secret_itself() -> None:
    secret = new_key()
    assert derive_link_key(SecretStr(secret)) == derive_link_key(SecretStr(secret))
    assert secret.encode() not in derive_link_key(SecretStr(secret))


def test_the_start_is_the_expiry() -> None:
    assert verify(KEY, TOKEN, START - timedelta(minutes=1)).state is LinkState.VALID
    assert verify(KEY, TOKEN, START - timedelta(minutes=1)).ref == REF
    expired = verify(KEY, TOKEN, START)
    assert expired.state is LinkState.EXPIRED
    assert expired.ref == REF


def test_the_form_token_belongs_to_its_link() -> None:
    assert form_token_ok(KEY, TOKEN, form_token(KEY, TOKEN))
    other = issue(KEY, LinkRef(REF.tenant_id, uuid.uuid4(), START))
    assert not form_token_ok(KEY, TOKEN, form_token(KEY, other))
    assert not form_token_ok(KEY, TOKEN, None)
    assert not form_token_ok(KEY, TOKEN, "")
    assert not form_token_ok(KEY, TOKEN, "ä" * 22)


def test_manage_url_is_the_public_base_url_and_the_token() -> None:
    secret = SecretStr(new_key())
    settings = Settings(base_url="https://salon.example/", secret_key=secret)
    url = manage_url(settings, REF.tenant_id, REF.appointment_id, START)
    assert url.startswith("https://salon.example/m/")
    assert read(derive_link_key(secret), url.removeprefix("https://salon.example/m/")) == REF


def test_without_a_configured_secret_one_process_key_signs_and_verifies() -> None:
    first = manage_url(Settings(secret_key=None), REF.tenant_id, REF.appointment_id, START)
    assert read(derive_link_key(None), first.rsplit("/", 1)[1]) == REF
    assert manage_url(Settings(secret_key=None), REF.tenant_id, REF.appointment_id, START) == first
