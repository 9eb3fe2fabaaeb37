"""Schemathesis over the whole OpenAPI document, on each database: no server error, every answer
as documented (status, content type, headers, body), invalid input refused, authentication never
ignored, undeclared methods refused, and create -> read -> update -> delete sequences through
the schema's links. A fixed seed makes every run the same run."""

from __future__ import annotations

import asyncio
import copy
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from spacegate.config import Settings
from tests.factories import OrgCtx
from tests.fakes.provider import FakeProvider
from tests.guarantees import contract
from tests.guarantees.exposure import Scanner, capture_logs
from tests.guarantees.report import record
from tests.live import LiveServer

MAX_EXAMPLES = 10
PROVIDER_SECRET = "sk-contract-canary-7f3a9c2e5b1d4e6f8a0b"
STATEFUL_EXAMPLES = 60

#: Object lives walked through the schema's links by ``test_links_walk_a_whole_life``: each
#: step is the operation a link of the previous answer names, with the parameters it says.
LIVES = {
    "/v1/spaces": (
        {"name": "linked", "description": "walked through links"},
        {"name": "linked and renamed"},
    ),
    "/v1/providers": (
        {"name": "linked", "type": "openai", "base_url": "{upstream}/v1"},
        {"name": "linked-renamed"},
    ),
}


@pytest.fixture(scope="module")
def contract_server(settings: Settings) -> Iterator[LiveServer]:
    # The run makes thousands of calls a minute: a generous org request limit lets them reach
    # the routes' own logic (the 429 answer itself is checked below). Providers it creates point
    # at the fake provider on loopback.
    update = {"org_rate_limit": "1000000/minute", "allow_private_networks": True}
    with LiveServer(settings.model_copy(update=update)) as server:
        yield server


@pytest.fixture(scope="module")
def upstream() -> Iterator[FakeProvider]:
    with FakeProvider() as fake:
        yield fake


def _database(settings: Settings) -> str:
    return "sqlite" if (settings.database_url or "").startswith("sqlite") else "postgres"


async def test_schemathesis_finds_no_server_error_and_no_contract_violation(
    contract_server: LiveServer,
    upstream: FakeProvider,
    settings: Settings,
    org: OrgCtx,
    other_org: OrgCtx,
) -> None:
    spec = contract_server.app.openapi()
    async with httpx.AsyncClient(base_url=contract_server.url, headers=org.headers) as api:
        body = {"name": "seed", "type": "openai", "base_url": f"{upstream.url}/v1"}
        r = await api.post("/v1/providers", json={**body, "api_key": PROVIDER_SECRET})
        assert r.status_code == 201, r.text
        provider_id = r.json()["id"]
    cfg = contract.config(
        contract_server.url,
        org.key,
        org.org_id,
        max_examples=MAX_EXAMPLES,
        stateful_examples=STATEFUL_EXAMPLES,
        provider_url=f"{upstream.url}/v1",
        provider_id=provider_id,
    )
    scanner = Scanner(secrets={PROVIDER_SECRET})
    scanner.add_key(org.key)
    scanner.add_key(other_org.key)
    scanner.add_foreign("another org's", other_org.org_id, other_org.user_id)
    with capture_logs() as lines:
        outcome = await asyncio.to_thread(contract.run, spec, cfg, scanner)
    for line in lines:
        scanner.scan_log(line)
    record(
        "contract",
        database=_database(settings),
        cases=outcome.cases,
        server_errors=outcome.server_errors,
        conformance_failures=outcome.conformance_failures,
        links_followed=len(outcome.links_followed),
    )
    record(
        "exposure",
        bodies_scanned=scanner.bodies_scanned,
        log_lines_scanned=scanner.log_lines_scanned,
        leaks=len(scanner.leaks),
    )
    assert not outcome.errors, "\n".join(outcome.errors)
    assert not outcome.failures, "\n".join(outcome.failures[:30])
    assert not scanner.leaks, "\n".join(scanner.leaks[:30])
    # The run really ran: every phase produced cases and every check judged responses.
    for phase in ("examples", "coverage", "fuzzing", "stateful"):
        assert outcome.cases_by_phase[phase] > 0, outcome.cases_by_phase
    assert set(outcome.checks_run) == set(contract.CHECKS), outcome.checks_run
    # Which links the random walk takes depends on the seed's draws over the whole schema; that
    # every create's links lead through a whole life is checked deterministically below.
    creates = {link.split(" -> ", 1)[0] for link in outcome.links_followed}
    assert {"POST /v1/spaces", "POST /v1/providers"} <= creates, outcome.links_followed


def test_every_create_links_to_reading_changing_and_deleting_what_it_made(
    contract_server: LiveServer,
) -> None:
    spec = contract_server.app.openapi()
    for path, item in spec["paths"].items():
        post = item.get("post")
        if post is None:
            continue
        for sub_path, sub_item in spec["paths"].items():
            if not sub_path.startswith(path + "/{") or sub_path.count("/") != path.count("/") + 1:
                continue
            linked = {
                link["operationId"]
                for response in post["responses"].values()
                for link in response.get("links", {}).values()
            }
            wanted = {op["operationId"] for m, op in sub_item.items() if m != "post"}
            assert wanted <= linked, f"POST {path} does not link to {sorted(wanted - linked)}"


def _resolve(expression: str, path_params: dict[str, str], body: Any) -> str:
    """The two runtime expressions the schema's links use."""
    if expression.startswith("$response.body#/"):
        value = body
        for part in expression.removeprefix("$response.body#/").split("/"):
            value = value[part]
        return str(value)
    if expression.startswith("$request.path."):
        return path_params[expression.removeprefix("$request.path.")]
    raise AssertionError(f"unexpected link expression {expression!r}")


async def test_links_walk_a_whole_life(
    contract_server: LiveServer, upstream: FakeProvider, org: OrgCtx
) -> None:
    """Create, then only what the answers' links say: read, update, read again, delete; the
    deleted object is gone. Proves the links are right, whatever a random walk happens to take."""
    spec = copy.deepcopy(contract_server.app.openapi())
    operations = {
        op["operationId"]: (method.upper(), path)
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if isinstance(op, dict) and "operationId" in op
    }
    async with httpx.AsyncClient(base_url=contract_server.url, headers=org.headers) as api:
        for path, (create, update) in LIVES.items():
            body = {k: v.replace("{upstream}", upstream.url) for k, v in create.items()}
            response = await api.post(path, json=body)
            assert response.status_code == 201, response.text
            step: tuple[str, str, dict[str, str], str] = ("POST", path, {}, "201")
            walked = []
            for method, payload in (
                ("GET", None),
                ("PATCH", update),
                ("GET", None),
                ("DELETE", None),
            ):
                prev_method, prev_path, prev_params, status = step
                links = spec["paths"][prev_path][prev_method.lower()]["responses"][status]["links"]
                link = next(
                    link
                    for link in links.values()
                    if operations[link["operationId"]] == (method, f"{path}/{{id}}")
                )
                params = {
                    name: _resolve(expr, prev_params, response.json())
                    for name, expr in link["parameters"].items()
                }
                target = f"{path}/{{id}}"
                response = await api.request(
                    method, target.replace("{id}", params["id"]), json=payload
                )
                assert response.is_success, f"{method} {target}: {response.text}"
                walked.append(f"{method} {target}")
                if method == "PATCH":
                    assert response.json()["name"] == update["name"]
                step = (method, target, params, str(response.status_code))
            gone = await api.get(target.replace("{id}", params["id"]))
            assert gone.status_code == 404, gone.text
            assert walked == [f"{m} {path}/{{id}}" for m in ("GET", "PATCH", "GET", "DELETE")]


async def test_the_org_request_limit_answers_as_documented(
    contract_server: LiveServer, org: OrgCtx
) -> None:
    schema = schemathesis.openapi.from_dict(copy.deepcopy(contract_server.app.openapi()))
    operation = schema["/v1/spaces"]["GET"]
    async with httpx.AsyncClient(base_url=contract_server.url, headers=org.headers) as api:
        r = await api.put(f"/v1/orgs/{org.org_id}/rate-limit", json={"rate_limit": "2/minute"})
        assert r.status_code == 200, r.text
        answers = [await api.get("/v1/spaces") for _ in range(4)]
    limited = [r for r in answers if r.status_code == 429]
    assert limited, [r.status_code for r in answers]
    for response in limited:
        assert int(response.headers["retry-after"]) >= 1
        operation.Case().validate_response(
            response,
            checks=[
                status_code_conformance,
                content_type_conformance,
                response_headers_conformance,
                response_schema_conformance,
            ],
        )


async def test_text_postgresql_cannot_store_is_a_validation_error(
    contract_server: LiveServer, org: OrgCtx
) -> None:
    """Found by the run above: a NUL character in a body was a failed write (503) on PostgreSQL."""
    async with httpx.AsyncClient(base_url=contract_server.url, headers=org.headers) as api:
        r = await api.post("/v1/spaces", json={"name": "a\u0000b", "description": ""})
        assert r.status_code == 422, r.text
        assert r.json()["detail"][0]["type"] == "string_nul"
        r = await api.post(
            "/v1/spaces/" + str(uuid.uuid4()) + "/invite",
            json={"emails": ["x@example.com"], "roles": ["trainings:get\u0000"]},
        )
        assert r.status_code == 422, r.text
