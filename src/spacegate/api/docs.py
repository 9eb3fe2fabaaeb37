"""OpenAPI helpers: every route documents every status it can answer."""

from __future__ import annotations

from typing import Any

from spacegate.wire.base import ErrorResponse

_DESCRIPTIONS = {
    400: "Bad request (for example an invalid cursor or Idempotency-Key).",
    401: "Missing, malformed, revoked or expired API key.",
    403: "Authenticated, but not allowed to do this.",
    404: "Not found (objects of other orgs are never visible).",
    409: "Conflict with the current state, or the same Idempotency-Key is still in flight.",
    402: "A budget of the space or the model is exhausted (a model call was refused).",
    410: "Gone: the invitation (or upload token) was used or has expired.",
    413: "The uploaded file is larger than this server accepts.",
    415: "The uploaded file's content is not a kind this resource reads.",
    429: "Rate limited; retry after `Retry-After` seconds.",
    502: "The model failed, or answered something that does not fit the expected schema.",
    504: "The model did not answer in time.",
    503: "A dependency (the database) is unavailable; retry after `Retry-After` seconds.",
}


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route: the given error statuses plus 401/503, which every route has."""
    wanted = sorted({*codes, 503})
    return {c: {"model": ErrorResponse, "description": _DESCRIPTIONS[c]} for c in wanted}


AUTHED = (401, 403)
