"""A space's cluster: registered once per space, checked when registered, read live."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from spacegate.auth.scope import SpaceScope
from spacegate.errors import Conflict, NotFound, ServiceUnavailable, Unprocessable
from spacegate.factory.clusters.ray import RayDashboard, RayRefused, RayUnavailable
from spacegate.kit import ssrf
from spacegate.kit.clock import utcnow
from spacegate.kit.crypto import CredentialCipher, mask_secret
from spacegate.models import Cluster
from spacegate.resources import ScopedRepository


@dataclass(frozen=True)
class ClusterEdge:
    """What reaching a cluster takes: the guarded HTTP client, the credential cipher and the
    SSRF policy (the connection itself is checked again at connect time)."""

    http: httpx.AsyncClient
    cipher: CredentialCipher
    allow_private_networks: bool
    resolver: ssrf.Resolver = ssrf.system_resolver


async def cluster_of_space(
    session: AsyncSession, org_id: uuid.UUID, space_id: uuid.UUID | None
) -> Cluster | None:
    """The space's cluster, if it has one (a space has at most one)."""
    found: Cluster | None = await session.scalar(
        select(Cluster).where(Cluster.org_id == org_id, Cluster.space_id == space_id)
    )
    return found


def gpus_of(usage: dict[str, list[float]]) -> float:
    """The cluster's total GPUs from its resource usage (``{"GPU": [used, total]}``)."""
    return float(usage.get("GPU", [0.0, 0.0])[1])


def dashboard_for(edge: ClusterEdge, cluster: Cluster) -> RayDashboard:
    token = None
    if cluster.token_ciphertext:
        token = edge.cipher.decrypt(
            cluster.token_ciphertext, org_id=cluster.org_id, row_id=cluster.id
        )
    return RayDashboard(edge.http, cluster.manager_url, token)


class ClusterService:
    def __init__(self, session: AsyncSession, scope: SpaceScope, edge: ClusterEdge) -> None:
        self.session = session
        self.scope = scope
        self.edge = edge
        self.repo = ScopedRepository(session, scope, Cluster)

    async def find(self) -> Cluster | None:
        cluster: Cluster | None = await self.session.scalar(self.repo.select())
        return cluster

    async def get(self, permission: str = "clusters:get") -> Cluster:
        self.scope.require(permission)
        cluster = await self.find()
        if cluster is None:
            raise NotFound(
                "This space has no cluster: register one with POST /v1/clusters.",
                code="cluster_not_found",
            )
        return cluster

    async def create(self, values: dict[str, Any]) -> Cluster:
        self.scope.require("clusters:create")
        if await self.find() is not None:
            raise Conflict(
                "This space has a cluster already: change it with PATCH /v1/clusters.",
                code="cluster_exists",
            )
        cluster = Cluster(
            org_id=self.scope.org_id,
            space_id=self.scope.space_id,
            created_by=self.scope.principal.user_id,
            name=values.get("name") or "",
            manager_url=await self._url(values["manager_url"], "manager_url"),
            ingress_url=await self._url(values["ingress_url"], "ingress_url"),
        )
        self.session.add(cluster)
        await self.session.flush()
        self._set_token(cluster, values.get("token"))
        await self._reachable(cluster)
        await self.session.flush()
        return cluster

    async def update(self, changes: dict[str, Any]) -> Cluster:
        cluster = await self.get("clusters:update")
        for name in ("manager_url", "ingress_url"):
            if name in changes:
                if changes[name] is None:
                    raise Unprocessable(f"'{name}' cannot be null.", code="null_not_allowed")
                setattr(cluster, name, await self._url(changes[name], name))
        if "name" in changes:
            cluster.name = changes["name"] or ""
        if "token" in changes:
            self._set_token(cluster, changes["token"])
        if {"manager_url", "token"} & set(changes):
            await self._reachable(cluster)
        cluster.updated_at = utcnow()
        await self.session.flush()
        return cluster

    async def delete(self) -> Cluster:
        cluster = await self.get("clusters:delete")
        await self.session.delete(cluster)
        await self.session.flush()
        return cluster

    async def live(self, cluster: Cluster) -> dict[str, Any]:
        """The cluster as it is now; 503 (never stale data) when it does not answer."""
        dash = dashboard_for(self.edge, cluster)
        try:
            version = await dash.version()
            nodes = await dash.nodes()
            usage = await dash.usage()
            apps = await dash.serve_applications()
        except (RayUnavailable, RayRefused) as exc:
            raise ServiceUnavailable(
                f"The cluster '{cluster.name or cluster.manager_url}' is not answering: {exc}",
                code="cluster_unavailable",
            ) from None
        return {
            "nodes": [_node(n) for n in nodes],
            "resources": _resources(nodes, usage),
            "inference": {"applications": apps},
            "ingress": {"url": cluster.ingress_url},
            "ray_version": version.get("ray_version"),
        }

    async def _url(self, url: str, field: str) -> str:
        url = url.strip().rstrip("/")
        try:
            await ssrf.check_url(
                url, allow_private=self.edge.allow_private_networks, resolver=self.edge.resolver
            )
        except ssrf.UnsafeUrl as exc:
            raise Unprocessable(exc.message.replace("base_url", field, 1), code=exc.code) from None
        return url

    def _set_token(self, cluster: Cluster, token: str | None) -> None:
        if not token:
            cluster.token_ciphertext, cluster.token_hint = None, None
            return
        cluster.token_ciphertext = self.edge.cipher.encrypt(
            token, org_id=cluster.org_id, row_id=cluster.id
        )
        cluster.token_hint = mask_secret(token)

    async def _reachable(self, cluster: Cluster) -> None:
        dash = dashboard_for(self.edge, cluster)
        try:
            await dash.version()
            cluster.gpus = gpus_of(await dash.usage())
        except RayUnavailable as exc:
            raise Unprocessable(
                f"manager_url: no Ray dashboard answers there ({exc}).", code="cluster_unreachable"
            ) from None
        except RayRefused as exc:
            raise Unprocessable(
                f"manager_url: the cluster refused the request ({exc.status}: {exc}); check the "
                "token.",
                code="cluster_refused",
            ) from None


def _node(raw: dict[str, Any]) -> dict[str, Any]:
    total = raw.get("resources_total") or {}
    return {
        "node_id": raw.get("node_id"),
        "node_ip": raw.get("node_ip"),
        "is_head_node": bool(raw.get("is_head_node")),
        "state": raw.get("state"),
        "alive": raw.get("state") == "ALIVE",
        "cpu": float(total.get("CPU", 0)),
        "gpu": float(total.get("GPU", 0)),
        "memory_bytes": int(total.get("memory", 0)),
    }


def _resources(nodes: list[dict[str, Any]], usage: dict[str, list[float]]) -> dict[str, Any]:
    """Totals from the live nodes; what is free from the autoscaler's usage report (which a
    just-started head may not have yet: then all of it is free)."""
    names = {"CPU": "cpu", "GPU": "gpu", "memory": "memory_bytes"}
    total = dict.fromkeys(names.values(), 0.0)
    for node in nodes:
        if node.get("state") == "ALIVE":
            for key, name in names.items():
                total[name] += float((node.get("resources_total") or {}).get(key, 0))
    used = {names[k]: v[0] for k, v in usage.items() if k in names}
    available = {name: max(total[name] - used.get(name, 0.0), 0.0) for name in total}
    return {"total": total, "available": available}
