"""Telling the database's refusals apart: a value it will not take, or the database being away."""

from __future__ import annotations

from sqlalchemy.exc import DataError, DBAPIError, IntegrityError


def refused_value(exc: DBAPIError) -> bool:
    """The database refused a value (SQLSTATE class 22 "data exception" or 23 "integrity
    constraint violation"), as opposed to being unreachable: sending the same values again would
    fail the same way. asyncpg's errors reach SQLAlchemy as plain ``DBAPIError``s carrying the
    SQLSTATE, hence the look at the code rather than only the class."""
    if isinstance(exc, DataError | IntegrityError):
        return True
    state = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    return isinstance(state, str) and state[:2] in ("22", "23")
