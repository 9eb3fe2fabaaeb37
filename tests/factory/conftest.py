"""The factory's tests: a real S3-compatible server (moto, server mode) on loopback."""

from __future__ import annotations

import io
import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from spacegate.runtime import Runtime
from tests.factories import OrgCtx, make_space


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def s3_server() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@dataclass
class Bucket:
    endpoint: str
    name: str
    client: Any

    def put(self, key: str, body: bytes) -> None:
        self.client.put_object(Bucket=self.name, Key=key, Body=body)

    def s3(self, **over: Any) -> dict[str, Any]:
        """The connector's ``s3`` config for this bucket."""
        return {
            "bucket": self.name,
            "region": "us-east-1",
            "endpoint_url": self.endpoint,
            "access_key_id": "testing",
            "secret_access_key": "testing",
            **over,
        }


@pytest.fixture
def bucket(s3_server: str) -> Bucket:
    import boto3

    client = boto3.client(
        "s3",
        region_name="us-east-1",
        endpoint_url=s3_server,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    name = f"b-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=name)
    return Bucket(s3_server, name, client)


@pytest.fixture
def private_networks(runtime: Runtime) -> Iterator[None]:
    """The S3 server runs on loopback: let connectors reach it, as an operator would."""
    before = runtime.settings.allow_private_networks
    runtime.settings.allow_private_networks = True
    yield
    runtime.settings.allow_private_networks = before


@pytest.fixture
async def space(client: httpx.AsyncClient, org: OrgCtx) -> dict[str, str]:
    made = await make_space(client, org, f"factory-{uuid.uuid4().hex[:6]}")
    # The tests poll while trainings run: lift the org's request limit (100/minute by default).
    r = await client.put(
        f"/v1/orgs/{org.org_id}/rate-limit",
        json={"rate_limit": "100000/minute"},
        headers=org.headers,
    )
    assert r.status_code == 200, r.text
    return {**org.headers, "X-Space-Id": str(made["id"])}


def credit_csv(n: int = 400, seed: int = 7) -> bytes:
    """A credit-style table: income, debt, age, a text column, and whether the client defaulted."""
    import numpy as np

    rng = np.random.default_rng(seed)
    income = rng.normal(5000, 1500, n).round(2)
    debt = rng.normal(2000, 900, n).round(2)
    age = rng.integers(18, 80, n)
    segment = rng.choice(["retail", "premium", "small_business"], n)
    logit = -1.0 + 0.0012 * (debt - 2000) - 0.0008 * (income - 5000) + (segment == "retail") * 0.7
    default = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    out = io.StringIO()
    out.write("income,debt,age,segment,default\n")
    for row in zip(income, debt, age, segment, default, strict=True):
        out.write(",".join(str(v) for v in row) + "\n")
    return out.getvalue().encode()
