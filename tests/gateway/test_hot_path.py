"""Inference calls skip the app's routing (``HotPathMiddleware``) but keep what the full stack
gives them: request ids, CORS for browsers, the overhead header, the route's own errors."""

from __future__ import annotations

from tests.gateway.conftest import World

MSG = [{"role": "user", "content": "hi"}]
ORIGIN = "http://localhost:5173"  # the default allowed origin


async def test_a_gateway_call_echoes_its_request_id_and_reports_its_overhead(world: World) -> None:
    r = await world.api.post(
        "/v1/chat/completions",
        json={"model": world.alias, "messages": MSG},
        headers={**world.headers, "X-Request-ID": "call-42"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["choices"][0]["message"]["content"] == "Echo: hi"
    assert r.headers["x-request-id"] == "call-42"
    assert float(r.headers["x-spacegate-overhead-ms"]) >= 0


async def test_browser_calls_still_get_cors_headers(world: World) -> None:
    r = await world.api.post(
        "/v1/chat/completions",
        json={"model": world.alias, "messages": MSG},
        headers={**world.headers, "Origin": ORIGIN},
    )
    assert r.status_code == 200, r.text
    assert r.headers["access-control-allow-origin"] == ORIGIN
    assert "x-request-id" in r.headers["access-control-expose-headers"].lower()

    preflight = await world.api.options(
        "/v1/chat/completions",
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type,x-space-id",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == ORIGIN


async def test_errors_keep_the_openai_envelope_and_other_methods_are_routed_as_before(
    world: World,
) -> None:
    r = await world.api.post(
        "/v1/embeddings", content=b"not json", headers={**world.headers, "X-Request-ID": "bad-1"}
    )
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "invalid_json"
    assert r.headers["x-request-id"] == "bad-1"
    # Only POST is served by the hot path: other methods get the router's usual answer.
    assert (await world.api.get("/v1/chat/completions", headers=world.headers)).status_code == 405
    # As does a path that is not exactly a hot route: the router's trailing-slash redirect.
    r = await world.api.post(
        "/v1/chat/completions/", json={"model": world.alias, "messages": MSG}, headers=world.headers
    )
    assert r.status_code == 307
    assert r.headers["location"].endswith("/v1/chat/completions")
