"""Retell's X-Retell-Signature, checked against the SDK's test vector and its edge cases."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest

from frontdesk.voice.signature import TOLERANCE_MS, SignatureProblem, check, digest, sign

KEY = "test-api-key"
BODY = b'{"event":"call_ended"}'
TS = 1700000000000
VECTOR = "v=1700000000000,d=07024cabe7dd8f6d1c6e4a8324ca92c812e6ad4a7ee506c04f7e462e3321823e"


def test_the_reference_vector_signs_and_verifies() -> None:
    assert sign(BODY, KEY, TS) == VECTOR
    assert check(BODY, KEY, VECTOR, TS) is None


def test_umlauts_verify_on_the_raw_bytes_and_fail_once_re_serialised() -> None:
    raw = '{"args":{"customer_name":"Jürgen Groß"},"name":"book_appointment"}'.encode()
    header = sign(raw, KEY, TS)
    assert check(raw, KEY, header, TS) is None
    reserialised = json.dumps(json.loads(raw)).encode()
    assert reserialised != raw
    assert check(reserialised, KEY, header, TS) is SignatureProblem.MISMATCH


@pytest.mark.parametrize("offset", [-TOLERANCE_MS, TOLERANCE_MS])
def test_exactly_five_minutes_either_way_still_verifies(offset: int) -> None:
    assert check(BODY, KEY, sign(BODY, KEY, TS), TS + offset) is None


@pytest.mark.parametrize("offset", [-TOLERANCE_MS - 1, TOLERANCE_MS + 1])
def test_older_or_newer_than_five_minutes_is_stale(offset: int) -> None:
    assert check(BODY, KEY, sign(BODY, KEY, TS), TS + offset) is SignatureProblem.STALE


@pytest.mark.parametrize(
    "header",
    [
        VECTOR.upper(),
        VECTOR.replace("d=07", "d=7"),
        f"{VECTOR},x=1",
        f" {VECTOR}",
        f"t=1,{VECTOR}",
        "v=-1700000000000,d=" + "0" * 64,
        "v=１７,d=" + "0" * 64,  # full-width digits are not ASCII digits
        "garbage",
    ],
)
def test_malformed_headers_are_refused(header: str) -> None:
    assert check(BODY, KEY, header, TS) is SignatureProblem.MALFORMED


def test_missing_header_wrong_key_tampered_body_and_no_key() -> None:
    assert check(BODY, KEY, None, TS) is SignatureProblem.MISSING
    assert check(BODY, KEY, "", TS) is SignatureProblem.MISSING
    assert check(BODY, "another-key", VECTOR, TS) is SignatureProblem.MISMATCH
    assert check(b'{"event":"call_ended "}', KEY, VECTOR, TS) is SignatureProblem.MISMATCH
    assert check(BODY, None, VECTOR, TS) is SignatureProblem.NO_KEY
    assert check(BODY, "", VECTOR, TS) is SignatureProblem.NO_KEY


def test_the_timestamp_is_appended_after_the_body_without_separator() -> None:
    expected = hmac.new(KEY.encode(), b"body" + b"1700000000000", hashlib.sha256).hexdigest()
    assert digest(b"body", KEY, TS) == expected
    # No separator: moving a digit from the timestamp to the body gives the same message.
    assert digest(b"body1", KEY, 700000000000) == digest(b"body", KEY, TS)
