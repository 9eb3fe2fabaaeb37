"""The Spacegate Python client: the platform API (spaces, users, API keys, providers, models,
entitlements, limits, inference logs and their summaries), typed with the server's own schemas.

    from spacegate.client import Spacegate

    with Spacegate("https://spacegate.example.com", api_key="sg_...") as sg:
        space = sg.spaces.create(name="research", description="The research team")
        sg.entitlements.grant(space.id, "gpt-4o-mini", limits={"rpm": 60})
        for space in sg.spaces.list():  # follows the cursors page after page
            print(space.name)

Calling models is the OpenAI wire format, so use the official ``openai`` SDK for it::

    from openai import OpenAI

    ai = OpenAI(
        base_url="https://spacegate.example.com/v1",
        api_key="sg_...",
        default_headers={"X-Space-Id": str(space.id)},  # not needed for a key bound to a space
    )
    ai.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "Hi"}])
"""

from spacegate.client._client import AsyncSpacegate, Spacegate
from spacegate.client._http import RetryPolicy
from spacegate.client.errors import (
    APIConnectionError,
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    SpacegateError,
    UnprocessableEntityError,
)
from spacegate.client.pagination import AsyncPager, Page, SyncPager
from spacegate.client.resources.usage import DailyUsage, LogFilter, UsageQuery

__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "AsyncPager",
    "AsyncSpacegate",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "DailyUsage",
    "InternalServerError",
    "LogFilter",
    "NotFoundError",
    "Page",
    "PermissionDeniedError",
    "RateLimitError",
    "RetryPolicy",
    "Spacegate",
    "SpacegateError",
    "SyncPager",
    "UnprocessableEntityError",
    "UsageQuery",
]
