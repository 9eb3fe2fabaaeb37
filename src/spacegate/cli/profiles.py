"""Saved connections (``spacegate login``): a URL and an API key per named profile.

They live in ``config.json`` under the user's config directory (``$XDG_CONFIG_HOME/spacegate``
on Linux), readable by the user alone: the file holds API keys.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer

DEFAULT_PROFILE = "default"


@dataclass(frozen=True)
class Profile:
    name: str
    url: str
    api_key: str


def config_path() -> Path:
    return Path(typer.get_app_dir("spacegate")) / "config.json"


def _read() -> dict[str, Any]:
    path = config_path()
    if not path.exists():
        return {"default": None, "profiles": {}}
    data: dict[str, Any] = json.loads(path.read_text())
    data.setdefault("profiles", {})
    return data


def _write(data: dict[str, Any]) -> None:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_suffix(".tmp")
    # Created 0600 from the start, so the key is never readable by others, even for a moment.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(data, f, indent=2)
    os.chmod(tmp, 0o600)  # an older file with wider permissions keeps them otherwise
    os.replace(tmp, path)


def load(name: str | None = None) -> Profile | None:
    """The named profile, or the default one; None when there is none."""
    data = _read()
    wanted = name or data.get("default")
    if wanted is None:
        return None
    entry = data["profiles"].get(wanted)
    if entry is None:
        if name is not None:
            raise LookupError(f"no saved profile named '{name}'; run `spacegate login`")
        return None
    return Profile(wanted, entry["url"], entry["api_key"])


def save(profile: Profile, *, make_default: bool = True) -> Path:
    data = _read()
    data["profiles"][profile.name] = {"url": profile.url, "api_key": profile.api_key}
    if make_default or not data.get("default"):
        data["default"] = profile.name
    _write(data)
    return config_path()


def remove(name: str) -> bool:
    data = _read()
    if data["profiles"].pop(name, None) is None:
        return False
    if data.get("default") == name:
        data["default"] = next(iter(data["profiles"]), None)
    _write(data)
    return True


def names() -> tuple[str | None, list[str]]:
    data = _read()
    return data.get("default"), sorted(data["profiles"])
