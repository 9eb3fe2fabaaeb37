"""Every upstream failure becomes a typed error the gateway can act on (fall back or not), and
none of them lets the provider key out."""

from __future__ import annotations

import socket
from typing import Any

import httpx
import orjson
import pytest

from spacegate.gateway.providers import (
    Protocol,
    ProviderError,
    ProviderStream,
    Timeouts,
    Upstream,
    UpstreamAuthFailed,
    UpstreamBadResponse,
    UpstreamRateLimited,
    UpstreamRejected,
    UpstreamResponseTooLarge,
    UpstreamServerError,
    UpstreamTimeout,
    UpstreamUnavailable,
    send,
)
from tests.fakes.provider import FakeProvider
from tests.gateway.providers.conftest import KEY, upstream

PROTOCOLS: list[Protocol] = ["openai", "azure_openai", "anthropic"]
BODY = {"model": "alias", "messages": [{"role": "user", "content": "hello"}]}


async def _fail(
    http: httpx.AsyncClient,
    up: Upstream,
    *,
    stream: bool = False,
    body: dict[str, Any] | None = None,
) -> ProviderError:
    with pytest.raises(ProviderError) as caught:
        await send(http, up, "chat.completions", body or BODY, stream=stream)
    return caught.value


def _leaks(error: ProviderError) -> bool:
    text = orjson.dumps(error.body()).decode() + str(error.headers)
    return KEY in text or any(KEY[i : i + 8] in text for i in range(len(KEY) - 8))


@pytest.mark.parametrize("protocol", PROTOCOLS)
@pytest.mark.parametrize("stream", [False, True])
async def test_rate_limited_carries_retry_after(
    fake: FakeProvider, http: httpx.AsyncClient, protocol: Protocol, stream: bool
) -> None:
    error = await _fail(http, upstream(fake, protocol, "m+429"), stream=stream)
    assert isinstance(error, UpstreamRateLimited)
    assert error.retryable
    assert error.status == 429
    assert error.retry_after == 7
    assert error.headers["Retry-After"] == "7"
    assert error.body()["error"]["type"] == "rate_limit_error"


@pytest.mark.parametrize(
    ("protocol", "behaviour"), [(p, "500") for p in PROTOCOLS] + [("anthropic", "529")]
)
async def test_server_errors_are_retryable_502(
    fake: FakeProvider, http: httpx.AsyncClient, protocol: Protocol, behaviour: str
) -> None:
    error = await _fail(http, upstream(fake, protocol, f"m+{behaviour}"))
    assert isinstance(error, UpstreamServerError)
    assert error.retryable
    assert error.status == 502
    assert error.upstream_status == int(behaviour)


async def test_connect_error_is_retryable(http: httpx.AsyncClient) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound, never listening: connections are refused
        up = Upstream("openai", f"http://127.0.0.1:{port}/v1", KEY, "m")
        error = await _fail(http, up)
    assert isinstance(error, UpstreamUnavailable)
    assert error.retryable
    assert error.status == 502


@pytest.mark.parametrize("protocol", PROTOCOLS)
@pytest.mark.parametrize("stream", [False, True])
async def test_slow_first_byte_times_out(
    fake: FakeProvider, http: httpx.AsyncClient, protocol: Protocol, stream: bool
) -> None:
    up = upstream(
        fake, protocol, "m+slow-first-byte", timeouts=Timeouts(connect=2, read=0.2, total=30)
    )
    error = await _fail(http, up, stream=stream)
    assert isinstance(error, UpstreamTimeout)
    assert error.retryable
    assert error.status == 504


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_slow_drip_is_cut_at_the_total_time(
    fake: FakeProvider, http: httpx.AsyncClient, protocol: Protocol
) -> None:
    # Every gap is well within the read timeout; only the total cap can stop this.
    up = upstream(fake, protocol, "m+slow-drip", timeouts=Timeouts(connect=2, read=5, total=0.5))
    error = await _fail(http, up)
    assert isinstance(error, UpstreamTimeout)


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_slow_drip_stream_ends_with_a_timeout_error_event(
    fake: FakeProvider, http: httpx.AsyncClient, protocol: Protocol
) -> None:
    body = {"messages": [{"role": "user", "content": " ".join(["w"] * 40)}]}
    up = upstream(fake, protocol, "m+slow-drip", timeouts=Timeouts(connect=2, read=5, total=0.5))
    result = await send(http, up, "chat.completions", body, stream=True)
    assert isinstance(result, ProviderStream)
    raw = b"".join([chunk async for chunk in result])
    last = orjson.loads(raw.strip().split(b"\n\n")[-1][6:])
    assert last["error"]["code"] == "upstream_timeout"
    assert isinstance(result.error, UpstreamTimeout)
    assert result.usage.estimated
    assert result.usage.prompt_tokens > 0


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_garbage_body(
    fake: FakeProvider, http: httpx.AsyncClient, protocol: Protocol
) -> None:
    error = await _fail(http, upstream(fake, protocol, "m+garbage"))
    assert isinstance(error, UpstreamBadResponse)
    assert error.status == 502


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_huge_body_is_cut_at_the_size_cap(
    fake: FakeProvider, http: httpx.AsyncClient, protocol: Protocol
) -> None:
    # The fake sends 17 MiB; the default cap is 16 MiB.
    error = await _fail(http, upstream(fake, protocol, "m+huge"))
    assert isinstance(error, UpstreamResponseTooLarge)
    assert not error.retryable


async def test_stream_over_the_size_cap_ends_with_an_error_event(
    fake: FakeProvider, http: httpx.AsyncClient
) -> None:
    body = {"messages": [{"role": "user", "content": " ".join(["word"] * 200)}]}
    up = upstream(fake, "openai", "m", max_response_bytes=2048)
    result = await send(http, up, "chat.completions", body, stream=True)
    assert isinstance(result, ProviderStream)
    raw = b"".join([chunk async for chunk in result])
    assert len(raw) < 2048 + 1024
    assert isinstance(result.error, UpstreamResponseTooLarge)
    assert b"upstream_response_too_large" in raw


@pytest.mark.parametrize("protocol", PROTOCOLS)
@pytest.mark.parametrize("stream", [False, True])
async def test_redirects_are_not_followed(
    fake: FakeProvider, http: httpx.AsyncClient, protocol: Protocol, stream: bool
) -> None:
    error = await _fail(http, upstream(fake, protocol, "m+redirect"), stream=stream)
    assert isinstance(error, UpstreamBadResponse)
    assert error.upstream_status == 302
    assert fake.redirect_hits == 0


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_key_echoed_in_an_error_is_scrubbed(
    fake: FakeProvider, http: httpx.AsyncClient, protocol: Protocol
) -> None:
    error = await _fail(http, upstream(fake, protocol, "m+echo-key"))
    assert isinstance(error, UpstreamRejected)
    assert not error.retryable
    assert error.status == 400
    assert error.body()["error"]["type"] == "invalid_request_error"
    assert "Incorrect API key provided" in error.message
    assert "[redacted]" in error.message
    assert not _leaks(error)


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_refused_credential_is_not_the_clients_401(
    fake: FakeProvider, http: httpx.AsyncClient, protocol: Protocol
) -> None:
    error = await _fail(http, upstream(fake, protocol, "m+401"))
    assert isinstance(error, UpstreamAuthFailed)
    assert error.status == 502
    assert error.retryable
    assert not _leaks(error)


async def test_client_errors_pass_through(fake: FakeProvider, http: httpx.AsyncClient) -> None:
    error = await _fail(http, upstream(fake, "openai"), body={"model": "a", "messages": []})
    assert isinstance(error, UpstreamRejected)
    assert not error.retryable
    assert error.status == 400
    assert error.body()["error"]["message"] == "'messages' is a required property"


async def test_anthropic_client_errors_pass_through(
    fake: FakeProvider, http: httpx.AsyncClient
) -> None:
    up = upstream(fake, "anthropic", config={"anthropic_version": ""})
    body = {"messages": [{"role": "user", "content": "hi"}], "max_tokens": 5}
    # An empty version falls back to the default rather than being sent empty.
    result = await send(http, up, "chat.completions", body, stream=False)
    assert result.status == 200
    error = await _fail(http, upstream(fake, "anthropic"), body={"messages": []})
    assert isinstance(error, UpstreamRejected)
    assert error.body()["error"] == {
        "message": "messages: Field required",
        "type": "invalid_request_error",
        "param": None,
        "code": "upstream_rejected",
    }
