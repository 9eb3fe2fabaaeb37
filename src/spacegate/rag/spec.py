"""The shape seed 003's resources share: ``skip`` + ``limit`` paging (100 by default, at most
1000, ``{items, total, skip, limit}``), addressed by a name or slug unique in the space."""

from __future__ import annotations

from spacegate.resources import Paging, ResourceSpec


def syft_spec(*, label: str, permission: str, name: str, key: str | None = None) -> ResourceSpec:
    """``key``: the column a path names an item by (unique in its space); else its id."""
    named = {"key": key, "unique": (key,)} if key else {}
    return ResourceSpec(
        label=label,
        permission=permission,
        name=name,
        paging=Paging.skip,
        default_limit=100,
        max_limit=1000,
        **named,  # type: ignore[arg-type]
    )
