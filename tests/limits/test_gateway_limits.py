"""Gateway limits as a caller meets them: rates (429) and budgets (402) told apart, each refusal
naming its limit in OpenAI's error envelope, reservations that keep racing calls from
overspending, and ``GET /v1/me/entitlements`` saying what is left."""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from typing import Any

import httpx

from spacegate.config import Settings
from tests.limits.conftest import World
from tests.live import LiveServer

MSG = [{"role": "user", "content": "hello there"}]
SLOW = "fake-model+slow-first-byte"


async def _chat(world: World, alias: str, **extra: Any) -> httpx.Response:
    body = {"model": alias, "messages": MSG} | extra
    return await world.api.post("/v1/chat/completions", json=body, headers=world.headers)


async def _limits(world: World, alias: str, **limits: Any) -> None:
    r = await world.mechamental("PATCH", alias, workspace_limits=limits)
    assert r.status_code == 200, r.text


async def _slow_model(world: World) -> str:
    model = await world.model(
        f"slow-{uuid.uuid4().hex[:6]}",
        targets=[{"provider_id": world.provider_id, "upstream_model": SLOW}],
    )
    return str(model["alias"])


def _error(r: httpx.Response) -> dict[str, Any]:
    body: dict[str, Any] = r.json()["error"]
    assert set(body) == {"message", "type", "param", "code"}
    return body


async def test_rpm_refusal_is_a_429_naming_the_limit(world: World) -> None:
    await _limits(world, world.alias, rpm=3)
    ok = [await _chat(world, world.alias) for _ in range(3)]
    assert [r.status_code for r in ok] == [200, 200, 200]
    assert '"rpm";q=3;w=60' in ok[0].headers["RateLimit-Policy"]
    assert [re.search(r'"rpm";r=(\d+)', r.headers["RateLimit"]).group(1) for r in ok] == [  # type: ignore[union-attr]
        "2",
        "1",
        "0",
    ]
    refused = await _chat(world, world.alias)
    assert refused.status_code == 429
    err = _error(refused)
    assert err["type"] == "rate_limit_error" and err["code"] == "rate_limit_exceeded"
    assert "rpm (3 requests per minute)" in err["message"]
    wait = int(refused.headers["Retry-After"])
    assert 1 <= wait <= 20 and f"Retry after {wait} seconds" in err["message"]
    assert refused.headers["RateLimit"] == f'"rpm";r=0;t={wait}'


async def test_tpm_reserves_max_tokens_and_settles_to_real_usage(world: World) -> None:
    alias = await _slow_model(world)
    await _limits(world, alias, tpm=700)
    # Two calls in flight at once each reserve ~650 tokens: only one fits in 700.
    answers = await asyncio.gather(*(_chat(world, alias, max_tokens=640) for _ in range(2)))
    assert sorted(r.status_code for r in answers) == [200, 429]
    ok = next(r for r in answers if r.status_code == 200)
    assert '"tpm";q=700;w=60;sg-unit="tokens"' in ok.headers["RateLimit-Policy"]
    refused = next(r for r in answers if r.status_code == 429)
    assert "tpm (700 tokens per minute)" in _error(refused)["message"]
    # Once it ended, the call was settled to its real (small) usage: the next one fits again.
    assert (await _chat(world, alias, max_tokens=640)).status_code == 200


async def test_parallel_calls_against_a_budget_with_room_for_one_admit_exactly_one(
    world: World,
) -> None:
    alias = await _slow_model(world)
    # One call reserves its prompt estimate + 400 tokens: one fits in 600, two do not.
    await _limits(world, alias, token_budget={"limit": 600, "period": "day"})
    answers = await asyncio.gather(*(_chat(world, alias, max_tokens=400) for _ in range(8)))
    statuses = sorted(r.status_code for r in answers)
    assert statuses == [200] + [402] * 7
    refused = next(r for r in answers if r.status_code == 402)
    err = _error(refused)
    assert err["code"] == "token_budget_exhausted" and err["type"] == "insufficient_quota"
    assert "daily token budget of 600 tokens" in err["message"] and "resets at" in err["message"]


async def test_racing_calls_cannot_overspend_a_budget_whatever_their_prompts(
    world: World,
) -> None:
    """A prompt of 2,000 one-letter words is 2,000 tokens (as a real tokenizer counts it too),
    twice what a 4-bytes-per-token guess says: a budget still holds against 12 such calls at
    once, because it reserves the most a call can use."""
    alias = await _slow_model(world)
    budget = 12_300
    await _limits(world, alias, token_budget={"limit": budget, "period": "day"})
    prompt = [{"role": "user", "content": " ".join(["a"] * 2000)}]
    answers = await asyncio.gather(
        *(_chat(world, alias, messages=prompt, max_tokens=10) for _ in range(12))
    )
    ok = [r for r in answers if r.status_code == 200]
    assert {r.status_code for r in answers} == {200, 402}
    assert sum(r.json()["usage"]["total_tokens"] for r in ok) <= budget
    await asyncio.sleep(0.3)  # the meter writes the ledger every 50 ms
    r = await world.api.get("/v1/me/entitlements", headers=world.headers)
    used = next(i for i in r.json()["data"] if i["model"] == alias)["budgets"]["token_budget"]
    assert 0 < float(used["used"]) <= budget


async def test_a_stream_settles_to_its_real_usage_when_it_ends(world: World) -> None:
    """Streams are settled from the usage they report at their end: the budget keeps what was
    used (not the reservation), and ``tpm``, which reserves only an estimate of the prompt, is
    charged what the call used beyond it (2,000 one-letter words: twice the estimate)."""
    await _limits(world, world.alias, tpm=6000, token_budget={"limit": 100_000, "period": "day"})
    body = {
        "model": world.alias,
        "messages": [{"role": "user", "content": " ".join(["a"] * 2000)}],
        "max_tokens": 10,
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    async with world.api.stream(
        "POST", "/v1/chat/completions", json=body, headers=world.headers
    ) as resp:
        assert resp.status_code == 200
        text = (await resp.aread()).decode()
    started = time.monotonic()
    used = 2000 + 10  # the fake counts words: the prompt, and max_tokens of echo
    assert f'"total_tokens":{used}' in text.replace(" ", "")
    small = await _chat(world, world.alias, max_tokens=5)
    refill = (time.monotonic() - started + 0.05) * 6000 / 60
    reserved = int(re.search(r'"tpm";r=(\d+)', small.headers["RateLimit"]).group(1))  # type: ignore[union-attr]
    # What is left counts the stream's real usage (and the small call's own reservation).
    assert 6000 - used - 60 <= reserved <= 6000 - used + refill
    await asyncio.sleep(0.3)  # the meter writes the ledger every 50 ms
    r = await world.api.get("/v1/me/entitlements", headers=world.headers)
    budget = r.json()["data"][0]["budgets"]["token_budget"]
    assert float(budget["used"]) == used + small.json()["usage"]["total_tokens"]


async def test_budget_is_durable_and_survives_limit_changes_and_restarts(
    world: World, settings: Settings
) -> None:
    await _limits(world, world.alias, token_budget={"limit": 300, "period": "month"})
    # Spend it: each call reserves the most it could use (a token per byte of its request, about
    # 100, + max_tokens) but uses a handful (the fake counts words).
    spent = 0
    while (r := await _chat(world, world.alias, max_tokens=10)).status_code == 200:
        spent += r.json()["usage"]["total_tokens"]
        assert spent <= 300
    assert _error(r)["code"] == "token_budget_exhausted"
    await asyncio.sleep(0.3)  # the meter writes the ledger every 50 ms
    # A new limit does not reset what was used this month.
    await _limits(world, world.alias, token_budget={"limit": spent, "period": "month"})
    assert (await _chat(world, world.alias, max_tokens=1)).status_code == 402
    # A fresh instance (empty limiter state) reads the durable ledger: still spent.
    fresh = settings.model_copy(update={"allow_private_networks": True})
    with LiveServer(fresh) as other:
        async with httpx.AsyncClient(base_url=other.url, timeout=30) as api:
            r = await api.post(
                "/v1/chat/completions",
                json={"model": world.alias, "messages": MSG, "max_tokens": 1},
                headers=world.headers,
            )
    assert r.status_code == 402 and _error(r)["code"] == "token_budget_exhausted"
    # Raising the limit above what was used opens it again.
    await _limits(world, world.alias, token_budget={"limit": spent + 200, "period": "month"})
    assert (await _chat(world, world.alias, max_tokens=10)).status_code == 200


async def test_cost_budget_has_its_own_code(world: World) -> None:
    model = await world.model(
        f"priced-{uuid.uuid4().hex[:6]}",
        input_price_per_mtok="1000000",
        output_price_per_mtok="1000000",
    )
    alias = str(model["alias"])
    await _limits(world, alias, cost_budget={"limit": 5, "period": "week"})
    refused = await _chat(world, alias, max_tokens=10)
    assert refused.status_code == 402
    err = _error(refused)
    assert err["code"] == "cost_budget_exhausted" and "weekly cost budget of 5" in err["message"]


async def test_key_limits_rpm_and_concurrency(world: World) -> None:
    alias = await _slow_model(world)
    r = await world.api.post(
        "/v1/api-keys",
        json={"name": "capped", "space_id": world.space_id},
        headers=world.org.headers,
    )
    assert r.status_code == 201, r.text
    key, key_id = r.json()["key"], r.json()["id"]
    r = await world.api.put(
        f"/v1/api-keys/{key_id}/limits",
        json={"rpm": 100, "max_concurrency": 1},
        headers=world.org.headers,
    )
    assert r.status_code == 200 and r.json()["max_concurrency"] == 1
    headers = {"Authorization": f"Bearer {key}"}
    body = {"model": alias, "messages": MSG}
    answers = await asyncio.gather(
        *(world.api.post("/v1/chat/completions", json=body, headers=headers) for _ in range(3))
    )
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200, 429, 429]
    refused = next(a for a in answers if a.status_code == 429)
    assert _error(refused)["code"] == "concurrency_limit_exceeded"
    # The slot is given back when the call ends.
    assert (
        await world.api.post("/v1/chat/completions", json=body, headers=headers)
    ).status_code == 200
    ok = await world.api.post("/v1/chat/completions", json=body, headers=headers)
    assert '"key-rpm";q=100;w=60' in ok.headers["RateLimit-Policy"]


async def test_me_entitlements_says_what_is_left(world: World) -> None:
    await _limits(world, world.alias, rpm=10, token_budget={"limit": 5000, "period": "day"})
    used = 0
    for _ in range(2):
        used += (await _chat(world, world.alias, max_tokens=20)).json()["usage"]["total_tokens"]
    await asyncio.sleep(0.3)  # ledger write
    r = await world.api.get("/v1/me/entitlements", headers=world.headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["space_id"] == world.space_id and body["count"] == 1
    item = body["data"][0]
    assert item["model"] == world.alias and item["limits"]["rpm"] == 10
    rpm = item["rates"]["rpm"]
    assert rpm["limit"] == 10 and rpm["used"] == 2 and rpm["left"] == 8
    assert rpm["resets_at"].endswith("Z")
    budget = item["budgets"]["token_budget"]
    assert budget["period"] == "day" and float(budget["used"]) == used
    assert float(budget["left"]) == 5000 - used
    assert budget["window_start"].endswith("T00:00:00Z") and budget["resets_at"].endswith(
        "T00:00:00Z"
    )
    # No space: the caller must say which.
    r = await world.api.get("/v1/me/entitlements", headers=world.org.headers)
    assert r.status_code == 400 and r.json()["code"] == "space_required"


async def test_a_changed_limit_applies_to_the_next_call(world: World) -> None:
    """What a call may use is worked out once and reused; an admin's change is never late."""
    r = await world.api.post(
        "/v1/api-keys",
        json={"name": "changing", "space_id": world.space_id},
        headers=world.org.headers,
    )
    assert r.status_code == 201, r.text
    key_id = r.json()["id"]
    headers = {"Authorization": f"Bearer {r.json()['key']}"}

    async def chat() -> httpx.Response:
        body = {"model": world.alias, "messages": MSG, "max_tokens": 5}
        return await world.api.post("/v1/chat/completions", json=body, headers=headers)

    await _limits(world, world.alias, rpm=50)
    r = await chat()
    assert r.status_code == 200 and '"rpm";q=50;w=60' in r.headers["RateLimit-Policy"]
    await _limits(world, world.alias, rpm=1)
    refused = await chat()
    assert refused.status_code == 429
    assert "rpm (1 requests per minute)" in _error(refused)["message"]
    await _limits(world, world.alias, rpm=10**6)
    r = await chat()
    assert r.status_code == 200 and f'"rpm";q={10**6};w=60' in r.headers["RateLimit-Policy"]
    # A key limit set after the key was used applies to its next call, and so does its removal.
    r = await world.api.put(
        f"/v1/api-keys/{key_id}/limits", json={"rpm": 1}, headers=world.org.headers
    )
    assert r.status_code == 200, r.text
    r = await chat()
    assert r.status_code == 200 and '"key-rpm";q=1;w=60' in r.headers["RateLimit-Policy"]
    refused = await chat()
    assert refused.status_code == 429 and "key-rpm" in _error(refused)["message"]
    r = await world.api.put(
        f"/v1/api-keys/{key_id}/limits", json={"rpm": None}, headers=world.org.headers
    )
    assert r.status_code == 200, r.text
    r = await chat()
    assert r.status_code == 200 and "key-rpm" not in r.headers["RateLimit-Policy"]
    # No limits at all: no limit fields either.
    await _limits(world, world.alias)
    r = await chat()
    assert r.status_code == 200 and "RateLimit-Policy" not in r.headers
