"""What every provider adapter takes and returns.

Adapters speak one upstream wire protocol each and always answer in OpenAI's shapes, so the
gateway handles a single format. They know nothing of databases, spaces or entitlements: the
caller resolves the target and hands over an ``Upstream`` with the plaintext credential.
"""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx

from spacegate.gateway.providers.errors import (
    ProviderError,
    UpstreamResponseTooLarge,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from spacegate.gateway.providers.sse import error_event

Protocol = Literal["openai", "anthropic", "azure_openai"]
Endpoint = Literal["chat.completions", "completions", "embeddings"]

#: Upstream path of each endpoint for OpenAI-style servers.
OPENAI_PATHS: dict[str, str] = {
    "chat.completions": "/chat/completions",
    "completions": "/completions",
    "embeddings": "/embeddings",
}

#: A response bigger than this is cut off: no legitimate completion comes near it, and an
#: unbounded read would let a broken or hostile upstream exhaust the gateway's memory.
DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Timeouts:
    """Seconds. ``read`` bounds every wait for bytes (so also the first byte); ``total`` bounds the
    whole exchange, which is what stops an upstream that drips one byte at a time."""

    connect: float = 5.0
    read: float = 120.0
    total: float = 600.0

    def for_httpx(self) -> httpx.Timeout:
        return httpx.Timeout(self.read, connect=self.connect, pool=self.connect)


DEFAULT_TIMEOUTS = Timeouts()


@dataclass(frozen=True, slots=True)
class Upstream:
    """One provider target as the adapter needs it."""

    protocol: Protocol
    base_url: str
    #: Plaintext, already decrypted by the caller; kept out of ``repr`` so it never reaches logs.
    api_key: str | None = field(repr=False)
    upstream_model: str
    #: Protocol extras: ``api_version`` (Azure), ``headers`` (extra request headers),
    #: ``anthropic_version``, ``default_max_tokens`` (Anthropic).
    config: Mapping[str, Any] = field(default_factory=dict)
    timeouts: Timeouts = DEFAULT_TIMEOUTS
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES


@dataclass(frozen=True, slots=True)
class Usage:
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int
    #: True when upstream reported no (valid) usage and the figures are our estimate.
    estimated: bool = False


@dataclass(frozen=True, slots=True)
class ProviderResponse:
    """A complete, successful non-streaming answer in OpenAI's JSON shape."""

    status: int
    body: bytes
    usage: Usage
    media_type: str = "application/json"


class ProviderStream(ABC):
    """A successful streaming answer: iterate it for OpenAI-format SSE bytes.

    Errors after the response started (time or size cap, dropped connection, an upstream error
    event) cannot change the status any more: they end the stream with an OpenAI-style
    ``data: {"error": ...}`` event, which the official SDKs raise, and are kept in ``error``.
    ``usage`` is final once iteration ended or ``aclose()`` was called; after an early close it
    covers what was received (estimated when upstream had not reported it yet).
    """

    status = 200
    media_type = "text/event-stream"

    def __init__(
        self,
        response: httpx.Response,
        upstream: Upstream,
        deadline: float,
        estimate_prompt: Callable[[], int],
    ) -> None:
        self.error: ProviderError | None = None
        self._response = response
        self._upstream = upstream
        self._deadline = deadline
        self._estimate_prompt = estimate_prompt
        #: Usage as upstream reported it, when it did.
        self._reported: Usage | None = None
        #: Characters of generated output seen, for the estimate when upstream reports nothing.
        self._output_chars = 0
        self._chunks = self._run()

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._chunks

    @property
    def usage(self) -> Usage:
        if self._reported is not None:
            return self._reported
        prompt = self._estimate_prompt()
        completion = (self._output_chars + 3) // 4
        return Usage(prompt, completion, prompt + completion, estimated=True)

    async def aclose(self) -> None:
        """Stop reading and release the upstream connection (e.g. the client went away)."""
        try:
            await self._chunks.aclose()
        except RuntimeError:
            pass  # still being iterated by a task that is going away; the response is closed below
        finally:
            await self._response.aclose()

    @abstractmethod
    def _translate(self, upstream: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
        """Turn upstream bytes into OpenAI SSE bytes, recording usage on the way."""

    async def _run(self) -> AsyncGenerator[bytes, None]:
        try:
            async for out in self._translate(self._read()):
                yield out
        except ProviderError as exc:
            self.error = exc
            yield error_event(exc)
        finally:
            await self._response.aclose()

    async def _read(self) -> AsyncIterator[bytes]:
        """Decoded upstream bytes, within the total time and size caps."""
        source = self._response.aiter_bytes()
        limit = self._upstream.max_response_bytes
        received = 0
        while True:
            try:
                async with asyncio.timeout_at(self._deadline):
                    chunk = await anext(source)
            except StopAsyncIteration:
                return
            except (TimeoutError, httpx.TimeoutException):
                raise UpstreamTimeout("The upstream provider stopped responding in time.") from None
            except httpx.HTTPError:
                raise UpstreamUnavailable(
                    "The connection to the upstream provider broke off mid-stream."
                ) from None
            received += len(chunk)
            if received > limit:
                raise UpstreamResponseTooLarge(limit)
            yield chunk


ProviderResult = ProviderResponse | ProviderStream
