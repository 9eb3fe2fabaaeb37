"""The one place the current time comes from (UTC, aware), so tests can reason about it."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)


def isoformat_z(value: datetime) -> str:
    """ISO 8601 in UTC with a ``Z`` suffix, the format every response uses."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def as_utc(value: datetime) -> datetime:
    """Read a naive datetime from a client as UTC; convert an aware one to UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
