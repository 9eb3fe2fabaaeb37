"""Form plumbing shared by the registry and space-model pages.

Input names follow the API's error locations joined with ``-`` (``targets-0-weight``,
``workspace_limits-token_budget-limit``), so a 422 from the API lands next to the input it is
about. Numbers are sent as typed: the API validates them and says what is wrong.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from spacegate.client.errors import APIStatusError
from spacegate.console.api import ConsoleApi, FormError
from spacegate.console.deps import Form

#: Errors that are about one input although the API answers them with a plain message.
CODE_FIELDS = {
    "base_url_not_allowed": "base_url",
    "provider_name_taken": "name",
    "alias_taken": "alias",
    "entitlement_exists": "tenant_model_id",
    "provider_not_found": "targets",
}
_SPLIT = re.compile(r"[\s,]+")


def form_error(exc: APIStatusError) -> FormError:
    """``FormError`` plus a message under every prefix of a nested error location."""
    error = FormError(exc)
    if isinstance(exc.detail, list):
        for item in exc.detail:
            loc = [str(p) for p in item.get("loc", ()) if p != "body"]
            for end in range(2, len(loc) + 1):
                error.fields.setdefault("-".join(loc[:end]), str(item.get("msg", "")))
    elif exc.code in CODE_FIELDS:
        error.fields.setdefault(CODE_FIELDS[exc.code], error.message)
    return error


def text(form: Form, name: str) -> str | None:
    """A typed value, or ``None`` for a blank input."""
    return form.get(name) or None


def present(values: Iterable[tuple[str, str | None]]) -> dict[str, str]:
    return {k: v for k, v in values if v}


def checked(form: Form, name: str) -> bool:
    return form.get(name) in ("on", "true", "1")


def words(value: str) -> list[str]:
    """A comma- or space-separated list as typed (``chat, vision`` → ``["chat", "vision"]``)."""
    return [w for w in _SPLIT.split(value) if w]


async def every(api: ConsoleApi, path: str, *, pages: int = 10, **query: Any) -> list[Any]:
    """All items of a platform list (up to ``pages`` pages of 100), for a select's options."""
    items: list[Any] = []
    after = None
    for _ in range(pages):
        page = await api.get(path, limit=100, after=after, **query)
        items += page["data"]
        if not page.get("has_more"):
            break
        after = page.get("next_cursor")
    return items


def plain(value: Any) -> str:
    """``2.5`` not ``2.500000``, ``3`` not ``3.0``: numbers as a person would type them."""
    if isinstance(value, float | Decimal):
        shown = format(value, "f")
        return shown.rstrip("0").rstrip(".") if "." in shown else shown
    return str(value)
