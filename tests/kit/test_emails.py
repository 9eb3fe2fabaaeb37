"""Addresses on an organisation's internal domains are accepted; malformed ones are not."""

from __future__ import annotations

import pytest

from spacegate.kit.emails import InvalidEmail, normalize_email


@pytest.mark.parametrize(
    ("address", "normalized"),
    [
        ("ada@corp.local", "ada@corp.local"),
        ("Ada.Lovelace@Build.Internal", "Ada.Lovelace@build.internal"),
        ("ops@nas.home.lan", "ops@nas.home.lan"),
        ("ops@printer.home.arpa", "ops@printer.home.arpa"),
        ("qa@ci.test", "qa@ci.test"),
        ("a@example.com", "a@example.com"),
        ("a@b\u00fccher.lan", "a@b\u00fccher.lan"),
    ],
)
def test_internal_domains_are_accepted(address: str, normalized: str) -> None:
    assert normalize_email(address) == normalized


@pytest.mark.parametrize(
    "address",
    [
        "a@localhost",  # a domain needs a dot
        "a@.local",
        "a@corp.local.",
        "a@b..local",
        "a@-corp.local",
        "a b@corp.local",
        "@corp.local",
        "corp.local",
        "a@[10.0.0.1]",
        "",
    ],
)
def test_malformed_addresses_are_refused(address: str) -> None:
    with pytest.raises(InvalidEmail):
        normalize_email(address)
