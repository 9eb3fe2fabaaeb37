"""Email addresses as a self-hosted organisation has them: `corp.local`, `*.internal`, `*.lan`.

email-validator refuses IANA's special-use names (``.local``, ``.lan`` under ``home.arpa``...),
which is right for a public sign-up form and wrong for an org whose directory lives on such a
domain. Spacegate never sends mail to these addresses, so any syntactically valid address whose
domain has a dot is accepted and deliverability is not checked.
"""

from __future__ import annotations

from typing import Annotated, Any

from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

#: Appended to the domain for the syntax check only, so no special-use suffix can match; it is
#: an ordinary top-level label, so every label of the real domain is still checked as written.
_NEUTRAL_TLD = ".com"


class InvalidEmail(ValueError):
    pass


def normalize_email(value: str) -> str:
    """The normalized address (domain lower-cased, IDNA-checked), or :class:`InvalidEmail`."""
    local, at, domain = value.strip().rpartition("@")
    if not at:
        raise InvalidEmail("An email address must have an @-sign.")
    if not local:
        raise InvalidEmail("There must be something before the @-sign.")
    if "." not in domain.strip("."):
        raise InvalidEmail("The part after the @-sign is not valid. It should have a period.")
    try:
        checked = validate_email(
            f"{local}@{domain}{_NEUTRAL_TLD}", check_deliverability=False
        ).normalized
    except EmailNotValidError as exc:
        raise InvalidEmail(str(exc)) from None
    return checked[: -len(_NEUTRAL_TLD)]


def _pydantic(value: str) -> str:
    try:
        return normalize_email(value)
    except InvalidEmail as exc:
        raise PydanticCustomError(
            "value_error", "value is not a valid email address: {reason}", {"reason": str(exc)}
        ) from None


_SCHEMA: dict[str, Any] = {"type": "string", "format": "email"}

#: A request field holding an email address (see the module docstring for what is accepted).
Email = Annotated[str, AfterValidator(_pydantic), WithJsonSchema(_SCHEMA)]
