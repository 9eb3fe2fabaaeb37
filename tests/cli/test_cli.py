"""The ``spacegate`` command: bootstrap, migrate, serve's refusal, the secret key file."""

from __future__ import annotations

import asyncio
import json
import stat
import uuid
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner, Result

from spacegate.cli.app import app as cli
from spacegate.config import Settings
from spacegate.models import ApiKey, Org, User
from spacegate.runtime import Runtime


def _invoke(args: list[str], env: dict[str, str]) -> Result:
    base = {"SPACEGATE_REDIS_URL": "", "SPACEGATE_SECRET_KEY": ""}
    return CliRunner().invoke(cli, args, env={**base, **env})


async def _counts(runtime: Runtime) -> tuple[int, int, int]:
    async with runtime.read_sessions() as s:
        return tuple(  # type: ignore[return-value]
            [
                int(await s.scalar(select(func.count()).select_from(t)) or 0)
                for t in (Org, User, ApiKey)
            ]
        )


async def test_bootstrap_prints_one_json_object_with_a_working_key(
    client: httpx.AsyncClient, runtime: Runtime, database_url: str, tmp_path: Path
) -> None:
    name = f"cli-{uuid.uuid4().hex[:8]}"
    env = {"SPACEGATE_DATABASE_URL": database_url, "SPACEGATE_DATA_DIR": str(tmp_path)}
    args = ["bootstrap", "--org", name, "--email", "Boss@Example.com", "--json"]
    result = await asyncio.to_thread(_invoke, args, env)
    assert result.exit_code == 0, result.output
    made = json.loads(result.stdout)
    assert {"org_id", "user_id", "api_key"} <= set(made)
    me = await client.get("/v1/users/me", headers={"Authorization": f"Bearer {made['api_key']}"})
    assert me.status_code == 200
    assert me.json()["id"] == made["user_id"] and me.json()["role"] == "owner"
    assert me.json()["email"] == "boss@example.com"

    before = await _counts(runtime)
    again = await asyncio.to_thread(_invoke, args, env)
    assert again.exit_code == 1
    assert "already exists" in again.stderr and "Nothing was changed" in again.stderr
    assert again.stdout == ""
    assert await _counts(runtime) == before


def test_bootstrap_takes_an_internal_domain(tmp_path: Path) -> None:
    env = {"SPACEGATE_DATA_DIR": str(tmp_path), "SPACEGATE_DATABASE_URL": ""}
    made = _invoke(["bootstrap", "--org", "Acme", "--email", "Root@Corp.Local", "--json"], env)
    assert made.exit_code == 0, made.output
    assert json.loads(made.stdout)["api_key"].startswith("sg_")


@pytest.mark.parametrize("email", ["not-an-email", "", "root@localhost"])
def test_bootstrap_refuses_a_bad_email(tmp_path: Path, email: str) -> None:
    result = _invoke(
        ["bootstrap", "--org", "x", "--email", email, "--json"],
        {"SPACEGATE_DATA_DIR": str(tmp_path), "SPACEGATE_DATABASE_URL": ""},
    )
    assert result.exit_code == 1 and "email" in result.stderr.lower()
    assert not (tmp_path / "spacegate.db").exists()


def test_migrate_creates_the_schema(tmp_path: Path) -> None:
    env = {"SPACEGATE_DATA_DIR": str(tmp_path), "SPACEGATE_DATABASE_URL": ""}
    result = _invoke(["migrate"], env)
    assert result.exit_code == 0, result.output
    assert "up to date" in result.stdout
    assert (tmp_path / "spacegate.db").exists()
    # Running it twice is harmless.
    assert _invoke(["migrate"], env).exit_code == 0
    made = _invoke(["bootstrap", "--org", "Acme", "--email", "a@acme.example", "--json"], env)
    assert made.exit_code == 0, made.output
    assert json.loads(made.stdout)["api_key"].startswith("sg_")


async def test_migrate_on_the_test_database(database_url: str, tmp_path: Path) -> None:
    result = await asyncio.to_thread(
        _invoke,
        ["migrate"],
        {"SPACEGATE_DATABASE_URL": database_url, "SPACEGATE_DATA_DIR": str(tmp_path)},
    )
    assert result.exit_code == 0, result.output


def test_serve_with_workers_needs_redis(tmp_path: Path) -> None:
    result = _invoke(
        ["serve", "--workers", "2"],
        {"SPACEGATE_DATA_DIR": str(tmp_path), "SPACEGATE_DATABASE_URL": ""},
    )
    assert result.exit_code != 0
    assert "SPACEGATE_REDIS_URL" in result.stderr
    assert not (tmp_path / "spacegate.db").exists()  # refused before touching anything


def test_secret_key_file_is_private_and_stable(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = Settings(data_dir=data, secret_key=None).resolved_secret_key
    path = data / "secret_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(first) >= 32
    assert Settings(data_dir=data, secret_key=None).resolved_secret_key == first


def test_serve_with_workers_gives_each_worker_its_share_of_the_limits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While Redis is away each process enforces limit / processes: ``--workers 3`` on each of 2
    replicas makes 6 processes, and every worker is told so."""
    import uvicorn

    seen: dict[str, object] = {}

    def run(*_args: object, **kwargs: object) -> None:
        seen.update(kwargs, instances=Settings().limits_instances)

    monkeypatch.setattr(uvicorn, "run", run)
    monkeypatch.setenv("SPACEGATE_LIMITS_INSTANCES", "2")  # (restored after the test)
    result = _invoke(
        ["serve", "--workers", "3"],
        {
            "SPACEGATE_DATA_DIR": str(tmp_path),
            "SPACEGATE_DATABASE_URL": "",
            "SPACEGATE_REDIS_URL": "redis://127.0.0.1:1/0",
            "SPACEGATE_LIMITS_INSTANCES": "2",
        },
    )
    assert result.exit_code == 0, result.output
    assert seen["workers"] == 3 and seen["instances"] == 6


async def test_recover_owner_issues_a_new_owner_key(
    client: httpx.AsyncClient, runtime: Runtime, database_url: str, tmp_path: Path
) -> None:
    """Every owner key lost: an operator on the server gets a new one; the old keys still work
    until revoked with it."""
    name = f"lost-{uuid.uuid4().hex[:8]}"
    env = {"SPACEGATE_DATABASE_URL": database_url, "SPACEGATE_DATA_DIR": str(tmp_path)}
    boot = ["bootstrap", "--org", name, "--email", "owner@example.com", "--json"]
    made = json.loads((await asyncio.to_thread(_invoke, boot, env)).stdout)

    result = await asyncio.to_thread(_invoke, ["recover-owner", "--org", name, "--json"], env)
    assert result.exit_code == 0, result.output
    recovered = json.loads(result.stdout)
    assert recovered["user_id"] == made["user_id"] and recovered["api_key"] != made["api_key"]
    auth = {"Authorization": f"Bearer {recovered['api_key']}"}
    me = await client.get("/v1/users/me", headers=auth)
    assert me.status_code == 200 and me.json()["role"] == "owner"
    keys = (await client.get("/v1/api-keys", headers=auth)).json()["data"]
    lost = next(k for k in keys if k["name"] == "owner key")
    revoked = await client.delete(f"/v1/api-keys/{lost['id']}", headers=auth)
    assert revoked.status_code in (200, 204), revoked.text
    old = {"Authorization": f"Bearer {made['api_key']}"}
    assert (await client.get("/v1/users/me", headers=old)).status_code == 401

    text = await asyncio.to_thread(
        _invoke, ["recover-owner", "--org", name, "--email", "OWNER@example.com"], env
    )
    assert text.exit_code == 0 and "shown only once" in text.stdout and "sg_" in text.stdout
    before = await _counts(runtime)
    for args in (["--org", "no such org"], ["--org", name, "--email", "else@example.com"]):
        refused = await asyncio.to_thread(_invoke, ["recover-owner", *args], env)
        assert refused.exit_code == 1 and "Nothing was" in refused.stderr
    assert await _counts(runtime) == before
