"""``Spacegate`` and ``AsyncSpacegate``: one object per server and API key."""

from __future__ import annotations

from types import TracebackType
from typing import Any, Generic, TypeVar

from spacegate.client._http import DEFAULT_TIMEOUT, AsyncTransport, Id, RetryPolicy, SyncTransport
from spacegate.client.resources.api_keys import ApiKeys, AsyncApiKeys
from spacegate.client.resources.audit import AsyncAuditLogs, AuditLogs
from spacegate.client.resources.copilot import AsyncChats, AsyncExperts, Chats, Experts
from spacegate.client.resources.copilot_actions import (
    ActionGroups,
    Actions,
    Arguments,
    AsyncActionGroups,
    AsyncActions,
    AsyncArguments,
    AsyncInsights,
    AsyncPersonas,
    Insights,
    Personas,
)
from spacegate.client.resources.datasets import AsyncDatasets, Datasets
from spacegate.client.resources.entitlements import AsyncEntitlements, Entitlements
from spacegate.client.resources.factory import (
    AsyncBenchmarks,
    AsyncCheckpoints,
    AsyncDataModels,
    AsyncEvaluations,
    AsyncLeaderboards,
    AsyncTrainings,
    Benchmarks,
    Checkpoints,
    DataModels,
    Evaluations,
    Leaderboards,
    Trainings,
)
from spacegate.client.resources.factory_ops import (
    AsyncClusters,
    AsyncConnectors,
    AsyncJobs,
    Clusters,
    Connectors,
    Jobs,
)
from spacegate.client.resources.limits import AsyncLimits, Limits
from spacegate.client.resources.models import AsyncModels, Models
from spacegate.client.resources.providers import AsyncProviders, Providers
from spacegate.client.resources.rag import AsyncEndpoints, AsyncPolicies, Endpoints, Policies
from spacegate.client.resources.spaces import AsyncSpaces, Spaces
from spacegate.client.resources.usage import AsyncInferenceLogs, AsyncUsage, InferenceLogs, Usage
from spacegate.client.resources.users import AsyncOrgs, AsyncUsers, Orgs, Users

TransportT = TypeVar("TransportT", SyncTransport, AsyncTransport)


class _Client(Generic[TransportT]):
    """The options both clients take; each subclass names its transport and resources."""

    _transport_class: type[TransportT]

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        space_id: Id | None = None,
        org_id: Id | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        http_transport: Any = None,
    ) -> None:
        self._transport: TransportT = self._transport_class(
            base_url,
            api_key,
            space_id=str(space_id) if space_id is not None else None,
            org_id=str(org_id) if org_id is not None else None,
            timeout=timeout,
            retry=retry,
            transport=http_transport,
        )
        self._attach(self._transport)

    def _attach(self, t: TransportT) -> None:
        raise NotImplementedError


class Spacegate(_Client[SyncTransport]):
    """The platform API, synchronously.

    ``space_id`` is sent as ``X-Space-Id`` on every call (only calls about "my space" read it);
    ``org_id`` saves one lookup of ``/v1/users/me`` before the first entitlement call;
    ``http_transport`` replaces the network (an ``httpx.ASGITransport`` calls an app in process).
    """

    _transport_class = SyncTransport

    def _attach(self, t: SyncTransport) -> None:
        self.spaces = Spaces(t)
        self.users = Users(t)
        self.orgs = Orgs(t)
        self.api_keys = ApiKeys(t)
        self.providers = Providers(t)
        self.models = Models(t)
        self.entitlements = Entitlements(t)
        self.limits = Limits(t)
        self.inference_logs = InferenceLogs(t)
        self.usage = Usage(t)
        self.audit_logs = AuditLogs(t)
        self.experts = Experts(t)
        self.chats = Chats(t)
        self.action_groups = ActionGroups(t)
        self.actions = Actions(t)
        self.personas = Personas(t)
        self.insights = Insights(t)
        self.arguments = Arguments(t)
        self.datasets = Datasets(t)
        self.endpoints = Endpoints(t)
        self.policies = Policies(t)
        self.data_models = DataModels(t)
        self.trainings = Trainings(t)
        self.checkpoints = Checkpoints(t)
        self.benchmarks = Benchmarks(t)
        self.evaluations = Evaluations(t)
        self.leaderboards = Leaderboards(t)
        self.connectors = Connectors(t)
        self.clusters = Clusters(t)
        self.jobs = Jobs(t)

    @property
    def org_id(self) -> str:
        return self._transport.org_id()

    def close(self) -> None:
        self._transport.close()

    def __enter__(self) -> Spacegate:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class AsyncSpacegate(_Client[AsyncTransport]):
    """The platform API for asyncio; the same resources, awaited."""

    _transport_class = AsyncTransport

    def _attach(self, t: AsyncTransport) -> None:
        self.spaces = AsyncSpaces(t)
        self.users = AsyncUsers(t)
        self.orgs = AsyncOrgs(t)
        self.api_keys = AsyncApiKeys(t)
        self.providers = AsyncProviders(t)
        self.models = AsyncModels(t)
        self.entitlements = AsyncEntitlements(t)
        self.limits = AsyncLimits(t)
        self.inference_logs = AsyncInferenceLogs(t)
        self.usage = AsyncUsage(t)
        self.audit_logs = AsyncAuditLogs(t)
        self.experts = AsyncExperts(t)
        self.chats = AsyncChats(t)
        self.action_groups = AsyncActionGroups(t)
        self.actions = AsyncActions(t)
        self.personas = AsyncPersonas(t)
        self.insights = AsyncInsights(t)
        self.arguments = AsyncArguments(t)
        self.datasets = AsyncDatasets(t)
        self.endpoints = AsyncEndpoints(t)
        self.policies = AsyncPolicies(t)
        self.data_models = AsyncDataModels(t)
        self.trainings = AsyncTrainings(t)
        self.checkpoints = AsyncCheckpoints(t)
        self.benchmarks = AsyncBenchmarks(t)
        self.evaluations = AsyncEvaluations(t)
        self.leaderboards = AsyncLeaderboards(t)
        self.connectors = AsyncConnectors(t)
        self.clusters = AsyncClusters(t)
        self.jobs = AsyncJobs(t)

    async def org_id(self) -> str:
        return await self._transport.org_id()

    async def aclose(self) -> None:
        await self._transport.aclose()

    async def __aenter__(self) -> AsyncSpacegate:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
