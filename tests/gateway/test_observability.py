"""What operators see: Prometheus metrics and the overhead header."""

from __future__ import annotations

import re

from tests.gateway.conftest import World

MSG = [{"role": "user", "content": "metrics please"}]


def _value(text: str, name: str, **labels: str) -> float:
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        if all(f'{k}="{v}"' in line for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


async def test_metrics_count_calls_tokens_and_overhead(world: World) -> None:
    before = (await world.api.get("/metrics")).text
    r = await world.api.post(
        "/v1/chat/completions", json={"model": world.alias, "messages": MSG}, headers=world.headers
    )
    assert r.status_code == 200
    assert re.fullmatch(r"\d+\.\d{3}", r.headers["X-Spacegate-Overhead-Ms"])
    assert r.headers["X-Request-ID"]
    after = (await world.api.get("/metrics")).text
    labels = {"gen_ai_operation_name": "chat.completions", "status": "success"}
    assert _value(after, "spacegate_gateway_requests_total", **labels) == (
        _value(before, "spacegate_gateway_requests_total", **labels) + 1
    )
    # The operation too: other tests call the same alias on other endpoints.
    model = {"gen_ai_request_model": world.alias, "gen_ai_operation_name": "chat.completions"}
    for name, extra in (
        ("gen_ai_client_token_usage_count", {"gen_ai_token_type": "input", **model}),
        ("gen_ai_client_operation_duration_seconds_count", model),
        ("spacegate_gateway_overhead_seconds_count", {}),
    ):
        assert _value(after, name, **extra) == _value(before, name, **extra) + 1, name
