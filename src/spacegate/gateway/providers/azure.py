"""The ``azure_openai`` protocol: OpenAI's API at Azure's deployment URLs, keyed by ``api-key``.

``base_url`` is the resource endpoint (``https://<resource>.openai.azure.com``), the upstream
model is the deployment name, and ``config["api_version"]`` picks the API version.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx

from spacegate.gateway.providers.base import OPENAI_PATHS, Endpoint, ProviderResult, Upstream
from spacegate.gateway.providers.openai import exchange

#: The newest generally available data-plane version that supports ``stream_options``.
DEFAULT_API_VERSION = "2024-10-21"


def url_for(upstream: Upstream, endpoint: Endpoint) -> str:
    base = upstream.base_url.rstrip("/")
    if not base.endswith("/openai"):
        base += "/openai"
    deployment = quote(upstream.upstream_model, safe="")
    version = quote(str(upstream.config.get("api_version") or DEFAULT_API_VERSION), safe="")
    return f"{base}/deployments/{deployment}{OPENAI_PATHS[endpoint]}?api-version={version}"


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
        headers["api-key"] = upstream.api_key
    return await exchange(
        client,
        upstream,
        endpoint,
        body,
        stream=stream,
        url=url_for(upstream, endpoint),
        headers=headers,
    )
