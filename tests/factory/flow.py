"""Steps the factory's tests share: a bucket with data, a connector, a data model, a training."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from tests.factory.conftest import Bucket, credit_csv

DONE = ("succeeded", "failed", "cancelled")


async def post(client: httpx.AsyncClient, h: dict[str, str], path: str, body: Any) -> Any:
    r = await client.post(path, json=body, headers=h)
    assert r.status_code in (201, 202), r.text
    return r.json()


async def credit_setup(
    client: httpx.AsyncClient, h: dict[str, str], bucket: Bucket, rows: int = 600
) -> dict[str, Any]:
    """train.csv and test.csv in the bucket, a connector and a data model over them."""
    bucket.put("credit/train.csv", credit_csv(rows, seed=1))
    bucket.put("credit/test.csv", credit_csv(rows // 2, seed=2))
    connector = await post(
        client, h, "/v1/connectors", {"name": "lake", "type": "aws-s3", "s3": bucket.s3()}
    )
    model = await post(
        client,
        h,
        "/v1/data-models",
        {"name": "credit", "description": "default risk", "target_column": "default"},
    )
    return {"connector": connector["id"], "data_model": model["id"]}


def training_body(setup: dict[str, Any], architecture: str, **over: Any) -> dict[str, Any]:
    return {
        "name": architecture,
        "architecture": architecture,
        "configuration": {},
        "connectors": [{"connector_id": setup["connector"], "files": ["credit/train.csv"]}],
        "data_model_id": setup["data_model"],
        "gpu_count": 0,
        **over,
    }


def benchmark_body(
    setup: dict[str, Any],
    metrics: list[str],
    name: str = "holdout",
    files: tuple[str, ...] = ("credit/test.csv",),
) -> dict[str, Any]:
    return {
        "name": name,
        "description": "holdout",
        "task": "binary_classification",
        "metrics": metrics,
        "connectors": [{"connector_id": setup["connector"], "files": list(files)}],
    }


async def wait_for(
    client: httpx.AsyncClient, h: dict[str, str], path: str, done: tuple[str, ...] = DONE
) -> dict[str, Any]:
    """The object once its ``status`` is one of ``done`` (the app's job runner works on it)."""
    pause = 0.05
    for _ in range(1200):
        got: dict[str, Any] = (await client.get(path, headers=h)).json()
        if got.get("status") in done:
            return got
        await asyncio.sleep(pause)
        pause = min(pause * 1.5, 0.25)
    raise AssertionError(f"{path} never reached {done}: {got}")
