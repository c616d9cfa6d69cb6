import pytest
from pydantic import SecretStr

from frontdesk.secrets import SecretUnreadable, is_encrypted, new_key, seal, unseal


def test_sealed_with_a_key_is_encrypted_and_opens_again() -> None:
    key = SecretStr(new_key())
    stored = seal(SecretStr("cal_live_abc123"), key)
    assert is_encrypted(stored)
    assert "cal_live_abc123" not in stored
    assert unseal(stored, key).get_secret_value() == "cal_live_abc123"


def test_without_a_key_the_value_is_marked_plain() -> None:
    stored = seal(SecretStr("cal_x"), None)
    assert stored == "plain:cal_x"
    assert unseal(stored, None).get_secret_value() == "cal_x"


def test_another_key_or_no_key_cannot_open_it() -> None:
    stored = seal(SecretStr("cal_x"), SecretStr(new_key()))
    with pytest.raises(SecretUnreadable):
        unseal(stored, SecretStr(new_key()))
    with pytest.raises(SecretUnreadable):
        unseal(stored, None)
    with pytest.raises(SecretUnreadable):
        unseal("garbage", None)
