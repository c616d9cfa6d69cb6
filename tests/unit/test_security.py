"""API keys and passwords are never stored as given."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from frontdesk.security import (
    api_key_digest,
    generate_api_key,
    hash_password,
    verify_password,
)


def test_api_keys_are_random_and_digested() -> None:
    first, second = generate_api_key(), generate_api_key()
    assert first != second
    assert first.startswith("fd_")
    assert len(first) > 40
    assert api_key_digest(first) != first
    assert api_key_digest(first) == api_key_digest(first)


@settings(max_examples=10, deadline=None)
@given(st.text(min_size=1, max_size=40), st.text(min_size=1, max_size=40))
def test_password_hash_verifies_only_the_same_password(password: str, other: str) -> None:
    stored = hash_password(password)
    assert stored.startswith("scrypt$")
    assert stored != password
    assert verify_password(password, stored)
    assert verify_password(other, stored) == (other == password)


def test_malformed_hashes_do_not_verify() -> None:
    assert not verify_password("x", "")
    assert not verify_password("x", "md5$abc$def")
