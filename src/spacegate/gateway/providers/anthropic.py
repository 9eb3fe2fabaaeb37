"""The ``anthropic`` protocol: Chat Completions translated to the Messages API and back.

``base_url`` is Anthropic's API root (``https://api.anthropic.com``); a trailing ``/v1`` is
accepted too. Only chat completions exist there: completions and embeddings are refused.
"""

from __future__ import annotations

from typing import Any

import httpx
import orjson

from spacegate.gateway.providers.anthropic_request import DEFAULT_MAX_TOKENS, to_messages
from spacegate.gateway.providers.anthropic_response import (
    AnthropicStream,
    from_message,
    openai_usage,
    usage_of,
)
from spacegate.gateway.providers.base import Endpoint, ProviderResponse, ProviderResult, Upstream
from spacegate.gateway.providers.errors import UnsupportedByProvider, UpstreamBadResponse
from spacegate.gateway.providers.transport import deadline_for, open_response, read_body
from spacegate.gateway.providers.usage import estimate_completion, estimate_prompt, estimated

API_VERSION = "2023-06-01"


def url_for(upstream: Upstream) -> str:
    base = upstream.base_url.rstrip("/")
    return f"{base}/messages" if base.endswith("/v1") else f"{base}/v1/messages"


async def send(
    client: httpx.AsyncClient,
    upstream: Upstream,
    endpoint: Endpoint,
    body: dict[str, Any],
    *,
    stream: bool,
) -> ProviderResult:
    if endpoint != "chat.completions":
        raise UnsupportedByProvider(
            f"This model's provider (Anthropic) does not support the {endpoint} endpoint; "
            "use chat completions.",
            code="unsupported_endpoint",
        )
    config = upstream.config
    default_max = config.get("default_max_tokens")
    request = to_messages(
        {**body, "stream": stream},
        upstream.upstream_model,
        default_max if isinstance(default_max, int) and default_max > 0 else DEFAULT_MAX_TOKENS,
    )
    headers = {
        "Content-Type": "application/json",
        "anthropic-version": str(config.get("anthropic_version") or API_VERSION),
    }
    if upstream.api_key:
        headers["x-api-key"] = upstream.api_key
    deadline = deadline_for(upstream)
    response = await open_response(
        client,
        upstream,
        url_for(upstream),
        headers=headers,
        content=orjson.dumps(request),
        deadline=deadline,
        stream=stream,
    )
    if stream:
        options = body.get("stream_options")
        return AnthropicStream(
            response,
            upstream,
            deadline,
            lambda: estimate_prompt(endpoint, body),
            client_wants_usage=isinstance(options, dict) and bool(options.get("include_usage")),
        )
    try:
        raw = await read_body(response, upstream, deadline)
    finally:
        await response.aclose()
    try:
        message = orjson.loads(raw)
    except orjson.JSONDecodeError:
        message = None
    if not isinstance(message, dict) or message.get("type") != "message":
        raise UpstreamBadResponse("The upstream provider answered with a malformed body.")
    answer = from_message(message)
    usage = usage_of(message.get("usage")) or estimated(
        estimate_prompt(endpoint, body), estimate_completion(endpoint, answer)
    )
    answer["usage"] = openai_usage(usage)
    return ProviderResponse(response.status_code, orjson.dumps(answer), usage)
