"""The one place the current time comes from (UTC, aware), so tests can reason about it."""

from __future__ import annotations

import functools
import zoneinfo
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from spacegate.errors import Unprocessable


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


def zone_named(name: str) -> ZoneInfo:
    """The IANA time zone ``name`` (``Europe/Paris``, ``UTC``: the same on every host); a 422
    naming it otherwise."""
    if name not in _zones():
        raise Unprocessable(
            f"Unknown time zone '{name}'; use an IANA name such as 'Europe/Paris' or 'UTC'.",
            code="invalid_timezone",
        )
    return ZoneInfo(name)
