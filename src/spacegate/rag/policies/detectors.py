"""Deterministic PII detectors: patterns confirmed by each identifier's own check digits.

No model and no language data: an email, a phone number, a card number (Luhn), an IBAN
(ISO 13616 mod 97), a Brazilian CPF or CNPJ (their two check digits) and a US SSN (its
issuing rules). A number that looks right but fails its checksum is left alone, so order
numbers and the like survive masking.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

KINDS = ("email", "iban", "card", "cnpj", "cpf", "ssn", "phone")


def digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


def luhn_ok(number: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def card_ok(text: str) -> bool:
    number = digits(text)
    return 13 <= len(number) <= 19 and len(set(number)) > 1 and luhn_ok(number)


#: ISO 13616 lengths of the countries most often met; others are checked by mod 97 alone.
_IBAN_LENGTHS = {
    "AD": 24, "AT": 20, "BE": 16, "BG": 22, "BR": 29, "CH": 21, "CY": 28, "CZ": 24, "DE": 22,
    "DK": 18, "EE": 20, "ES": 24, "FI": 18, "FR": 27, "GB": 22, "GR": 27, "HR": 21, "HU": 28,
    "IE": 22, "IS": 26, "IT": 27, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MT": 31,
    "NL": 18, "NO": 15, "PL": 28, "PT": 25, "RO": 24, "SE": 24, "SI": 19, "SK": 24, "SM": 27,
}  # fmt: skip


def iban_ok(text: str) -> bool:
    iban = re.sub(r"\s", "", text).upper()
    if not 15 <= len(iban) <= 34 or _IBAN_LENGTHS.get(iban[:2], len(iban)) != len(iban):
        return False
    moved = iban[4:] + iban[:4]
    return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1


def _mod11_digit(numbers: str, weights: list[int]) -> int:
    rest = sum(int(n) * w for n, w in zip(numbers, weights, strict=True)) % 11
    return 0 if rest < 2 else 11 - rest


def cpf_ok(text: str) -> bool:
    n = digits(text)
    if len(n) != 11 or len(set(n)) == 1:
        return False
    first = _mod11_digit(n[:9], list(range(10, 1, -1)))
    second = _mod11_digit(n[:10], list(range(11, 1, -1)))
    return n[9:] == f"{first}{second}"


def cnpj_ok(text: str) -> bool:
    n = digits(text)
    if len(n) != 14 or len(set(n)) == 1:
        return False
    w1 = [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]
    first = _mod11_digit(n[:12], w1)
    second = _mod11_digit(n[:13], [6, *w1])
    return n[12:] == f"{first}{second}"


def ssn_ok(text: str) -> bool:
    n = digits(text)
    area, group, serial = n[:3], n[3:5], n[5:]
    return (
        len(n) == 9
        and area not in ("000", "666")
        and not area.startswith("9")
        and group != "00"
        and serial != "0000"
    )


def phone_ok(text: str) -> bool:
    return 7 <= len(digits(text)) <= 15


@dataclass(frozen=True)
class Detector:
    kind: str
    pattern: re.Pattern[str]
    valid: Callable[[str], bool]


_D = r"(?<![\w.+-])"  # not glued to a longer token on the left
_E = r"(?![\w-])"
DETECTORS: dict[str, Detector] = {
    "email": Detector(
        "email",
        re.compile(
            r"(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
        ),
        lambda _: True,
    ),
    "iban": Detector("iban", re.compile(_D + r"[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}" + _E), iban_ok),
    "card": Detector(
        "card",
        re.compile(
            _D
            + r"(?:\d{13,19}"  # 4111111111111111
            + r"|\d{4}([ -])\d{4}\1\d{4}\1\d{1,4}(?:\1\d{1,3})?"  # 4111 1111 1111 1111
            + r"|\d{4}([ -])\d{6}\2\d{4,5})"  # 3782 822463 10005
            + _E
        ),
        card_ok,
    ),
    "cnpj": Detector("cnpj", re.compile(_D + r"\d{2}\.?\d{3}\.?\d{3}/?\d{4}-?\d{2}" + _E), cnpj_ok),
    "cpf": Detector("cpf", re.compile(_D + r"\d{3}\.?\d{3}\.?\d{3}-?\d{2}" + _E), cpf_ok),
    "ssn": Detector("ssn", re.compile(_D + r"\d{3}-\d{2}-\d{4}" + _E), ssn_ok),
    "phone": Detector(
        "phone",
        re.compile(
            r"(?<![\w+])(?:"
            r"\+\d{1,3}(?:[ .-]?\(?\d{1,4}\)?){2,5}"  # +44 20 7946 0958, +1 (415) 555-2671
            r"|(?:\(\d{3}\) ?|\d{3}[-. ])\d{3}[-. ]\d{4}"  # (415) 555-2671, 415-555-2671
            r"|0\d{1,4}[ -]\d{3,4}[ -]?\d{3,4}"  # 020 7946 0958
            r")" + _E
        ),
        phone_ok,
    ),
}


@dataclass(frozen=True)
class Hit:
    kind: str
    start: int
    end: int


def find(text: str, kinds: tuple[str, ...] | list[str] = KINDS) -> list[Hit]:
    """Every hit, earliest kind in ``KINDS`` first where two overlap (an IBAN's digits are
    not also a phone number)."""
    taken: list[Hit] = []
    for kind in KINDS:
        if kind not in kinds:
            continue
        det = DETECTORS[kind]
        for m in det.pattern.finditer(text):
            start, end = m.span()
            if any(h.start < end and start < h.end for h in taken):
                continue
            if det.valid(m.group()):
                taken.append(Hit(kind, start, end))
    return sorted(taken, key=lambda h: h.start)


def placeholder(kind: str) -> str:
    return f"[{kind.upper()}]"


def mask(text: str, kinds: tuple[str, ...] | list[str] = KINDS) -> tuple[str, dict[str, int]]:
    """``text`` with each hit replaced by its typed placeholder, and the count per kind."""
    out: list[str] = []
    counts: dict[str, int] = {}
    pos = 0
    for hit in find(text, kinds):
        out.append(text[pos : hit.start])
        out.append(placeholder(hit.kind))
        counts[hit.kind] = counts.get(hit.kind, 0) + 1
        pos = hit.end
    out.append(text[pos:])
    return "".join(out), counts
