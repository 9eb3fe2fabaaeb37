"""Querying endpoints: the model's answer through the gateway, streaming, who may query, and
the policies (access, rate_limit, pii_filter) with what each decided."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import orjson

from tests.factories import invite_and_accept, make_key
from tests.syft.conftest import Caller


async def _summary_endpoint(
    caller: Caller, slug: str = "helpdesk", **fields: Any
) -> dict[str, Any]:
    model = await caller.model("chat", system_prompt="Be brief.")
    return await caller.endpoint(
        slug, model_id=model["id"], response_type="summary", published=True, **fields
    )


async def _policy(caller: Caller, ep: dict[str, Any], kind: str, conf: dict[str, Any]) -> None:
    r = await caller.post(
        "/api/v1/policies/",
        {
            "name": f"{kind}-policy",
            "policy_type": kind,
            "configuration": conf,
            "endpoint_id": ep["id"],
        },
    )
    assert r.status_code == 201, r.text


async def _ask(
    caller: Caller, slug: str, body: dict[str, Any], headers: dict[str, str] | None = None
) -> httpx.Response:
    return await caller.http.post(
        f"/api/v1/endpoints/{slug}/query", json=body, headers=headers or caller.headers
    )


async def _logs(caller: Caller, n: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for _ in range(200):  # the meter writes in batches, off the request path
        r = await caller.http.get("/v1/inference-logs", headers=caller.org.headers)
        rows = r.json()["data"]
        if len(rows) >= n:
            return rows
        await asyncio.sleep(0.05)
    raise AssertionError(f"expected {n} log rows, got {len(rows)}")


async def test_summary_answer_through_the_gateway(caller: Caller) -> None:
    await _summary_endpoint(caller)
    r = await _ask(caller, "helpdesk", {"messages": "How many leave days?"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"summary", "policy_metadata"}
    summary = body["summary"]
    assert summary["model"] == "chat"
    assert summary["message"] == {"role": "assistant", "content": "Echo: How many leave days?"}
    assert summary["finish_reason"] == "stop"
    assert (
        summary["usage"]["total_tokens"]
        == (summary["usage"]["prompt_tokens"] + summary["usage"]["completion_tokens"])
        > 0
    )
    assert body["policy_metadata"] == {"outcome": "allowed", "entries": []}

    sent = caller.fake.last.json()
    assert sent["model"] == "fake-model"
    assert sent["messages"][0] == {"role": "system", "content": "Be brief."}
    assert sent["max_tokens"] == 100 and sent["temperature"] == 0.7

    rows = await _logs(caller, 1)
    assert (rows[0]["step_type"], rows[0]["purpose"]) == ("inference", "helpdesk")


async def test_conversation_and_parameters(caller: Caller) -> None:
    await _summary_endpoint(caller)
    r = await _ask(
        caller,
        "helpdesk",
        {
            "messages": [
                {"role": "user", "content": "Hi"},
                {"role": "assistant", "content": "Hello"},
                {"role": "user", "content": "And pay day?"},
            ],
            "max_tokens": 20,
            "temperature": 0,
            "stop_sequences": ["\n\n"],
        },
    )
    assert r.status_code == 200, r.text
    assert r.json()["summary"]["message"]["content"] == "Echo: And pay day?"
    sent = caller.fake.last.json()
    assert (sent["max_tokens"], sent["temperature"], sent["stop"]) == (20, 0, ["\n\n"])
    assert len(sent["messages"]) == 4


async def test_stream(caller: Caller) -> None:
    await _summary_endpoint(caller)
    r = await _ask(caller, "helpdesk", {"messages": "stream this please", "stream": True})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/event-stream")
    events = [line[6:] for line in r.text.split("\n\n") if line.startswith("data: ")]
    assert events[-1] == "[DONE]"
    parsed = [orjson.loads(e) for e in events[:-1]]
    deltas = "".join(e["content"] for e in parsed if e["type"] == "delta")
    assert deltas == "Echo: stream this please"
    final = parsed[-1]
    assert final["type"] == "summary"
    assert final["summary"]["message"]["content"] == deltas
    assert final["policy_metadata"]["outcome"] == "allowed"


async def test_unknown_and_unpublished(caller: Caller) -> None:
    r = await _ask(caller, "nothing-here", {"messages": "x"})
    assert r.status_code == 404
    assert r.json()["detail"] == "Endpoint 'nothing-here' not found"
    model = await caller.model()
    await caller.endpoint("draft", model_id=model["id"], response_type="summary")
    # The space's admins may try it out; others may not.
    r = await _ask(caller, "draft", {"messages": "x"})
    assert r.status_code == 200, r.text
    member = await invite_and_accept(
        caller.http, caller.org, caller.space_id, "dev@example.com", []
    )
    dev = {"Authorization": f"Bearer {member['api_key']}", "X-Space-Id": caller.space_id}
    r = await _ask(caller, "draft", {"messages": "x"}, dev)
    assert r.status_code == 403, r.text
    r = await caller.http.post("/api/v1/endpoints/draft/publish", headers=caller.headers)
    r = await _ask(caller, "draft", {"messages": "x"}, dev)
    assert r.status_code == 200, r.text
    # A key without the permission to query.
    key, _ = await make_key(caller.http, caller.org, permissions=["endpoints:get"])
    r = await _ask(
        caller,
        "draft",
        {"messages": "x"},
        {"Authorization": f"Bearer {key}", "X-Space-Id": caller.space_id},
    )
    assert r.status_code == 403
    r = await _ask(caller, "draft", {"messages": "x"}, caller.org.headers)
    assert r.status_code == 400 and r.json()["code"] == "space_required"


async def test_access_policy(caller: Caller) -> None:
    ep = await _summary_endpoint(caller)
    owner = f"owner@{caller.org.name}.example.com"
    await _policy(caller, ep, "access", {"allow": ["*@*.example.com"], "deny": ["*"]})
    r = await _ask(caller, "helpdesk", {"messages": "x"})
    assert r.status_code == 200, r.text
    entry = r.json()["policy_metadata"]["entries"][0]
    assert (entry["policy_type"], entry["status"]) == ("access", "allowed")
    assert entry["reason"] == "allowed by '*@*.example.com'"

    # A second access policy: its exact deny is more specific than the glob allow.
    await _policy(caller, ep, "access", {"deny": [owner]})
    r = await _ask(caller, "helpdesk", {"messages": "x"})
    assert r.status_code == 403, r.text
    detail = r.json()["detail"]
    assert detail.startswith("Policy 'access' blocked request: {")
    assert owner in detail
    assert r.json()["policy_metadata"]["outcome"] == "blocked"


async def test_access_tie_is_a_deny_and_keys_are_most_specific(caller: Caller) -> None:
    ep = await _summary_endpoint(caller)
    owner = f"owner@{caller.org.name}.example.com"
    key, made = await make_key(caller.http, caller.org)
    by_key = {"Authorization": f"Bearer {key}", "X-Space-Id": caller.space_id}
    await _policy(
        caller, ep, "access", {"allow": [owner], "deny": [owner], "allow_api_keys": [made["id"]]}
    )
    r = await _ask(caller, "helpdesk", {"messages": "x"})
    assert r.status_code == 403, r.text
    r = await _ask(caller, "helpdesk", {"messages": "x"}, by_key)
    assert r.status_code == 200, r.text


async def test_access_allow_list_refuses_the_unlisted(caller: Caller) -> None:
    ep = await _summary_endpoint(caller)
    await _policy(caller, ep, "access", {"allow": ["*@partner.org"]})
    r = await _ask(caller, "helpdesk", {"messages": "x"})
    assert r.status_code == 403
    assert "matches no allow rule" in r.json()["detail"]


async def test_rate_limit_per_user(caller: Caller) -> None:
    ep = await _summary_endpoint(caller)
    await _policy(caller, ep, "rate_limit", {"limit": "2/m"})
    await _policy(caller, ep, "rate_limit", {"limit": "100/h", "applied_to": ["nobody@else.org"]})
    for _ in range(2):
        r = await _ask(caller, "helpdesk", {"messages": "x"})
        assert r.status_code == 200, r.text
    statuses = [e["status"] for e in r.json()["policy_metadata"]["entries"]]
    assert sorted(statuses) == ["allowed", "skipped"]
    r = await _ask(caller, "helpdesk", {"messages": "x"})
    assert r.status_code == 429, r.text
    wait = int(r.headers["Retry-After"])
    assert 1 <= wait <= 60
    assert r.json()["detail"] == f"Rate limit exceeded. Retry after {wait} seconds."
    # Another user has their own allowance.
    member = await invite_and_accept(
        caller.http, caller.org, caller.space_id, "dev@example.com", []
    )
    dev = {"Authorization": f"Bearer {member['api_key']}", "X-Space-Id": caller.space_id}
    r = await _ask(caller, "helpdesk", {"messages": "x"}, dev)
    assert r.status_code == 200, r.text


async def test_rate_limit_global(caller: Caller) -> None:
    ep = await _summary_endpoint(caller)
    await _policy(caller, ep, "rate_limit", {"limit": "1/h", "scope": "global"})
    r = await _ask(caller, "helpdesk", {"messages": "x"})
    assert r.status_code == 200
    member = await invite_and_accept(
        caller.http, caller.org, caller.space_id, "dev@example.com", []
    )
    dev = {"Authorization": f"Bearer {member['api_key']}", "X-Space-Id": caller.space_id}
    r = await _ask(caller, "helpdesk", {"messages": "x"}, dev)
    assert r.status_code == 429
    assert int(r.headers["Retry-After"]) > 60


async def test_pii_filter_masks_the_answer(caller: Caller) -> None:
    ep = await _summary_endpoint(caller)
    await _policy(caller, ep, "pii_filter", {})
    caller.fake.responder = lambda body: (
        "Contact ana@example.com, card 4111 1111 1111 1111 (order 4111 1111 1111 1112), "
        "CPF 529.982.247-25."
    )
    r = await _ask(caller, "helpdesk", {"messages": "who pays?"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["summary"]["message"]["content"] == (
        "Contact [EMAIL], card [CARD] (order 4111 1111 1111 1112), CPF [CPF]."
    )
    entry = body["policy_metadata"]["entries"][0]
    assert (entry["policy_type"], entry["kind"], entry["status"]) == (
        "pii_filter",
        "post",
        "applied",
    )
    assert entry["details"]["masked"] == {"answer": {"email": 1, "card": 1, "cpf": 1}}

    # Streamed, the masked answer comes whole.
    r = await _ask(caller, "helpdesk", {"messages": "who pays?", "stream": True})
    events = [orjson.loads(line[6:]) for line in r.text.split("\n\n") if line.startswith("data: {")]
    deltas = [e["content"] for e in events if e["type"] == "delta"]
    assert deltas == ["Contact [EMAIL], card [CARD] (order 4111 1111 1111 1112), CPF [CPF]."]


async def test_pii_filter_on_the_question(caller: Caller) -> None:
    ep = await _summary_endpoint(caller)
    await _policy(caller, ep, "pii_filter", {"apply_to": ["question"], "detectors": ["iban"]})
    r = await _ask(caller, "helpdesk", {"messages": "Is GB82 WEST 1234 5698 7654 32 mine?"})
    assert r.status_code == 200, r.text
    assert caller.fake.last.json()["messages"][-1]["content"] == "Is [IBAN] mine?"
    entry = r.json()["policy_metadata"]["entries"][0]
    assert entry["details"]["masked"] == {"question": {"iban": 1}}


async def test_pii_names_by_the_model(caller: Caller) -> None:
    ep = await _summary_endpoint(caller)
    await _policy(caller, ep, "pii_filter", {"detect_names": True})

    def answer(body: dict[str, Any]) -> str:
        if body.get("response_format"):
            return '{"names": ["Maria Silva"]}'
        return "Maria Silva approves leave."

    caller.fake.responder = answer
    r = await _ask(caller, "helpdesk", {"messages": "who approves?"})
    assert r.status_code == 200, r.text
    assert r.json()["summary"]["message"]["content"] == "[NAME] approves leave."


HANDBOOK = {
    "leave.md": b"# Leave\nStaff take twenty five holiday days each year, booked ahead.",
    "pay.md": b"# Pay\nSalaries are paid on the last working day of each month by transfer.",
    "kit.md": b"# Equipment\nEvery new starter receives a laptop and a headset on day one.",
}


async def _handbook(caller: Caller) -> str:
    """A dataset of a few real documents, ingested; its id."""
    r = await caller.post(
        "/api/v1/datasets/", {"name": "handbook", "dtype": "local_file", "configuration": {}}
    )
    assert r.status_code == 201, r.text
    dataset = r.json()
    for filename, data in HANDBOOK.items():
        r = await caller.http.post(
            "/api/v1/datasets/handbook/documents",
            files={"file": (filename, data)},
            headers=caller.headers,
        )
        assert r.status_code in (201, 202), r.text
    for _ in range(400):
        status = (
            await caller.http.get(
                f"/api/v1/ingestion/datasets/{dataset['id']}/status", headers=caller.headers
            )
        ).json()
        if status["status"] != "indexing":
            break
        await asyncio.sleep(0.05)
    assert status["status"] == "ready", status
    return str(dataset["id"])


async def test_raw_answers_the_references_and_both_cites_them(caller: Caller) -> None:
    dataset_id = await _handbook(caller)
    await caller.endpoint("search", dataset_id=dataset_id, response_type="raw", published=True)
    r = await _ask(caller, "search", {"messages": "When are salaries paid?", "limit": 2})
    assert r.status_code == 200, r.text
    body = r.json()
    assert "summary" not in body or body["summary"] is None
    docs = body["references"]["documents"]
    assert docs and "last working day" in docs[0]["content"]
    assert docs[0]["similarity_score"] > 0
    assert caller.fake.requests == []  # raw: search only, no model call

    # The dataset says which endpoints search it.
    got = (await caller.http.get("/api/v1/datasets/handbook", headers=caller.headers)).json()
    assert [e["slug"] for e in got["connected_endpoints"]] == ["search"]

    model = await caller.model("chat")
    await caller.endpoint(
        "rag", dataset_id=dataset_id, model_id=model["id"], response_type="both", published=True
    )
    caller.fake.responder = lambda _body: "On the last working day of each month."
    r = await _ask(caller, "rag", {"messages": "When are salaries paid?", "limit": 2})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["summary"]["message"]["content"] == "On the last working day of each month."
    refs = body["references"]["documents"]
    assert "last working day" in refs[0]["content"]
    # The model was given the references as context, each with its document id to cite.
    [sent] = [orjson.loads(q.body) for q in caller.fake.requests]
    context = "\n".join(m["content"] for m in sent["messages"] if m["role"] == "system")
    assert f"[{refs[0]['document_id']}]" in context
    assert "last working day" in context

    # A deleted dataset leaves the endpoints, without one: a clear 422, not a 500.
    assert (
        await caller.http.delete("/api/v1/datasets/handbook", headers=caller.headers)
    ).status_code == 200
    r = await _ask(caller, "search", {"messages": "When are salaries paid?"})
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "dataset_required"


async def test_a_query_must_ask_something(caller: Caller) -> None:
    await _summary_endpoint(caller)
    for messages in (
        [],
        [{"role": "system", "content": "x"}],
        "",
        [{"role": "tool", "content": "x"}],
    ):
        r = await _ask(caller, "helpdesk", {"messages": messages})
        assert r.status_code == 422, (messages, r.text)
