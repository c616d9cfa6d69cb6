"""API keys and passwords are never stored as given."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from frontdesk.security import (
    api_key_digest,
    generate_api_key,
    hash_password,
    legacy_scrypt_hash,
    needs_rehash,
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
    assert stored.startswith("$argon2id$")
    assert stored != password
    assert verify_password(password, stored)
    assert verify_password(other, stored) == (other == password)


def test_malformed_hashes_do_not_verify() -> None:
    assert not verify_password("x", "")
    assert not verify_password("x", "md5$abc$def")


def test_legacy_scrypt_hashes_verify_and_ask_for_a_rehash() -> None:
    stored = legacy_scrypt_hash("alt-passwort")
    assert verify_password("alt-passwort", stored)
    assert not verify_password("falsch", stored)
    assert needs_rehash(stored)
    assert not needs_rehash(hash_password("alt-passwort"))


def test_corrupt_argon2_hashes_do_not_verify() -> None:
    assert not verify_password("x", "$argon2id$v=19$garbage")
    assert needs_rehash("$argon2id$v=19$garbage")
