"""The one place the current time comes from (UTC, aware), so tests can reason about it."""

from __future__ import annotations

import functools
import zoneinfo
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


#: Names the time zone database answers to that mean nothing fixed: ``localtime`` is whatever
#: the host is set to (replicas could disagree), ``Factory`` is a placeholder.
_NOT_ZONES = frozenset({"localtime", "Factory"})


@functools.cache
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones()) - _NOT_ZONES


def is_zone(name: str) -> bool:
    """Whether ``name`` is an IANA time zone (``Europe/Paris``, ``UTC``), the same on every host."""
    return name in _zones()
