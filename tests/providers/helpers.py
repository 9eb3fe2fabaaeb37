"""Helpers shared by the provider and registry tests: fake DNS and provider factories."""

from __future__ import annotations

import socket
from typing import Any

import httpx

from tests.factories import OrgCtx

#: Public addresses the fake DNS answers for the usual provider hosts.
PUBLIC_DNS: dict[str, list[str]] = {
    "api.openai.com": ["162.159.140.245", "2606:4700:4400::ac40:9bd1"],
    "api.anthropic.com": ["160.79.104.10"],
    "example-resource.openai.azure.com": ["20.43.132.130"],
}


class FakeDns:
    """A resolver that answers from a table and records what it was asked."""

    def __init__(self, answers: dict[str, list[str]] | None = None) -> None:
        self.answers = dict(PUBLIC_DNS if answers is None else answers)
        self.asked: list[str] = []

    async def __call__(self, host: str, port: int) -> list[str]:
        self.asked.append(host)
        if host not in self.answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return self.answers[host]


async def make_provider(client: httpx.AsyncClient, org: OrgCtx, **fields: Any) -> dict[str, Any]:
    body = {
        "name": "openai",
        "type": "openai",
        "base_url": "https://api.openai.com/v1",
        "api_key": "sk-test-0123456789abcdef",
        **fields,
    }
    r = await client.post("/v1/providers", json=body, headers=org.headers)
    assert r.status_code == 201, r.text
    created: dict[str, Any] = r.json()
    return created
