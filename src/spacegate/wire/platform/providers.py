"""Request and response shapes of provider connections. Credentials go in, never out."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, StringConstraints

from spacegate.wire.base import RequestModel, ResponseModel

ProviderType = Literal["openai", "anthropic", "azure_openai"]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]
BaseUrl = Annotated[
    str,
    StringConstraints(min_length=1, max_length=2048),
    Field(
        description="Where the provider's API lives, e.g. `https://api.openai.com/v1`. Private, "
        "loopback and link-local addresses are refused unless the server runs with "
        "`SPACEGATE_ALLOW_PRIVATE_NETWORKS=true`.",
        examples=["https://api.openai.com/v1"],
    ),
]
ApiKey = Annotated[
    SecretStr,
    Field(
        min_length=1,
        max_length=4096,
        description="Stored encrypted; never returned (responses show `api_key_hint`).",
    ),
]
Version = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._-]{1,64}$")]
#: ``http://host:port`` of a forward proxy; no credentials (``config`` is returned as stored).
ProxyUrl = Annotated[
    str,
    StringConstraints(pattern=r"^http://[A-Za-z0-9.\-]+(:[0-9]{1,5})?/?$", max_length=300),
]
DEFAULT_AZURE_API_VERSION = "2024-10-21"


class ProviderConfig(RequestModel):
    """Protocol extras. Unknown keys are refused, so no secret hides in here."""

    api_version: Version | None = Field(
        default=None,
        description=f"Azure OpenAI `api-version` (default {DEFAULT_AZURE_API_VERSION}).",
    )
    anthropic_version: Version | None = Field(
        default=None, description="Anthropic `anthropic-version` header (default 2023-06-01)."
    )
    organization: Annotated[str, StringConstraints(max_length=200)] | None = Field(
        default=None, description="OpenAI `OpenAI-Organization` header."
    )
    project: Annotated[str, StringConstraints(max_length=200)] | None = Field(
        default=None, description="OpenAI `OpenAI-Project` header."
    )
    timeout_seconds: float | None = Field(
        default=None, gt=0, le=600, description="Upstream request timeout."
    )
    proxy_url: ProxyUrl | None = Field(
        default=None,
        description="An HTTP forward proxy for this connection's calls (`http://host:port`, "
        "`CONNECT` tunnels for HTTPS), instead of the server's `HTTPS_PROXY` / `HTTP_PROXY`. "
        "Credentials are not accepted here: put them in the environment's proxy URL.",
        examples=["http://proxy.corp.lan:3128"],
    )


class ProviderLimits(RequestModel):
    """Limits of the upstream account, shared by every model that uses this connection."""

    rpm: int | None = Field(default=None, ge=1, description="Requests per minute.")
    tpm: int | None = Field(default=None, ge=1, description="Tokens per minute.")
    max_concurrency: int | None = Field(default=None, ge=1, description="Requests in flight.")


class ProviderCreate(RequestModel):
    name: Name
    type: ProviderType = Field(
        description="`openai` for any OpenAI-compatible server (OpenAI, vLLM, Ollama, LM Studio"
        "...), `anthropic`, or `azure_openai`."
    )
    base_url: BaseUrl
    api_key: ApiKey | None = None
    config: ProviderConfig | None = None
    limits: ProviderLimits | None = None
    enabled: bool = True


class ProviderUpdate(RequestModel):
    """Only the fields present change. ``"api_key": null`` removes the stored credential."""

    name: Name | None = None
    type: ProviderType | None = None
    base_url: BaseUrl | None = None
    api_key: ApiKey | None = None
    config: ProviderConfig | None = None
    limits: ProviderLimits | None = None
    enabled: bool | None = None


class ProviderRead(ResponseModel):
    id: uuid.UUID
    name: str
    type: str
    base_url: str
    base_url_resolved: bool = Field(
        description="False when the base URL's host did not resolve when it was set (DNS down, "
        "a name only the egress side knows). It was accepted: the gateway resolves it again, and "
        "refuses internal addresses, before every new connection."
    )
    has_api_key: bool
    api_key_hint: str | None = Field(description="A masked hint such as `sk-…abcd`.")
    config: dict[str, Any]
    limits: dict[str, Any]
    enabled: bool
    created_by: uuid.UUID | None
    created_at: datetime
    updated_at: datetime
    warnings: list[str] = Field(
        default_factory=list, description="What the caller should know, e.g. an unresolved host."
    )
