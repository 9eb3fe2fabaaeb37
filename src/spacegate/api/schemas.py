"""Wire schemas shared by the server's surfaces. The base classes (``RequestModel`` refuses
unknown fields and NUL characters) live in ``spacegate.wire.base``, free of server imports."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, Field, PlainSerializer
from pydantic_core import PydanticCustomError

from spacegate.auth.permissions import ALL
from spacegate.kit.pagination import Page
from spacegate.wire.base import IdResponse as IdResponse
from spacegate.wire.base import RequestModel as RequestModel
from spacegate.wire.base import ResponseModel as ResponseModel

T = TypeVar("T")


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
