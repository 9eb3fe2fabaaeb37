"""PII detectors on real identifiers: ones that pass their checksums are masked, ones that
fail them are left alone."""

from __future__ import annotations

import pytest

from spacegate.rag.policies.detectors import (
    card_ok,
    cnpj_ok,
    cpf_ok,
    iban_ok,
    luhn_ok,
    mask,
    ssn_ok,
)


@pytest.mark.parametrize(
    ("number", "ok"),
    [
        ("4111111111111111", True),  # Visa test number
        ("5500000000000004", True),  # Mastercard test number
        ("378282246310005", True),  # Amex test number
        ("4111111111111112", False),
        ("1234567812345678", False),
    ],
)
def test_luhn(number: str, ok: bool) -> None:
    assert luhn_ok(number) is ok
    assert card_ok(number) is ok


def test_card_of_one_repeated_digit_is_not_a_card() -> None:
    assert not card_ok("0000000000000000")


@pytest.mark.parametrize(
    ("iban", "ok"),
    [
        ("GB82 WEST 1234 5698 7654 32", True),
        ("DE89370400440532013000", True),
        ("FR1420041010050500013M02606", True),
        ("GB82 WEST 1234 5698 7654 33", False),
        ("DE89370400440532013001", False),
        ("DE8937040044053201300", False),  # one character short for Germany
    ],
)
def test_iban(iban: str, ok: bool) -> None:
    assert iban_ok(iban) is ok


@pytest.mark.parametrize(
    ("cpf", "ok"),
    [
        ("529.982.247-25", True),
        ("111.444.777-35", True),
        ("52998224725", True),
        ("529.982.247-26", False),
        ("111.111.111-11", False),
    ],
)
def test_cpf(cpf: str, ok: bool) -> None:
    assert cpf_ok(cpf) is ok


@pytest.mark.parametrize(
    ("cnpj", "ok"),
    [
        ("11.222.333/0001-81", True),
        ("11.444.777/0001-61", True),
        ("11222333000181", True),
        ("11.222.333/0001-82", False),
        ("00.000.000/0000-00", False),
    ],
)
def test_cnpj(cnpj: str, ok: bool) -> None:
    assert cnpj_ok(cnpj) is ok


@pytest.mark.parametrize(
    ("ssn", "ok"),
    [
        ("123-45-6789", True),
        ("078-05-1120", True),
        ("000-12-3456", False),
        ("666-12-3456", False),
        ("912-12-3456", False),
        ("123-00-6789", False),
        ("123-45-0000", False),
    ],
)
def test_ssn(ssn: str, ok: bool) -> None:
    assert ssn_ok(ssn) is ok


def test_mask_replaces_each_valid_identifier_with_its_placeholder() -> None:
    text = (
        "Write to jane.doe+hr@example.co.uk or call +1 (415) 555-2671. "
        "Card 4111 1111 1111 1111, IBAN GB82 WEST 1234 5698 7654 32, "
        "CPF 529.982.247-25, CNPJ 11.222.333/0001-81, SSN 123-45-6789."
    )
    masked, counts = mask(text)
    assert masked == (
        "Write to [EMAIL] or call [PHONE]. Card [CARD], IBAN [IBAN], CPF [CPF], CNPJ [CNPJ], "
        "SSN [SSN]."
    )
    assert counts == {"email": 1, "phone": 1, "card": 1, "iban": 1, "cpf": 1, "cnpj": 1, "ssn": 1}


def test_numbers_failing_their_checksums_are_kept() -> None:
    text = (
        "Order 4111 1111 1111 1112, ref GB82 WEST 1234 5698 7654 33, "
        "CPF 529.982.247-26, CNPJ 11.222.333/0001-82, SSN 666-12-3456, on 2024-01-15 10:30, "
        "id 550e8400-e29b-41d4-a716-446655440000, version 1.2.3"
    )
    assert mask(text) == (text, {})


def test_only_the_chosen_detectors_run() -> None:
    masked, counts = mask("jane@example.com 4111111111111111", ["card"])
    assert masked == "jane@example.com [CARD]"
    assert counts == {"card": 1}
