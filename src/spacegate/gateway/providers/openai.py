"""The ``openai`` protocol: OpenAI and every server that speaks its API (vLLM, Ollama, LM Studio,
Together, Groq...). Requests and answers pass through; only ``model`` is rewritten.

``base_url`` is what the OpenAI SDK calls its base URL, ``/v1`` included
(``https://api.openai.com/v1``, ``http://localhost:11434/v1``).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import orjson

from spacegate.gateway.providers.base import (
    OPENAI_PATHS,
    Endpoint,
    ProviderResponse,
    ProviderResult,
    ProviderStream,
    Upstream,
)
from spacegate.gateway.providers.errors import UnsupportedByProvider, UpstreamBadResponse
from spacegate.gateway.providers.sse import EventBuffer, event_fields, output_chars, split_events
from spacegate.gateway.providers.transport import deadline_for, open_response, read_body
from spacegate.gateway.providers.usage import (
    estimate_completion,
    estimate_prompt,
    estimated,
    parse_usage,
)

# A usage object (not ``"usage":null``): the only chunks a passed-through stream is parsed for.
_USAGE = re.compile(rb'"usage"\s*:\s*\{')


async def send(
    client: httpx.AsyncClient,
    upstream: Upstream,
    endpoint: Endpoint,
    body: dict[str, Any],
    *,
    stream: bool,
) -> ProviderResult:
    headers = {"Content-Type": "application/json"}
    if upstream.api_key:
        headers["Authorization"] = f"Bearer {upstream.api_key}"
    url = upstream.base_url.rstrip("/") + OPENAI_PATHS[endpoint]
    return await exchange(client, upstream, endpoint, body, stream=stream, url=url, headers=headers)


async def exchange(
    client: httpx.AsyncClient,
    upstream: Upstream,
    endpoint: Endpoint,
    body: dict[str, Any],
    *,
    stream: bool,
    url: str,
    headers: dict[str, str],
) -> ProviderResult:
    """One OpenAI-format call; shared by every protocol that is OpenAI's API at another URL."""
    payload = dict(body)
    payload["model"] = upstream.upstream_model
    client_wants_usage = False
    if stream:
        if endpoint == "embeddings":
            raise UnsupportedByProvider("Embeddings cannot be streamed.", param="stream")
        options = payload.get("stream_options")
        options = options if isinstance(options, dict) else {}
        client_wants_usage = bool(options.get("include_usage"))
        # Always asked for, so every stream is metered from upstream's own count.
        payload["stream"] = True
        payload["stream_options"] = {**options, "include_usage": True}
    elif payload.get("stream"):
        payload["stream"] = False
        payload.pop("stream_options", None)

    deadline = deadline_for(upstream)
    response = await open_response(
        client,
        upstream,
        url,
        headers=headers,
        content=orjson.dumps(payload),
        deadline=deadline,
        stream=stream,
    )
    if stream:
        return OpenAIStream(
            response,
            upstream,
            deadline,
            lambda: estimate_prompt(endpoint, body),
            client_wants_usage=client_wants_usage,
        )
    try:
        raw = await read_body(response, upstream, deadline)
    finally:
        await response.aclose()
    try:
        answer = orjson.loads(raw)
    except orjson.JSONDecodeError:
        answer = None
    if not isinstance(answer, dict):
        raise UpstreamBadResponse("The upstream provider answered with a malformed body.")
    usage = parse_usage(answer.get("usage")) or estimated(
        estimate_prompt(endpoint, body), estimate_completion(endpoint, answer)
    )
    return ProviderResponse(response.status_code, raw, usage)


class OpenAIStream(ProviderStream):
    """Upstream SSE bytes forwarded as received, whole events at a time."""

    def __init__(self, *args: Any, client_wants_usage: bool) -> None:
        super().__init__(*args)
        self._client_wants_usage = client_wants_usage

    async def _translate(self, upstream: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
        events = EventBuffer()
        async for chunk in upstream:
            block = events.feed(chunk)
            if not block:
                continue
            self._output_chars += output_chars(block)
            if _USAGE.search(block) is not None:
                block = self._take_usage(block)
            if block:
                yield block
        rest = events.rest()
        if rest.strip():
            yield rest + b"\n\n"

    def _take_usage(self, block: bytes) -> bytes:
        kept: list[bytes] = []
        for event in split_events(block):
            if _USAGE.search(event) is not None:
                try:
                    chunk = orjson.loads(event_fields(event)[1])
                except orjson.JSONDecodeError:
                    chunk = None
                if isinstance(chunk, dict):
                    usage = parse_usage(chunk.get("usage"))
                    if usage is not None:
                        self._reported = usage
                    # The usage-only chunk exists because we asked for it, not the client.
                    if not self._client_wants_usage and not chunk.get("choices"):
                        continue
            kept.append(event)
        return b"".join(kept)
