"""Base classes for wire schemas: requests refuse unknown fields (no mass assignment) and text
PostgreSQL cannot store (the NUL character), as a validation error rather than a failed write.

Pydantic only (no FastAPI, no SQLAlchemy): the SDK and the CLI import it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PlainSerializer, field_validator
from pydantic_core import PydanticCustomError

from spacegate.auth.permissions import ALL

if TYPE_CHECKING:
    from spacegate.kit.pagination import Page

T = TypeVar("T")


def _has_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list | tuple | set | frozenset):
        return any(_has_nul(v) for v in value)
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    return False  # nested models check their own fields


class RequestModel(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul_characters(cls, value: Any) -> Any:
        if _has_nul(value):
            raise PydanticCustomError("string_nul", "Text must not contain NUL characters.")
        return value


class ResponseModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


def plain_decimal(value: Decimal) -> str:
    """A decimal in positional notation (``0.00000000``, not ``0E-8``)."""
    return format(value, "f")


#: A cost (or a budget's amount): a JSON string in positional notation (the server's currency).
Cost = Annotated[Decimal, PlainSerializer(plain_decimal, return_type=str, when_used="json")]


class ListResponse(BaseModel, Generic[T]):
    """Seed 004's list shape. ``count`` is the number of items in ``data``."""

    count: int = Field(description="Number of items in this page.")
    data: list[T]
    has_more: bool
    next_cursor: str | None = Field(
        default=None, description="Pass as `after` to get the next page; null on the last page."
    )

    @classmethod
    def of(cls, data: list[T], page: Page[Any]) -> ListResponse[T]:
        """The envelope for one keyset page, its items already converted to ``data``."""
        return cls(count=len(data), data=data, has_more=page.has_more, next_cursor=page.next_cursor)


class ErrorResponse(BaseModel):
    detail: str
    code: str


class IdResponse(BaseModel):
    id: str


def _known_permission(value: str) -> str:
    if value not in ALL:
        raise PydanticCustomError(
            "unknown_permission",
            "Unknown permission '{permission}'.",
            {"permission": value},
        )
    return value


#: A ``resource:action`` permission; unknown ones are refused as a validation error (422 list).
PermissionName = Annotated[str, AfterValidator(_known_permission)]
