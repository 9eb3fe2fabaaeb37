"""``entitlements apply FILE.yaml``: converge entitlements on a file, changing only what differs.

Each entry names a space and a model and, optionally, the fields it cares about. An entry whose
entitlement does not exist is granted; one that differs in a field the entry names is updated
(fields the entry leaves out are left alone); the rest is reported unchanged. So a second run
changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from spacegate.cli.remote import Failure, Remote, is_uuid

if TYPE_CHECKING:
    from spacegate.wire.mechamental.schemas import EntitlementRead

Progress = Callable[[Remote, int, str], AbstractContextManager[Callable[[], None]]]
_RULES = ("enabled", "limits", "allowed_endpoints", "allowed_purposes", "allowed_step_types")
_KEYS = frozenset({"space", "model", "default", *_RULES})


def load(path: Path) -> list[dict[str, Any]]:
    import yaml

    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        raise Failure(f"{path}: not valid YAML ({exc.__class__.__name__})") from None
    entries = data.get("entitlements") if isinstance(data, dict) else data
    if not isinstance(entries, list):
        raise Failure(f"{path}: expected a list under `entitlements:`")
    for i, entry in enumerate(entries, 1):
        if not isinstance(entry, dict) or not {"space", "model"} <= set(entry):
            raise Failure(f"{path}: entry {i} needs `space` and `model`")
        unknown = set(entry) - _KEYS
        if unknown:
            raise Failure(f"{path}: entry {i} has unknown keys: {', '.join(sorted(unknown))}")
    return entries


def _wanted(entry: dict[str, Any]) -> dict[str, Any]:
    """The entry's rules, normalised the way the server stores them."""
    from spacegate.wire.mechamental.limits import WorkspaceLimits

    out: dict[str, Any] = {}
    for key in _RULES:
        if key not in entry:
            continue
        value = entry[key]
        if key == "limits":
            value = WorkspaceLimits.model_validate(value or {}).model_dump(mode="json")
        elif key != "enabled":
            value = list(dict.fromkeys(value or []))
        out[key] = value
    return out


def _current(ent: EntitlementRead) -> dict[str, Any]:
    return {
        "enabled": ent.enabled,
        "limits": ent.workspace_limits.model_dump(mode="json"),
        "allowed_endpoints": list(ent.allowed_endpoints),
        "allowed_purposes": list(ent.allowed_purposes),
        "allowed_step_types": list(ent.allowed_step_types),
    }


def _space_ids(r: Remote) -> dict[str, list[str]]:
    names: dict[str, list[str]] = {}
    for space in r.client.spaces.list(page_size=100):
        names.setdefault(space.name, []).append(str(space.id))
    return names


def _resolve(names: dict[str, list[str]], ref: str) -> str:
    if is_uuid(ref):
        return ref
    found = names.get(ref, [])
    if len(found) != 1:
        raise Failure(
            f"no space named '{ref}'" if not found else f"several spaces are named '{ref}'"
        )
    return found[0]


def _converge(r: Remote, entry: dict[str, Any], sid: str, dry_run: bool) -> tuple[str, list[str]]:
    from spacegate.client import NotFoundError

    alias, wanted = str(entry["model"]), _wanted(entry)
    ents = r.client.entitlements
    try:
        current: dict[str, Any] | None = _current(ents.get(sid, alias))
    except NotFoundError:
        current = None
    changes: list[str] = []
    if current is None:
        action, changes = "granted", sorted(wanted)
        if not dry_run:
            ents.grant(sid, alias, **wanted)
    else:
        changes = [k for k, v in wanted.items() if current[k] != v]
        action = "updated" if changes else "unchanged"
        if changes and not dry_run:
            ents.update(sid, alias, **{k: wanted[k] for k in changes})
    if "default" in entry:
        is_default = ents.policy(sid).default_model_alias == alias
        if bool(entry["default"]) != is_default:
            changes.append("default")
            action = "updated" if action == "unchanged" else action
            if not dry_run:
                ents.set_default(sid, alias if entry["default"] else None)
    return action, changes


def apply_file(r: Remote, path: Path, *, dry_run: bool, progress: Progress) -> None:
    entries = load(path)
    names = _space_ids(r)
    results: list[dict[str, Any]] = []
    failed = 0
    with progress(r, len(entries), "applying") as step:
        for entry in entries:
            row: dict[str, Any] = {"space": str(entry["space"]), "model": str(entry["model"])}
            try:
                sid = _resolve(names, row["space"])
                row["space_id"] = sid
                row["action"], row["changes"] = _converge(r, entry, sid, dry_run)
            except Exception as exc:
                from spacegate.cli.remote import one_line

                failed += 1
                row["action"], row["error"] = "failed", one_line(exc)
            results.append(row)
            step()
    r.table(
        results,
        [
            ("space", lambda x: x["space"]),
            ("model", lambda x: x["model"]),
            ("action", lambda x: x["action"] + (" (dry run)" if dry_run else "")),
            ("changes", lambda x: x.get("changes") or x.get("error")),
        ],
    )
    counts = {
        a: sum(x["action"] == a for x in results) for a in ("granted", "updated", "unchanged")
    }
    if not r.as_json:
        r.out.print(
            ", ".join(f"{n} {a}" for a, n in counts.items()) + (" (dry run)" if dry_run else "")
        )
    if failed:
        raise Failure(f"{failed} of {len(results)} entries failed")
