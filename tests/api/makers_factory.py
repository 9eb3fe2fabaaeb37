"""Factory objects for the cross-org matrices.

Connectors point at AWS (no endpoint, so nothing is contacted when they are made); trainings,
checkpoints and evaluations are written as finished rows, so no job reaches the network.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

import httpx

from spacegate.factory import architectures, artifacts, trainer
from spacegate.models import Checkpoint, Evaluation, Training
from spacegate.runtime import Runtime
from tests.api.makers import body, created, maker, space_headers

if TYPE_CHECKING:
    from tests.api.isolation import OrgObjects

S3 = {
    "bucket": "a-bucket",
    "region": "us-east-1",
    "access_key_id": "AKIAEXAMPLE",
    "secret_access_key": "secret-example",
}


def _connector_body(o: OrgObjects) -> dict[str, Any]:
    return {"name": "lake", "type": "aws-s3", "s3": S3}


def _files(o: OrgObjects) -> list[dict[str, Any]]:
    return [{"connector_id": o.extra["/v1/connectors/{id}"], "files": ["train.csv"]}]


@maker("/v1/connectors/{id}")
async def _connector(client: httpx.AsyncClient, _rt: Runtime, o: OrgObjects) -> str:
    r = await client.post("/v1/connectors", json=_connector_body(o), headers=space_headers(o))
    return await created(r)


@maker("/v1/data-models/{id}")
async def _data_model(client: httpx.AsyncClient, _rt: Runtime, o: OrgObjects) -> str:
    r = await client.post(
        "/v1/data-models",
        json={"name": "credit", "target_column": "default"},
        headers=space_headers(o),
    )
    return await created(r)


def _benchmark_body(o: OrgObjects) -> dict[str, Any]:
    return {
        "name": "holdout",
        "description": "d",
        "task": "binary_classification",
        "metrics": ["roc_auc"],
        "connectors": _files(o),
    }


@maker("/v1/benchmarks/{id}")
async def _benchmark(client: httpx.AsyncClient, _rt: Runtime, o: OrgObjects) -> str:
    await _needs(client, _rt, o, "/v1/connectors/{id}", _connector)
    r = await client.post("/v1/benchmarks", json=_benchmark_body(o), headers=space_headers(o))
    return await created(r)


async def _needs(client: httpx.AsyncClient, rt: Runtime, o: OrgObjects, key: str, make: Any) -> str:
    if key not in o.extra:
        o.extra[key] = await make(client, rt, o)
    value: str = o.extra[key]
    return value


async def _rows(client: httpx.AsyncClient, rt: Runtime, o: OrgObjects) -> dict[str, str]:
    """A finished training with one checkpoint and one evaluation of it."""
    if "/v1/evaluations/{id}" in o.extra and "/v1/trainings/{id}" in o.extra:
        return o.extra
    await _needs(client, rt, o, "/v1/connectors/{id}", _connector)
    dm = await _needs(client, rt, o, "/v1/data-models/{id}", _data_model)
    bench = await _needs(client, rt, o, "/v1/benchmarks/{id}", _benchmark)
    org_id, space_id = uuid.UUID(o.org.org_id), uuid.UUID(o.space_id)
    blob, digest = _tiny_model()
    rel = f"factory/{space_id}/{uuid.uuid4()}/step-1.joblib"
    await artifacts.save(rt.settings.data_dir, rel, blob)
    async with rt.write_sessions() as s, s.begin():
        training = Training(
            org_id=org_id,
            space_id=space_id,
            name="t",
            architecture="logistic_regression",
            configuration={},
            connectors=_files(o),
            data_model_id=uuid.UUID(dm),
            gpu_count=0,
            benchmark_ids=[bench],
            status="succeeded",
            checkpoints=[],
        )
        s.add(training)
        await s.flush()
        checkpoint = Checkpoint(
            org_id=org_id,
            space_id=space_id,
            training_id=training.id,
            name="t-step-1",
            step=1,
            architecture="logistic_regression",
            feature_columns=["income"],
            artifact_path=rel,
            sha256=digest,
        )
        s.add(checkpoint)
        await s.flush()
        evaluation = Evaluation(
            org_id=org_id,
            space_id=space_id,
            benchmark_id=uuid.UUID(bench),
            checkpoint_id=checkpoint.id,
            status="succeeded",
            result={"roc_auc": 0.5},
            # So that the owner reads its ROC curve: another org's 404 is the isolation's.
            roc={"fpr": [0.0, 1.0], "tpr": [0.0, 1.0], "thresholds": [None, 0.1], "auc": 0.5},
        )
        s.add(evaluation)
        await s.flush()
    o.extra["/v1/trainings/{id}"] = str(training.id)
    o.extra["/v1/checkpoints/{id}"] = str(checkpoint.id)
    o.extra["/v1/evaluations/{id}"] = str(evaluation.id)
    return o.extra


def _tiny_model() -> tuple[bytes, str]:
    """A real (tiny) checkpoint state, so scoring it works."""
    import pandas as pd

    frame = pd.DataFrame({"income": list(range(10)), "default": [0, 1] * 5})
    config = architectures.validated("logistic_regression", {})
    data = trainer.prepare(frame, "default", [], config)
    pipe = trainer.pipeline("logistic_regression", config, data.x_train)
    trainer.fit_stage(pipe, "logistic_regression", data, 0, 10)
    return trainer.dump(pipe, data, "logistic_regression")


@maker("/v1/trainings/{id}")
async def _training(client: httpx.AsyncClient, rt: Runtime, o: OrgObjects) -> str:
    return (await _rows(client, rt, o))["/v1/trainings/{id}"]


@maker("/v1/checkpoints/{id}")
async def _checkpoint(client: httpx.AsyncClient, rt: Runtime, o: OrgObjects) -> str:
    return (await _rows(client, rt, o))["/v1/checkpoints/{id}"]


@maker("/v1/evaluations/{id}")
async def _evaluation(client: httpx.AsyncClient, rt: Runtime, o: OrgObjects) -> str:
    return (await _rows(client, rt, o))["/v1/evaluations/{id}"]


body("POST /v1/connectors", _connector_body)
body("POST /v1/connectors/{id}/scan", lambda o: {"files": ["train.csv"]})
body("POST /v1/data-models", lambda o: {"name": "dm", "target_column": "y"})
body("PATCH /v1/data-models/{id}", lambda o: {"description": "changed"})
body("POST /v1/benchmarks", _benchmark_body)
body("PATCH /v1/benchmarks/{id}", lambda o: {"name": "renamed"})
body(
    "POST /v1/trainings",
    lambda o: {
        "name": "t",
        "architecture": "logistic_regression",
        "configuration": {},
        "connectors": _files(o),
        "data_model_id": o.extra["/v1/data-models/{id}"],
        "gpu_count": 0,
    },
)
body("PATCH /v1/trainings/{id}", lambda o: {"name": "renamed"})
body("POST /v1/checkpoints/{id}/score", lambda o: {"rows": [{"income": 1}]})
body(
    "POST /v1/evaluations",
    lambda o: {
        "benchmark_id": o.extra["/v1/benchmarks/{id}"],
        "checkpoint_id": o.extra["/v1/checkpoints/{id}"],
        "gpu_count": 0,
    },
)


@maker("/v1/webhook-subscriptions/{id}")
async def _subscription(client: httpx.AsyncClient, _rt: Runtime, o: OrgObjects) -> str:
    r = await client.post(
        "/v1/webhook-subscriptions",
        json={"url": "https://93.184.215.14/hook", "events": ["checkpoint.created"]},
        headers=space_headers(o),
    )
    return await created(r)


body(
    "POST /v1/webhook-subscriptions",
    lambda o: {"url": "https://93.184.215.14/hook", "events": ["checkpoint.created"]},
)
body("PATCH /v1/webhook-subscriptions/{id}", lambda o: {"description": "ops"})
body(
    "POST /v1/webhooks",
    lambda o: {"id": o.extra["/v1/connectors/{id}"], "status": "scanned", "type": "aws-s3"},
)
