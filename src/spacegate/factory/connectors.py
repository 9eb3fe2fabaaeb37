"""Connectors: a space's S3-compatible buckets, with write-only encrypted credentials.

``endpoint_url`` (an S3-compatible server other than AWS) is user-supplied, so it passes the
server-side request forgery policy of ``kit.ssrf`` when it is set and again before each use.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from spacegate.errors import Unprocessable
from spacegate.factory import s3
from spacegate.kit import ssrf
from spacegate.kit.ids import uuid7
from spacegate.models import Connector
from spacegate.providers.service import ProviderEdge
from spacegate.resources import ResourceService, ResourceSpec

#: ``GET /connectors/{id}/files``: objects listed when no ``limit`` is given, and at most.


#: What reaching a bucket needs besides the database: the same as for a provider connection.
ConnectorEdge = ProviderEdge


async def checked(url: str, edge: ConnectorEdge, param: str) -> str:
    """``url`` if the SSRF policy lets it be reached, else a 422 naming ``param``."""
    try:
        await ssrf.check_url(url, allow_private=edge.allow_private_networks, resolver=edge.resolver)
    except ssrf.UnsafeUrl as exc:
        raise Unprocessable(
            exc.message.replace("base_url", param, 1),
            code=f"{param.rsplit('.', 1)[-1]}_not_allowed",
            extra={"param": param},
        ) from None
    return url


async def checked_endpoint(url: str | None, edge: ConnectorEdge) -> str | None:
    return None if url is None else await checked(url.rstrip("/"), edge, "s3.endpoint_url")


class ConnectorService(ResourceService[Connector]):
    model = Connector
    spec = ResourceSpec(label="Connector", permission="connectors", name="connector")
    edge: ConnectorEdge | None = None

    def bound(self, edge: ConnectorEdge) -> ConnectorService:
        self.edge = edge
        return self

    def _edge(self) -> ConnectorEdge:
        if self.edge is None:
            raise RuntimeError("ConnectorService needs its edge (cipher, resolver) for this")
        return self.edge

    async def validate(self, values: dict[str, Any], current: Connector | None) -> dict[str, Any]:
        edge = self._edge()
        config = values.pop("s3")
        provider = values.pop("type")
        row_id = uuid7()
        secret = json.dumps(
            {
                "access_key_id": config["access_key_id"],
                "secret_access_key": config["secret_access_key"],
            }
        )
        return {
            **values,
            "id": row_id,
            "provider": provider,
            "region": config["region"],
            "bucket": config["bucket"],
            "prefix": config.get("prefix") or "",
            "endpoint_url": await checked_endpoint(config.get("endpoint_url"), edge),
            "credentials_ciphertext": edge.cipher.encrypt(
                secret, org_id=self.scope.org_id, row_id=row_id
            ),
        }

    async def bucket(self, connector: Connector) -> s3.Bucket:
        """The bucket with its credentials opened, its endpoint checked again."""
        edge = self._edge()
        return await bucket_of(connector, edge)

    async def files(self, ident: uuid.UUID, prefix: str | None, limit: int) -> list[dict[str, Any]]:
        connector = await self.get(ident)
        b = await self.bucket(connector)
        full = connector.prefix + (prefix or "")
        return await s3.list_files(b, full, limit)


async def bucket_of(connector: Connector, edge: ConnectorEdge) -> s3.Bucket:
    creds = json.loads(
        edge.cipher.decrypt(
            connector.credentials_ciphertext,
            org_id=connector.org_id,
            row_id=connector.id,
            key_version=connector.key_version,
        )
    )
    return s3.Bucket(
        bucket=connector.bucket,
        region=connector.region,
        endpoint_url=await checked_endpoint(connector.endpoint_url, edge),
        access_key_id=creds["access_key_id"],
        secret_access_key=creds["secret_access_key"],
    )
