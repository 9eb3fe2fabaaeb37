"""Provider connections: type, base URL (SSRF-checked), encrypted credential, limits.

The credential is encrypted before it reaches the session and only decrypted by
:meth:`ProviderService.api_key`, which the gateway calls right before it connects. Nothing here
logs a credential or puts one in an error message.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from spacegate.auth.principal import Principal
from spacegate.errors import Conflict, Forbidden, NotFound
from spacegate.kit import ssrf
from spacegate.kit.crypto import KEY_VERSION, CredentialCipher, mask_secret
from spacegate.kit.cursors import CursorCodec
from spacegate.kit.ids import uuid7
from spacegate.kit.pagination import Page, keyset_page
from spacegate.models import ProviderConnection
from spacegate.providers import repository as repo
from spacegate.wire.platform.providers import (
    DEFAULT_AZURE_API_VERSION,
    ProviderConfig,
    ProviderCreate,
    ProviderUpdate,
)


@dataclass(frozen=True)
class ProviderEdge:
    """What creating or changing a connection needs besides the database."""

    cipher: CredentialCipher
    allow_private_networks: bool
    resolver: ssrf.Resolver = ssrf.system_resolver


def provider_not_found(ident: object) -> NotFound:
    return NotFound(f"Provider '{ident}' not found", code="provider_not_found")


def _config(type_: str, config: ProviderConfig | None) -> dict[str, object]:
    stored: dict[str, object] = config.model_dump(exclude_none=True) if config else {}
    if type_ == "azure_openai":
        stored.setdefault("api_version", DEFAULT_AZURE_API_VERSION)
    return stored


class ProviderService:
    def __init__(
        self,
        session: AsyncSession,
        principal: Principal,
        cursors: CursorCodec,
        edge: ProviderEdge | None = None,
    ) -> None:
        self.session = session
        self.principal = principal
        self.cursors = cursors
        self._edge = edge

    @property
    def org_id(self) -> uuid.UUID:
        return self.principal.org_id

    @property
    def edge(self) -> ProviderEdge:
        if self._edge is None:
            raise RuntimeError("ProviderService needs a ProviderEdge for this operation")
        return self._edge

    # -- lookups other services build on ------------------------------------------------------

    async def get_connection(self, connection_id: uuid.UUID) -> ProviderConnection:
        conn = await repo.get_by_id(self.session, self.org_id, connection_id)
        if conn is None:
            raise provider_not_found(connection_id)
        return conn

    def api_key(self, conn: ProviderConnection) -> str | None:
        """The plaintext credential, for the gateway's upstream call only."""
        if conn.api_key_ciphertext is None:
            return None
        return self.edge.cipher.decrypt(
            conn.api_key_ciphertext,
            org_id=conn.org_id,
            row_id=conn.id,
            key_version=conn.key_version,
        )

    # -- routes -------------------------------------------------------------------------------

    def _require(self, permission: str, *, write: bool = False) -> None:
        if not self.principal.has(permission):
            raise Forbidden(f"Missing permission '{permission}'.", code="permission_denied")
        if write and self.principal.bound_space_id is not None:
            raise Forbidden(
                "A space-bound key cannot change the org's provider connections.",
                code="permission_denied",
            )

    async def get(self, connection_id: uuid.UUID) -> ProviderConnection:
        self._require("providers:get")
        return await self.get_connection(connection_id)

    async def list_page(self, *, limit: int, after: str | None) -> Page[ProviderConnection]:
        self._require("providers:list")
        return await keyset_page(
            self.session,
            repo.connections_in_org(self.org_id),
            ProviderConnection.id,
            codec=self.cursors,
            scope="providers",
            limit=limit,
            cursor=after,
        )

    async def create(self, data: ProviderCreate) -> ProviderConnection:
        self._require("providers:create", write=True)
        if await repo.name_taken(self.session, self.org_id, data.name):
            raise self._name_conflict(data.name)
        checked = await self._checked_url(data.base_url)
        conn = ProviderConnection(
            id=uuid7(),
            org_id=self.org_id,
            name=data.name,
            type=data.type,
            base_url=checked.url,
            base_url_resolved=checked.resolved,
            config=_config(data.type, data.config),
            limits=data.limits.model_dump(exclude_none=True) if data.limits else {},
            enabled=data.enabled,
            created_by=self.principal.user_id,
        )
        self._set_key(conn, data.api_key.get_secret_value() if data.api_key else None)
        self.session.add(conn)
        await self.session.flush()
        return conn

    async def update(self, connection_id: uuid.UUID, data: ProviderUpdate) -> ProviderConnection:
        self._require("providers:update", write=True)
        conn = await self.get_connection(connection_id)
        given = data.model_fields_set
        if data.name is not None and data.name != conn.name:
            if await repo.name_taken(self.session, self.org_id, data.name, except_id=conn.id):
                raise self._name_conflict(data.name)
            conn.name = data.name
        if data.type is not None:
            conn.type = data.type
        if data.base_url is not None:
            checked = await self._checked_url(data.base_url)
            conn.base_url, conn.base_url_resolved = checked.url, checked.resolved
        if data.config is not None or data.type is not None:
            conn.config = _config(
                conn.type, data.config if data.config is not None else ProviderConfig(**conn.config)
            )
        if data.limits is not None:
            conn.limits = data.limits.model_dump(exclude_none=True)
        if data.enabled is not None:
            conn.enabled = data.enabled
        if "api_key" in given:
            self._set_key(conn, data.api_key.get_secret_value() if data.api_key else None)
        await self.session.flush()
        return conn

    async def delete(self, connection_id: uuid.UUID) -> None:
        """Remove a connection; refused (409) while a model target still routes to it."""
        from spacegate.registry.service import RegistryService  # the registry builds on us

        self._require("providers:delete", write=True)
        conn = await self.get_connection(connection_id)
        if await RegistryService(self.session, self.principal, self.cursors).uses_connection(
            conn.id
        ):
            raise Conflict(
                f"Provider '{conn.name}' is used by at least one model; change those models' "
                "targets first.",
                code="provider_in_use",
            )
        await self.session.delete(conn)
        await self.session.flush()

    # -- helpers ------------------------------------------------------------------------------

    async def _checked_url(self, url: str) -> ssrf.CheckedUrl:
        return await ssrf.check_url(
            url.rstrip("/"),
            allow_private=self.edge.allow_private_networks,
            resolver=self.edge.resolver,
        )

    def _set_key(self, conn: ProviderConnection, api_key: str | None) -> None:
        if not api_key:
            conn.api_key_ciphertext = None
            conn.api_key_hint = None
            return
        conn.api_key_ciphertext = self.edge.cipher.encrypt(
            api_key, org_id=conn.org_id, row_id=conn.id
        )
        conn.api_key_hint = mask_secret(api_key)
        conn.key_version = KEY_VERSION

    @staticmethod
    def _name_conflict(name: str) -> Conflict:
        return Conflict(f"A provider named '{name}' already exists.", code="provider_name_taken")
