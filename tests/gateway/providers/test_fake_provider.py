"""The fake provider speaks the real OpenAI wire format: the official SDK reads it unmodified."""

from __future__ import annotations

from collections.abc import AsyncIterator

import openai
import pytest

from tests.fakes.provider import FakeProvider


@pytest.fixture
async def sdk(fake: FakeProvider) -> AsyncIterator[openai.AsyncOpenAI]:
    client = openai.AsyncOpenAI(base_url=f"{fake.url}/v1", api_key="sk-test", max_retries=0)
    async with client:
        yield client


async def test_chat_completion(sdk: openai.AsyncOpenAI) -> None:
    reply = await sdk.chat.completions.create(
        model="gpt-fake", messages=[{"role": "user", "content": "hello world"}]
    )
    assert reply.choices[0].message.content == "Echo: hello world"
    assert reply.usage is not None
    assert reply.usage.completion_tokens == 3


async def test_stream_with_usage(sdk: openai.AsyncOpenAI) -> None:
    stream = await sdk.chat.completions.create(
        model="gpt-fake",
        messages=[{"role": "user", "content": "hello world"}],
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = [chunk async for chunk in stream]
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == (
        "Echo: hello world"
    )
    assert chunks[-1].choices == []
    assert chunks[-1].usage is not None
    assert chunks[-1].usage.total_tokens == 5


async def test_embeddings_and_models(sdk: openai.AsyncOpenAI) -> None:
    # The SDK asks for base64 unless told otherwise, and decodes it.
    result = await sdk.embeddings.create(model="text-embedding-fake", input=["a b", "c"])
    assert [len(item.embedding) for item in result.data] == [8, 8]
    assert result.usage.prompt_tokens == 3
    models = [m.id async for m in sdk.models.list()]
    assert "gpt-fake" in models


async def test_rate_limit_is_the_sdk_error(sdk: openai.AsyncOpenAI) -> None:
    with pytest.raises(openai.RateLimitError):
        await sdk.chat.completions.create(
            model="gpt-fake+429", messages=[{"role": "user", "content": "hi"}]
        )
