"""Building the gateway and its parts for one process."""

from __future__ import annotations

import uuid

import httpx

from spacegate.gateway.catalog import Catalog
from spacegate.gateway.journal import Journal
from spacegate.gateway.metering import Meter
from spacegate.gateway.proxy import ProxyPolicy
from spacegate.gateway.service import Gateway
from spacegate.gateway.upstream import UpstreamClient, UpstreamTransport, checked_resolver
from spacegate.kit.crypto import cipher_for
from spacegate.runtime import Runtime


def build_gateway(runtime: Runtime) -> Gateway:
    cipher = cipher_for(runtime.settings.resolved_secret_key)

    def decrypt(org_id: uuid.UUID, row_id: uuid.UUID, blob: bytes, version: int) -> str:
        return cipher.decrypt(blob, org_id=org_id, row_id=row_id, key_version=version)

    http = UpstreamClient(
        follow_redirects=False,  # a redirect from a provider is an error, never followed
        transport=UpstreamTransport(
            resolve=checked_resolver(allow_private=runtime.settings.allow_private_networks),
            max_idle_per_origin=256,
            keepalive_expiry=30,
            proxies=ProxyPolicy(),  # HTTPS_PROXY / HTTP_PROXY / NO_PROXY, read once
        ),
        timeout=httpx.Timeout(120.0, connect=5.0),
        trust_env=False,
    )
    catalog = Catalog(
        runtime.read_sessions, decrypt, runtime.bus, ttl=runtime.settings.cache_ttl_seconds
    )
    journal = Journal(runtime.settings.data_dir / "journal")
    return Gateway(runtime, catalog, Meter(runtime.write_sessions, journal), http)
