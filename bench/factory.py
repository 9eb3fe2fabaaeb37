"""Factory benchmark: train and evaluate on 100k rows; the control plane while two trainings run.

A credit-style CSV of ``ROWS`` rows goes into an S3-compatible server on loopback (moto, server
mode). Through the whole app in process (embedded SQLite, its own job runner): a connector, a
data model, a benchmark on a second file, then two trainings (histogram gradient boosting and
logistic regression) with the benchmark attached, started together. Reported: each training's
time from ``POST /trainings`` to ``succeeded`` and to its last evaluation; an evaluation asked
for on its own once the machine is quiet again (``POST /evaluations`` to ``succeeded``, ROC
curve included); and the latency of two control-plane calls (``GET /v1/trainings``,
``GET /v1/spaces``) sampled while both trainings run, against the same calls when idle.

``python -m bench.factory`` writes ``bench/results-factory.md``; ``python -m bench --only
factory`` runs it into ``bench/results.md``. ``BENCH_FACTORY_ROWS`` sets the size.
"""

from __future__ import annotations

import asyncio
import io
import os
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from spacegate.config import Settings
from spacegate.db.migrate import upgrade
from spacegate.main import create_app
from spacegate.orgs.service import bootstrap
from spacegate.runtime import Runtime

ROWS = int(os.environ.get("BENCH_FACTORY_ROWS", "100000"))
RESULTS = Path(__file__).resolve().parent / "results-factory.md"
#: The control-plane calls sampled, alternately.
CALLS = ("/v1/trainings", "/v1/spaces")
ARCHITECTURES = {
    "hist_gradient_boosting": {"max_iter": 100, "checkpoints": 2},
    "logistic_regression": {"max_iter": 200, "checkpoints": 2},
}


def _csv(n: int, seed: int) -> bytes:
    import numpy as np

    rng = np.random.default_rng(seed)
    cols = {f"x{i}": rng.normal(0, 1, n).round(4) for i in range(12)}
    segment = rng.choice(["retail", "premium", "small_business"], n)
    logit = cols["x0"] - 0.5 * cols["x1"] + 0.3 * cols["x2"] * cols["x3"] + (segment == "retail")
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    out = io.StringIO()
    out.write(",".join([*cols, "segment", "default"]) + "\n")
    for i in range(n):
        out.write(",".join([*(str(c[i]) for c in cols.values()), segment[i], str(y[i])]) + "\n")
    return out.getvalue().encode()


def _moto() -> tuple[Any, str]:
    from moto.server import ThreadedMotoServer

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    return server, f"http://127.0.0.1:{port}"


def _upload(endpoint: str) -> None:
    import boto3

    s3 = boto3.client(
        "s3",
        region_name="us-east-1",
        endpoint_url=endpoint,
        aws_access_key_id="bench",
        aws_secret_access_key="bench",  # noqa: S106  (a throw-away local server)
    )
    s3.create_bucket(Bucket="bench")
    s3.put_object(Bucket="bench", Key="train.csv", Body=_csv(ROWS, 1))
    s3.put_object(Bucket="bench", Key="test.csv", Body=_csv(ROWS // 5, 2))


async def _post(c: httpx.AsyncClient, h: dict[str, str], path: str, body: Any) -> Any:
    r = await c.post(path, json=body, headers=h)
    assert r.status_code in (201, 202), r.text
    return r.json()


Samples = dict[str, list[float]]


async def _sample(c: httpx.AsyncClient, h: dict[str, str], stop: asyncio.Event) -> Samples:
    times: Samples = {path: [] for path in CALLS}
    while not stop.is_set():
        for path in CALLS:
            t = time.perf_counter()
            assert (await c.get(path, headers=h)).status_code == 200
            times[path].append((time.perf_counter() - t) * 1000)
            await asyncio.sleep(0.02)
    return times


def _p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[-1] if len(values) >= 2 else values[0]


async def _bench(url: str, data_dir: Path, endpoint: str) -> str:
    settings = Settings(
        database_url=url,
        data_dir=data_dir,
        secret_key="bench-secret",  # noqa: S106  (a throw-away database)
        org_rate_limit="off",
        allow_private_networks=True,  # the S3 server is on loopback
        job_poll_seconds=0.1,
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        runtime: Runtime = app.state.runtime
        async with runtime.write_sessions() as s, s.begin():
            made = await bootstrap(s, org_name="bench", email="owner@bench.example.com")
            key = made.api_key
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as c:
            h0 = {"Authorization": f"Bearer {key}"}
            space = await _post(c, h0, "/v1/spaces", {"name": "bench", "description": ""})
            h = {**h0, "X-Space-Id": space["id"]}
            s3 = {
                "bucket": "bench",
                "region": "us-east-1",
                "endpoint_url": endpoint,
                "access_key_id": "bench",
                "secret_access_key": "bench",
            }
            conn = await _post(c, h, "/v1/connectors", {"name": "b", "type": "aws-s3", "s3": s3})
            dm = await _post(c, h, "/v1/data-models", {"name": "d", "target_column": "default"})
            bench = await _post(
                c,
                h,
                "/v1/benchmarks",
                {
                    "name": "holdout",
                    "description": "",
                    "task": "binary_classification",
                    "metrics": ["roc_auc", "ks", "log_loss", "accuracy"],
                    "connectors": [{"connector_id": conn["id"], "files": ["test.csv"]}],
                },
            )
            idle = await _idle(c, h)
            stop = asyncio.Event()
            sampler = asyncio.create_task(_sample(c, h, stop))
            started = time.perf_counter()
            done: dict[str, float] = {}
            trained: dict[str, float] = {}
            results: dict[str, dict[str, Any]] = {}
            ids: dict[str, str] = {}
            for arch, config in ARCHITECTURES.items():
                t = await _post(
                    c,
                    h,
                    "/v1/trainings",
                    {
                        "name": arch,
                        "architecture": arch,
                        "configuration": config,
                        "connectors": [{"connector_id": conn["id"], "files": ["train.csv"]}],
                        "data_model_id": dm["id"],
                        "gpu_count": 0,
                        "benchmark_ids": [bench["id"]],
                    },
                )
                ids[arch] = t["id"]
            while len(done) < len(ids):
                await asyncio.sleep(0.2)
                for arch, tid in ids.items():
                    if arch in done:
                        continue
                    t = (await c.get(f"/v1/trainings/{tid}", headers=h)).json()
                    if t["status"] in ("failed", "cancelled"):
                        raise RuntimeError(f"{arch}: {t['error']}")
                    if t["status"] != "succeeded":
                        continue
                    trained.setdefault(arch, time.perf_counter() - started)
                    evals = (
                        await c.get(
                            "/v1/evaluations",
                            params={"checkpoint_id": t["checkpoints"][-1]["id"]},
                            headers=h,
                        )
                    ).json()["data"]
                    if evals and evals[0]["status"] == "succeeded":
                        done[arch] = time.perf_counter() - started
                        results[arch] = {
                            **evals[0]["result"],
                            "checkpoint_id": t["checkpoints"][-1]["id"],
                        }
            stop.set()
            busy = await sampler
            timeline = await _timeline(runtime)
            alone = await _evaluate_alone(c, h, bench["id"], results)
    lines = [
        "## Factory: train and evaluate, and the control plane meanwhile",
        "",
        f"{ROWS:,} training rows (12 numeric columns and one text column), {ROWS // 5:,} "
        "benchmark rows, from an S3-compatible server on loopback; both trainings started "
        "together, each with 2 checkpoints, each checkpoint evaluated on the benchmark.",
        "",
        "| architecture | POST to succeeded (s) | POST to last evaluation (s) "
        "| roc_auc | ks | log_loss |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for arch, seconds in done.items():
        r = results[arch]
        lines.append(
            f"| {arch} | {trained[arch]:.1f} | {seconds:.1f} | {r['roc_auc']:.4f} "
            f"| {r['ks']:.4f} | {r['log_loss']:.4f} |"
        )
    lines += [
        "",
        "The jobs meanwhile (seconds after the first one was queued): when each was queued, "
        "claimed by the runner and done.",
        "",
        "| job | queued | claimed | done |",
        "|---|---:|---:|---:|",
        *timeline,
        "",
        f"One evaluation on its own ({ROWS // 5:,} rows, 4 metrics and the ROC curve), the "
        "machine otherwise quiet, `POST /v1/evaluations` to `succeeded`:",
        "",
        "| checkpoint of | seconds |",
        "|---|---:|",
        *(f"| {arch} | {seconds:.2f} |" for arch, seconds in alone.items()),
        "",
        "| call | while | samples | p50 (ms) | p99 (ms) |",
        "|---|---|---:|---:|---:|",
    ]
    for path in CALLS:
        for label, samples in (("idle", idle[path]), ("two trainings running", busy[path])):
            lines.append(
                f"| `GET {path}` | {label} | {len(samples)} | {statistics.median(samples):.2f} "
                f"| {_p99(samples):.2f} |"
            )
    lines += [
        "",
        f"Machine: {os.cpu_count()} CPUs, shared with other work while this ran (the numbers "
        "move with it). The trainings run in processes of their own; the API, its job runner "
        "and the sampling client share one event loop in the bench's process.",
        "",
    ]
    return "\n".join(lines)


async def _timeline(runtime: Runtime) -> list[str]:
    """The trainings' and evaluations' jobs as table rows, in the order they were queued."""
    from sqlalchemy import select

    from spacegate.models import Job

    async with runtime.read_sessions() as s:
        jobs = (await s.scalars(select(Job).order_by(Job.run_after, Job.id))).all()
    work = [j for j in jobs if j.kind in ("factory.training", "factory.evaluation")]
    if not work:
        return []
    t0 = work[0].run_after

    def at(moment: Any) -> str:
        return "-" if moment is None else f"{(moment - t0).total_seconds():.1f}"

    return [
        f"| {j.kind.removeprefix('factory.')} | {at(j.run_after)} | {at(j.started_at)} "
        f"| {at(j.finished_at)} |"
        for j in work
    ]


async def _evaluate_alone(
    c: httpx.AsyncClient, h: dict[str, str], benchmark_id: str, results: dict[str, Any]
) -> dict[str, float]:
    """Each architecture's last checkpoint evaluated again, one at a time."""
    out: dict[str, float] = {}
    for arch, result in results.items():
        checkpoint = result["checkpoint_id"]
        t = time.perf_counter()
        made = await _post(
            c,
            h,
            "/v1/evaluations",
            {"benchmark_id": benchmark_id, "checkpoint_id": checkpoint, "gpu_count": 0},
        )
        while True:
            e = (await c.get(f"/v1/evaluations/{made['id']}", headers=h)).json()
            if e["status"] in ("succeeded", "failed"):
                break
            await asyncio.sleep(0.05)
        assert e["status"] == "succeeded", e
        roc = await c.get(f"/v1/evaluations/{made['id']}/roc", headers=h)
        assert roc.status_code == 200, roc.text
        out[arch] = time.perf_counter() - t
    return out


async def _idle(c: httpx.AsyncClient, h: dict[str, str]) -> Samples:
    stop = asyncio.Event()
    task = asyncio.create_task(_sample(c, h, stop))
    await asyncio.sleep(8)
    stop.set()
    return await task


def run_factory_bench() -> str:
    server, endpoint = _moto()
    try:
        _upload(endpoint)
        with tempfile.TemporaryDirectory(prefix="spacegate-bench-") as tmp:
            url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
            upgrade(url)
            return asyncio.run(_bench(url, Path(tmp), endpoint))
    finally:
        server.stop()


def main() -> None:
    section = run_factory_bench()
    RESULTS.write_text("# Factory benchmark\n\n" + section)
    sys.stdout.write(section)


if __name__ == "__main__":
    main()
