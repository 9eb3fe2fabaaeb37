"""Server folders: only under the roots the operator allows; traversal and symlinks out refused;
a sync adds new files, re-indexes changed ones and removes vanished ones."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from tests.factories import Caller
from tests.rag.conftest import settled


@pytest.fixture
def root(local_app: FastAPI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    allowed = tmp_path / "allowed"
    allowed.mkdir()
    monkeypatch.setattr(local_app.state.runtime.settings, "dataset_roots", [allowed])
    return allowed


async def _create(
    http: httpx.AsyncClient, caller: Caller, name: str, folder: str
) -> httpx.Response:
    return await http.post(
        "/api/v1/datasets/",
        json={"name": name, "dtype": "local_file", "configuration": {"folder": folder}},
        headers=caller.headers,
    )


async def _search(http: httpx.AsyncClient, caller: Caller, name: str, q: str) -> list[str]:
    r = await http.post(
        f"/api/v1/datasets/{name}/search", json={"query": q}, headers=caller.headers
    )
    assert r.status_code == 200, r.text
    return [h["metadata"]["filename"] for h in r.json()["documents"]]


async def test_folders_outside_the_roots_are_refused(
    http: httpx.AsyncClient, caller: Caller, root: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (root / "link-out").symlink_to(outside, target_is_directory=True)
    for folder in (str(outside), f"{root}/../outside", str(root / "link-out"), "relative/dir", "/"):
        r = await _create(http, caller, "bad", folder)
        assert r.status_code == 422, (folder, r.text)
        assert "configuration.folder" in r.text
    (root / "docs").mkdir()
    r = await _create(http, caller, "good", str(root / "docs"))
    assert r.status_code == 201, r.text


async def test_sync_adds_changes_removes_and_skips_links_out(
    http: httpx.AsyncClient, caller: Caller, root: Path, tmp_path: Path
) -> None:
    docs = root / "docs"
    (docs / "sub").mkdir(parents=True)
    (docs / "a.txt").write_text("aardvark burrows")
    (docs / "sub" / "b.md").write_text("# Badger\nbadger setts")
    secret = tmp_path / "secret.txt"
    secret.write_text("classified payroll")
    os.symlink(secret, docs / "leak.txt")
    r = await _create(http, caller, "folder", str(docs))
    assert r.status_code == 201, r.text
    ds = r.json()

    r = await http.post("/api/v1/datasets/folder/sync", headers=caller.headers)
    assert r.status_code == 200, r.text
    assert r.json() == {"added": 2, "changed": 0, "removed": 0, "unchanged": 0}
    status = await settled(http, caller, ds["id"])
    assert status["documents"]["ready"] == 2
    assert await _search(http, caller, "folder", "payroll") == []
    assert await _search(http, caller, "folder", "badger") == ["sub/b.md"]

    (docs / "a.txt").write_text("aardvark eats termites")
    (docs / "sub" / "b.md").unlink()
    (docs / "c.csv").write_text("animal\ncapybara\n")
    r = await http.post("/api/v1/datasets/folder/sync/", headers=caller.headers)
    assert r.json() == {"added": 1, "changed": 1, "removed": 1, "unchanged": 0}
    await settled(http, caller, ds["id"])
    assert await _search(http, caller, "folder", "termites") == ["a.txt"]
    assert await _search(http, caller, "folder", "burrows") == []
    assert await _search(http, caller, "folder", "badger") == []
    assert await _search(http, caller, "folder", "capybara") == ["c.csv"]

    r = await http.post("/api/v1/datasets/folder/sync", headers=caller.headers)
    assert r.json() == {"added": 0, "changed": 0, "removed": 0, "unchanged": 2}


async def test_sync_needs_a_folder(http: httpx.AsyncClient, caller: Caller) -> None:
    r = await http.post(
        "/api/v1/datasets/",
        json={"name": "plain", "dtype": "local_file", "configuration": {}},
        headers=caller.headers,
    )
    assert r.status_code == 201
    r = await http.post("/api/v1/datasets/plain/sync", headers=caller.headers)
    assert r.status_code == 422 and r.json()["code"] == "no_folder"
