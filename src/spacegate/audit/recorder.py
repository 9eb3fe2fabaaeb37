"""Records every change to an audited table in the same transaction as the change.

A table opts in with ``__audit__ = {"resource": ..., "secret": {...}, "ignore": {...},
"space_attr": ...}``. After each flush, inserted, updated and deleted rows of such tables become
``audit_logs`` rows: who (from ``session.info["actor"]``), what, and the fields before and after,
secrets masked. Routes need no code of their own for this.
"""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Session, UOWTransaction

from spacegate.kit.clock import isoformat_z, utcnow
from spacegate.kit.ids import uuid7
from spacegate.models.audit_log import AuditLog

MASK = "***"
_STATE_ACTIONS = {"deleted_at": ("delete", "restore"), "revoked_at": ("revoke", "unrevoke")}


def _jsonable(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return isoformat_z(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, bytes):
        return MASK
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    return value


def _spec(obj: object) -> dict[str, Any] | None:
    return getattr(type(obj), "__audit__", None)


def _snapshot(obj: object, spec: dict[str, Any]) -> dict[str, Any]:
    secret = spec.get("secret", set())
    out: dict[str, Any] = {}
    for attr in inspect(obj).mapper.column_attrs:
        value = getattr(obj, attr.key)
        out[attr.key] = MASK if attr.key in secret and value is not None else _jsonable(value)
    return out


def _changes(obj: object, spec: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    secret, ignore = spec.get("secret", set()), spec.get("ignore", set()) | {"updated_at"}
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    state = inspect(obj)
    for attr in state.mapper.column_attrs:
        if attr.key in ignore:
            continue
        hist = state.attrs[attr.key].history
        if not hist.has_changes() or not hist.deleted:
            continue
        old, new = hist.deleted[0], (hist.added[0] if hist.added else None)
        if old == new:
            continue
        masked = attr.key in secret
        before[attr.key] = MASK if masked else _jsonable(old)
        after[attr.key] = MASK if masked else _jsonable(new)
    return before, after


def _row(
    obj: object, spec: dict[str, Any], action: str, before: Any, after: Any, actor: dict[str, Any]
) -> dict[str, Any]:
    obj_id = getattr(obj, "id")  # noqa: B009  (every audited table has an id)
    org_id = getattr(obj, "org_id", None) or obj_id  # an Org audits itself
    space_attr = spec.get("space_attr")
    return {
        "id": uuid7(),
        "org_id": org_id,
        "actor_type": actor.get("actor_type", "system"),
        "actor_id": actor.get("actor_id"),
        "api_key_id": actor.get("api_key_id"),
        "resource": spec["resource"],
        "resource_id": str(obj_id),
        "action": action,
        "space_id": getattr(obj, space_attr) if space_attr else None,
        "before": before,
        "after": after,
        "request_id": actor.get("request_id"),
        "created_at": utcnow(),
    }


def _action_for_update(before: dict[str, Any], after: dict[str, Any]) -> str:
    for field, (set_action, unset_action) in _STATE_ACTIONS.items():
        if field in after:
            return set_action if after[field] is not None else unset_action
    return "update"


@event.listens_for(Session, "after_flush")
def _record(session: Session, _flush: UOWTransaction) -> None:
    actor: dict[str, Any] = session.info.get("actor", {})
    rows: list[dict[str, Any]] = []
    for obj in session.new:
        if spec := _spec(obj):
            rows.append(_row(obj, spec, "create", None, _snapshot(obj, spec), actor))
    for obj in session.dirty:
        spec = _spec(obj)
        if spec is None or not session.is_modified(obj, include_collections=False):
            continue
        before, after = _changes(obj, spec)
        if after:
            rows.append(_row(obj, spec, _action_for_update(before, after), before, after, actor))
    for obj in session.deleted:
        if spec := _spec(obj):
            rows.append(_row(obj, spec, "delete", _snapshot(obj, spec), None, actor))
    if rows:
        session.connection().execute(insert(AuditLog), rows)


def set_actor(session: Any, **actor: Any) -> None:
    """Attach who is acting to a session (sync or async) so its changes are attributed."""
    info = session.info
    info["actor"] = {k: v for k, v in actor.items() if v is not None}
