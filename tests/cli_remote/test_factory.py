"""``spacegate connectors``, ``trainings``, ``checkpoints``, ``leaderboard`` and ``clusters``
against a live server whose runner alone takes the jobs, over a bucket on a moto S3 server."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from spacegate.cli.commands import trainings as trainings_cmd
from spacegate.client import Spacegate
from tests.cli_remote.helpers import Cli
from tests.factories import OrgCtx
from tests.factory.conftest import Bucket, bucket, credit_csv, s3_server
from tests.jobs.hold import jobs_held
from tests.live import LiveServer

__all__ = ["bucket", "s3_server"]


def _space(server: LiveServer, owner: OrgCtx) -> str:
    with Spacegate(server.url, owner.key) as sg:
        space = sg.spaces.create(name=f"fx-{uuid.uuid4().hex[:6]}", description="factory")
    # The watch polls: lift the org's request limit (100/minute by default).
    r = httpx.put(
        f"{server.url}/v1/orgs/{owner.org_id}/rate-limit",
        json={"rate_limit": "100000/minute"},
        headers=owner.headers,
        timeout=30,
    )
    assert r.status_code == 200, r.text
    return str(space.id)


async def test_factory_commands(
    cli: Cli,
    server: LiveServer,
    owner: OrgCtx,
    bucket: Bucket,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bucket.put("credit/train.csv", credit_csv(600, seed=1))
    bucket.put("credit/test.csv", credit_csv(300, seed=2))
    space = await asyncio.to_thread(_space, server, owner)
    here = ("--space", space)
    async with jobs_held(keep=server.app.state.jobs):
        ids = await asyncio.to_thread(_connect, cli, server, owner, bucket, here)
        async with jobs_held():  # no runner at all: the next training stays queued
            held = await asyncio.to_thread(_held_training, cli, here, ids, monkeypatch)
        await asyncio.to_thread(_train, cli, here, ids, tmp_path)
    assert held["status"] == "cancelled"


def _connect(
    cli: Cli, server: LiveServer, owner: OrgCtx, bucket: Bucket, here: tuple[str, str]
) -> dict[str, str]:
    with Spacegate(server.url, owner.key, space_id=here[1]) as fx:
        lake = fx.connectors.create(name="lake", type="aws-s3", s3=bucket.s3())
        dm = fx.data_models.create(name="credit", target_column="default")
        test = [{"connector_id": str(lake.id), "files": ["credit/test.csv"]}]
        bench = fx.benchmarks.create(
            name="holdout",
            description="",
            task="binary_classification",
            metrics=["roc_auc", "log_loss"],
            connectors=test,
        )
    listed = cli.run("connectors", "list", *here, env={"COLUMNS": "60"}).stdout
    assert str(lake.id) in listed and "lake" in listed
    files = cli.json("connectors", "files", str(lake.id), *here, "--prefix", "credit/")
    assert {f["key"] for f in files} == {"credit/train.csv", "credit/test.csv"}
    narrow = cli.run("connectors", "files", str(lake.id), *here, env={"COLUMNS": "40"}).stdout
    assert "credit/train.csv" in narrow and "credit/test.csv" in narrow
    scan = cli.json("connectors", "scan", str(lake.id), "credit/train.csv", *here)
    assert scan["files"] == ["credit/train.csv"] and scan["id"]
    return {"connector": str(lake.id), "data_model": str(dm.id), "benchmark": str(bench.id)}


def _create(cli: Cli, here: tuple[str, str], ids: dict[str, str], name: str) -> dict[str, str]:
    made: dict[str, str] = cli.json(
        "trainings", "create", *here, "--name", name, "--architecture", "logistic_regression",
        "--data-model", ids["data_model"], "--connector", ids["connector"],
        "--file", "credit/train.csv", "--benchmark", ids["benchmark"],
    )  # fmt: skip
    return made


def _held_training(
    cli: Cli, here: tuple[str, str], ids: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    """Ctrl-C leaves a watched training running; ``cancel`` stops it."""
    made = _create(cli, here, ids, "held")

    def interrupted(_seconds: float) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(trainings_cmd, "pause", interrupted)
    watched = cli.run("trainings", "watch", made["id"], *here, ok=False)
    monkeypatch.undo()
    assert watched.exit_code == 130 and "queued" in watched.stdout
    assert "keeps running" in watched.stderr
    assert cli.json("trainings", "show", made["id"], *here)["status"] == "queued"
    assert cli.json("trainings", "cancel", made["id"], *here) == {"id": made["id"]}
    shown: dict[str, str] = cli.json("trainings", "show", made["id"], *here)
    return shown


def _train(cli: Cli, here: tuple[str, str], ids: dict[str, str], tmp_path: Path) -> None:
    made = _create(cli, here, ids, "lr")
    watched = cli.run("trainings", "watch", made["id"], *here, "--interval", "0.2")
    lines = watched.stdout.strip().splitlines()
    assert lines[-1].split()[1] == "succeeded" and "=" in lines[-1]  # with its latest metrics
    follow = cli.run("trainings", "watch", made["id"], *here, "--json").stdout.splitlines()
    assert [json.loads(line)["status"] for line in follow] == ["succeeded"]

    listed = cli.run("trainings", "list", *here, env={"COLUMNS": "60"}).stdout
    assert made["id"] in listed
    shown = cli.run("trainings", "show", made["id"], *here).stdout
    assert "stage 1:" in shown and "succeeded" in shown

    points = cli.json("checkpoints", "list", *here, "--training", made["id"])
    assert points and {p["training_id"] for p in points} == {made["id"]}
    narrow = cli.run("checkpoints", "list", *here, env={"COLUMNS": "60"}).stdout
    assert all(p["id"] in narrow for p in points)
    target = tmp_path / "model.joblib"
    got = cli.json("checkpoints", "download", points[-1]["id"], *here, "-o", str(target))
    assert target.stat().st_size == got["size_bytes"] > 0
    assert "exists" in cli.fails("checkpoints", "download", points[-1]["id"], *here, "-o",
                                 str(target))  # fmt: skip

    board = _board(cli, here, ids, "roc_auc")
    scores = [b["score"] for b in board]
    assert len(board) == len(points) and scores == sorted(scores, reverse=True)
    low = _board(cli, here, ids, "log_loss", "--direction", "asc")
    assert [b["score"] for b in low] == sorted(b["score"] for b in low)
    table = cli.run("leaderboard", *here, "--metric", "roc_auc", "--limit", "1").stdout
    assert board[0]["checkpoint_id"] in table and "roc_auc" in table

    assert "404" in cli.fails("clusters", "show", *here)


def _board(
    cli: Cli, here: tuple[str, str], ids: dict[str, str], *args: str
) -> list[dict[str, Any]]:
    """Every checkpoint is evaluated on the training's benchmark after it is saved: wait."""
    deadline = time.monotonic() + 120
    while True:
        board: list[dict[str, Any]] = cli.json(
            "leaderboard", *here, "--benchmark", ids["benchmark"], "--metric", *args
        )
        if board and all(b["score"] is not None for b in board):
            return board
        assert time.monotonic() < deadline, board
        time.sleep(0.3)
