from __future__ import annotations

import uuid

import pytest

from spacegate.kit.crypto import CredentialCipher, CredentialUnreadable, mask_secret

SECRET = b"server-secret-for-crypto-tests"
KEY = "sk-proj-abcdefghijklmnopqrstuvwxyz0123"


def _ids() -> tuple[uuid.UUID, uuid.UUID]:
    return uuid.uuid4(), uuid.uuid4()


def test_round_trip_and_no_plaintext_at_rest() -> None:
    cipher = CredentialCipher(SECRET)
    org_id, row_id = _ids()
    blob = cipher.encrypt(KEY, org_id=org_id, row_id=row_id)
    assert KEY.encode() not in blob
    assert cipher.decrypt(blob, org_id=org_id, row_id=row_id) == KEY


def test_each_encryption_uses_a_fresh_nonce() -> None:
    cipher = CredentialCipher(SECRET)
    org_id, row_id = _ids()
    a = cipher.encrypt(KEY, org_id=org_id, row_id=row_id)
    b = cipher.encrypt(KEY, org_id=org_id, row_id=row_id)
    assert a[:12] != b[:12]
    assert a != b


def test_ciphertext_is_bound_to_its_row_and_org() -> None:
    cipher = CredentialCipher(SECRET)
    org_id, row_id = _ids()
    blob = cipher.encrypt(KEY, org_id=org_id, row_id=row_id)
    with pytest.raises(CredentialUnreadable):
        cipher.decrypt(blob, org_id=org_id, row_id=uuid.uuid4())
    with pytest.raises(CredentialUnreadable):
        cipher.decrypt(blob, org_id=uuid.uuid4(), row_id=row_id)


def test_other_server_secret_tampering_and_unknown_version_fail_cleanly() -> None:
    cipher = CredentialCipher(SECRET)
    org_id, row_id = _ids()
    blob = cipher.encrypt(KEY, org_id=org_id, row_id=row_id)
    with pytest.raises(CredentialUnreadable):
        CredentialCipher(b"another-secret").decrypt(blob, org_id=org_id, row_id=row_id)
    tampered = blob[:-1] + bytes([blob[-1] ^ 1])
    with pytest.raises(CredentialUnreadable):
        cipher.decrypt(tampered, org_id=org_id, row_id=row_id)
    with pytest.raises(CredentialUnreadable):
        cipher.decrypt(blob, org_id=org_id, row_id=row_id, key_version=99)
    with pytest.raises(CredentialUnreadable):
        cipher.decrypt(b"short", org_id=org_id, row_id=row_id)


def test_unreadable_credential_error_does_not_carry_the_ciphertext() -> None:
    cipher = CredentialCipher(SECRET)
    org_id, row_id = _ids()
    blob = cipher.encrypt(KEY, org_id=org_id, row_id=row_id)
    with pytest.raises(CredentialUnreadable) as info:
        cipher.decrypt(blob, org_id=org_id, row_id=uuid.uuid4())
    assert info.value.status_code == 500
    assert info.value.code == "credential_unreadable"
    assert blob.hex() not in str(info.value)


@pytest.mark.parametrize(
    ("secret", "hint"),
    [
        ("sk-abcdefghijklmnopqrstuvwxyz1234", "sk-…1234"),
        ("sk-ant-api03-abcdefghijklmnopWXYZ", "sk-ant-…WXYZ"),
        ("sk-proj-abcdefghijklmnop9876", "sk-proj-…9876"),
        ("0123456789abcdef0123456789abcdefZZZZ", "…ZZZZ"),
        ("sk-short", "…"),
        ("tiny", "…"),
    ],
)
def test_mask_shows_at_most_a_prefix_and_the_last_four(secret: str, hint: str) -> None:
    assert mask_secret(secret) == hint
