"""Base classes for wire schemas: requests refuse unknown fields (no mass assignment)."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError

from spacegate.auth.permissions import ALL

T = TypeVar("T")


class RequestModel(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ResponseModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ListResponse(BaseModel, Generic[T]):
    """Seed 004's list shape. ``count`` is the number of items in ``data``."""

    count: int = Field(description="Number of items in this page.")
    data: list[T]
    has_more: bool
    next_cursor: str | None = Field(
        default=None, description="Pass as `after` to get the next page; null on the last page."
    )


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
