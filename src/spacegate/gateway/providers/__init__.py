"""Provider adapters: one per upstream wire protocol, all answering in OpenAI's shapes.

``send`` picks the adapter for ``upstream.protocol``. Nothing here touches the database.
"""

from __future__ import annotations

from typing import Any

import httpx

from spacegate.gateway.providers import anthropic, azure, openai
from spacegate.gateway.providers.base import (
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_TIMEOUTS,
    Endpoint,
    Protocol,
    ProviderResponse,
    ProviderResult,
    ProviderStream,
    Timeouts,
    Upstream,
    Usage,
)
from spacegate.gateway.providers.errors import (
    ProviderError,
    UnsupportedByProvider,
    UpstreamAuthFailed,
    UpstreamBadResponse,
    UpstreamRateLimited,
    UpstreamRejected,
    UpstreamResponseTooLarge,
    UpstreamServerError,
    UpstreamTimeout,
    UpstreamUnavailable,
)

ADAPTERS = {
    "openai": openai.send,
    "anthropic": anthropic.send,
    "azure_openai": azure.send,
}


async def send(
    client: httpx.AsyncClient,
    upstream: Upstream,
    endpoint: Endpoint,
    body: dict[str, Any],
    *,
    stream: bool,
) -> ProviderResult:
    adapter = ADAPTERS.get(upstream.protocol)
    if adapter is None:
        raise UnsupportedByProvider(
            f"Unknown provider protocol '{upstream.protocol}'.", status=502, code="unknown_protocol"
        )
    return await adapter(client, upstream, endpoint, body, stream=stream)


__all__ = [
    "ADAPTERS",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_TIMEOUTS",
    "Endpoint",
    "Protocol",
    "ProviderError",
    "ProviderResponse",
    "ProviderResult",
    "ProviderStream",
    "Timeouts",
    "UnsupportedByProvider",
    "Upstream",
    "UpstreamAuthFailed",
    "UpstreamBadResponse",
    "UpstreamRateLimited",
    "UpstreamRejected",
    "UpstreamResponseTooLarge",
    "UpstreamServerError",
    "UpstreamTimeout",
    "UpstreamUnavailable",
    "Usage",
    "send",
]
