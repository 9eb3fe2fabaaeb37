"""RAG endpoints benchmark: what an endpoint's query adds above the model call it makes.

``spacegate serve`` (embedded SQLite, one worker) and the fake provider answering at once, each
its own process. Timed, one call at a time: the model call straight through the gateway
(``POST /v1/chat/completions``), the same call as a ``summary`` endpoint's query, and the query
of an endpoint behind three policies (access, rate_limit, pii_filter). The difference is the
endpoint's own cost: lookups, policies, the answer's shape.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench import gateway_procs as procs

CALLS = int(os.environ.get("BENCH_ENDPOINT_CALLS", "300"))


def _ok(r: httpx.Response) -> Any:
    assert r.is_success, r.text
    return r.json()


def _setup(api: httpx.Client, upstream: str, key: str) -> dict[str, str]:
    owner = {"Authorization": f"Bearer {key}"}
    space = _ok(api.post("/v1/spaces", json={"name": "bench", "description": ""}, headers=owner))
    here = {**owner, "X-Space-Id": space["id"]}
    provider = _ok(
        api.post(
            "/v1/providers",
            json={"name": "fake", "type": "openai", "base_url": f"{upstream}/v1", "api_key": "k"},
            headers=owner,
        )
    )
    body = {"alias": "bench-chat", "provider_id": provider["id"], "upstream_model": "fake-model"}
    model = _ok(api.post("/v1/tenant-models", json=body, headers=owner))
    tenant_model_id = model["tenant_model_id"]
    view = {"name": "chat", "tenant_model_id": tenant_model_id}
    syft = _ok(api.post("/api/v1/models/", json=view, headers=here))
    for slug in ("plain", "guarded"):
        endpoint = {"name": slug, "slug": slug, "model_id": syft["id"], "response_type": "summary"}
        made = _ok(api.post("/api/v1/endpoints/", json=endpoint, headers=here))
    for kind, conf in (
        ("access", {"allow": ["*@example.com"]}),
        ("rate_limit", {"limit": "1000000/m"}),
        ("pii_filter", {}),
    ):
        policy = {
            "name": kind,
            "policy_type": kind,
            "configuration": conf,
            "endpoint_id": made["id"],
        }
        _ok(api.post("/api/v1/policies/", json=policy, headers=here))
    r = api.put(
        f"/v1/orgs/{_ok(api.get('/v1/users/me', headers=owner))['org_id']}/rate-limit",
        json={"rate_limit": "10000000/hour"},
        headers=owner,
    )
    _ok(r)
    return here


def _time(
    api: httpx.Client, path: str, body: dict[str, Any], headers: dict[str, str]
) -> list[float]:
    for _ in range(20):  # warm caches and connections
        _ok(api.post(path, json=body, headers=headers))
    out = []
    for _ in range(CALLS):
        start = time.perf_counter()
        _ok(api.post(path, json=body, headers=headers))
        out.append((time.perf_counter() - start) * 1000)
    return out


def _p(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1]


def run_endpoints_bench() -> str:
    with tempfile.TemporaryDirectory() as tmp:
        work, data = Path(tmp), Path(tmp) / "data"
        data.mkdir()
        with procs.fake_provider(work) as upstream:
            made = procs.bootstrap(data)
            with (
                procs.spacegate(work, data) as server,
                httpx.Client(base_url=server.url, timeout=30) as api,
            ):
                here = _setup(api, upstream.url, made["api_key"])
                question = "What does the handbook say about leave?"
                direct = _time(
                    api,
                    "/v1/chat/completions",
                    {
                        "model": "bench-chat",
                        "messages": [{"role": "user", "content": question}],
                        "max_tokens": 100,
                        "temperature": 0.7,
                    },
                    here,
                )
                plain = _time(api, "/api/v1/endpoints/plain/query", {"messages": question}, here)
                guarded = _time(
                    api, "/api/v1/endpoints/guarded/query", {"messages": question}, here
                )
    rows = [
        ("model call (gateway)", direct),
        ("summary query", plain),
        ("summary + 3 policies", guarded),
    ]
    base = statistics.median(direct)
    lines = [
        "## RAG endpoints",
        "",
        f"{CALLS} sequential calls each, after 20 warm-up calls; fake provider answering at once;",
        "embedded SQLite, one worker. Overhead: the p50 above the gateway's own p50.",
        "",
        "| call | p50 ms | p95 ms | overhead p50 ms |",
        "|---|---|---|---|",
    ]
    for name, values in rows:
        p50 = statistics.median(values)
        lines.append(f"| {name} | {p50:.2f} | {_p(values, 95):.2f} | {p50 - base:+.2f} |")
    lines.append("")
    lines.append("`raw` and `both` need the space's datasets (their search is timed with them).")
    lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    print(run_endpoints_bench())
