"""One gateway call, end to end: authenticate, resolve, enforce, route with fallback, meter.

Kept to plain functions over cached data: a call that is admitted costs two dictionary lookups
before the provider is contacted, and its usage is handed to the batched meter afterwards.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import orjson
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from spacegate.auth.cache import PrincipalCache
from spacegate.auth.principal import Principal
from spacegate.auth.resolver import extract_key
from spacegate.errors import Unauthorized
from spacegate.gateway import idempotent, policy, turn_hook
from spacegate.gateway.balancer import Balancer
from spacegate.gateway.call import Call
from spacegate.gateway.catalog import Catalog, Route, Target
from spacegate.gateway.errors import GatewayError, forbidden, invalid
from spacegate.gateway.labels import Labels, gateway_headers, read_labels
from spacegate.gateway.limiting import GatewayLimiter, Ticket
from spacegate.gateway.metering import Meter, UsageEvent, cost_of
from spacegate.gateway.models_list import json, model_object
from spacegate.gateway.naming import model_field, renamed
from spacegate.gateway.providers import Endpoint, send
from spacegate.gateway.providers.base import (
    ProviderResponse,
    ProviderStream,
    Usage,
)
from spacegate.gateway.providers.errors import ProviderError
from spacegate.gateway.refusals import Attempt, attempt_of, refusal_event
from spacegate.gateway.targets import final_error, upstream_of
from spacegate.kit import idempotency, metrics
from spacegate.limits.service import LimitService
from spacegate.runtime import Runtime

log = logging.getLogger(__name__)
OVERHEAD_HEADER = "X-Spacegate-Overhead-Ms"
IN_PROCESS_PRINCIPAL = "spacegate.principal"
OWNER = "spacegate"
#: Keys Spacegate reads from ``metadata`` and does not forward upstream.
_OWN_METADATA = ("purpose", "step_type", "tags", "type")


class Gateway:
    def __init__(
        self, runtime: Runtime, catalog: Catalog, meter: Meter, http: httpx.AsyncClient
    ) -> None:
        self.runtime = runtime
        self.catalog = catalog
        self.meter = meter
        self.http = http
        self.principals = PrincipalCache(ttl=runtime.settings.cache_ttl_seconds)
        self.balancer = Balancer()
        self.limiter = GatewayLimiter(LimitService(runtime))

    async def recover(self) -> None:
        """Meter what calls of a killed process left unsettled (see ``gateway.journal``)."""
        journal = self.meter.journal
        if journal is not None:
            try:
                await journal.recover(self.meter.write)
            except Exception:  # the database is away: the next start settles them
                log.warning("could not settle the journals of stopped gateways", exc_info=True)

    def close_journal(self) -> None:
        """After the meter's last flush: nothing is left unsettled, so the journal goes."""
        journal = self.meter.journal
        if journal is not None and self.meter.backlog == 0:
            journal.close()

    # -- shared steps ---------------------------------------------------------------------

    async def authenticate(
        self, request: Request, headers: dict[str, str] | None = None
    ) -> Principal:
        """The caller; ``headers``: ``gateway_headers`` of the request, when already read."""
        if headers is None:
            headers = gateway_headers(request.headers.raw)
        try:
            key = extract_key(headers.get("authorization"), headers.get("x-api-key"))
            return await self.principals.get(self.runtime, key)
        except Unauthorized as exc:
            raise GatewayError(
                401, exc.message, code="invalid_api_key", headers=exc.headers
            ) from None

    async def space_of(self, principal: Principal, request: Request, permission: str) -> uuid.UUID:
        raw = request.headers.get("x-space-id")
        if principal.bound_space_id is not None:
            space_id = principal.bound_space_id
            if raw is not None and raw.strip() != str(space_id):
                raise forbidden("This API key is bound to another space.", code="space_mismatch")
        elif raw is None:
            raise invalid(
                "Which space? Send the X-Space-Id header, or use an API key bound to a space.",
                code="space_required",
            )
        else:
            try:
                space_id = uuid.UUID(raw.strip())
            except ValueError:
                raise invalid("X-Space-Id must be a space UUID.", code="invalid_space_id") from None
        if not principal.can_see_space(space_id):
            raise GatewayError(404, f"Space '{space_id}' not found.", code="space_not_found")
        state = await self.catalog.space(principal.org_id, space_id)
        if not state.exists:
            raise GatewayError(404, f"Space '{space_id}' not found.", code="space_not_found")
        if state.deleted:
            raise GatewayError(404, f"Space '{space_id}' has been deleted.", code="space_deleted")
        if not principal.has(permission, space_id):
            raise forbidden(
                f"Missing permission '{permission}' in this space.", code="permission_denied"
            )
        return space_id

    # -- discovery ------------------------------------------------------------------------

    async def list_models(self, request: Request) -> Response:
        principal = await self.authenticate(request)
        space_id = await self.space_of(principal, request, "models:list")
        routes = await self.catalog.entitled_models(principal.org_id, space_id)
        data = [model_object(r, OWNER) for r in routes]
        return json({"object": "list", "data": data, "count": len(data), "has_more": False})

    async def retrieve_model(self, request: Request, ref: str) -> Response:
        principal = await self.authenticate(request)
        space_id = await self.space_of(principal, request, "models:get")
        route = await self.catalog.route(principal.org_id, space_id, ref)
        if route is None or not route.enabled or not route.model_enabled:
            raise GatewayError(
                404,
                f"The model '{ref}' does not exist in this space.",
                code="model_not_found",
                param="model",
            )
        return json(model_object(route, OWNER))

    # -- inference ------------------------------------------------------------------------

    async def infer(self, request: Request, endpoint: Endpoint) -> Response:
        started = time.perf_counter()
        try:
            call, body, stream = await self._admit(request, endpoint, started)
        except GatewayError as exc:
            if exc.attempt is not None:  # refused after authentication: logged
                self.meter.record(refusal_event(exc.attempt, exc))
            return exc.response()
        except turn_hook.ChatTurn as turn:  # a copilot chat turn: the copilot makes its calls
            return await turn_hook.serve(self, request, turn)
        try:
            if call.idempotency_key is not None:
                return await self._idempotent(request, call, body, stream)
            call.limits = await self._limit(call, body)
        except GatewayError as exc:
            return exc.response()
        return await self._dispatch(call, body, stream)

    async def _limit(self, call: Call, body: dict[str, Any]) -> Ticket | None:
        try:
            return await self.limiter.admit(call, body, call.size)
        except GatewayError as exc:
            self.meter.record(refusal_event(attempt_of(call), exc))
            raise

    async def _idempotent(
        self, request: Request, call: Call, body: dict[str, Any], stream: bool
    ) -> Response:
        """A call with ``Idempotency-Key``: replayed, refused, or made once and stored."""
        assert call.idempotency_key is not None
        try:
            claim = await idempotent.begin(
                self.runtime, request, call.principal, call.idempotency_key
            )
        except idempotency.Replay as replay:
            return replay.response
        try:
            call.limits = await self._limit(call, body)
            response = await self._dispatch(call, body, stream)
        except BaseException:
            await idempotent.release(self.runtime, claim)
            raise
        return await idempotent.finish(self.runtime, claim, response, idempotent.call_ok(call))

    async def _admit(
        self, request: Request, endpoint: Endpoint, started: float
    ) -> tuple[Call, dict[str, Any], bool]:
        headers = gateway_headers(request.headers.raw)
        # A call made in process (RAG, factory, copilot) carries its caller in the ASGI scope,
        # which no client can set.
        principal = request.scope.get(IN_PROCESS_PRINCIPAL) or await self.authenticate(
            request, headers
        )
        space_id: uuid.UUID | None = None
        ref: str | None = None
        route: Route | None = None
        labels: Labels | None = None
        try:
            space_id = await self.space_of(principal, request, policy.ENDPOINT_PERMISSION[endpoint])
            raw = await request.body()
            try:
                body = orjson.loads(raw)
            except orjson.JSONDecodeError as exc:
                raise invalid(
                    f"The request body is not valid JSON ({exc}).", code="invalid_json"
                ) from None
            if not isinstance(body, dict):
                raise invalid("The request body must be a JSON object.", code="invalid_json")
            if endpoint == "chat.completions" and turn_hook.is_turn(body):
                raise turn_hook.ChatTurn(principal, space_id, body)
            model = body.get("model")
            if model == "":  # SDKs always send a model: an empty one asks for the space's default
                model = None
            elif model is not None and not isinstance(model, str):
                raise invalid(
                    "'model' must be a string (empty for the space's default).", param="model"
                )
            ref = model
            meta = body.get("metadata")
            own: dict[str, Any] = {}
            if isinstance(meta, dict):
                own = {k: meta.pop(k) for k in _OWN_METADATA if k in meta}
                if not meta:
                    body.pop("metadata")
            labels = read_labels(own, headers)
            purpose, step_type = labels.purpose, labels.step_type
            route = await self.catalog.route(principal.org_id, space_id, ref)
            route = policy.check_route(
                route, ref=ref, endpoint=endpoint, purpose=purpose, step_type=step_type, body=body
            )
            for name, value in route.overrides.items():
                body.setdefault(name, value)
            call = Call(
                principal=principal,
                space_id=space_id,
                endpoint=endpoint,
                route=route,
                purpose=purpose,
                step_type=step_type,
                tags=labels.tags,
                type=labels.type or endpoint,
                correlation_id=labels.correlation_id,
                request_id=request.scope.get("state", {}).get("request_id"),
                started=started,
                size=len(raw),
                idempotency_key=headers.get(idempotent.HEADER),
            )
            return call, body, body.get("stream") is True and endpoint != "embeddings"
        except GatewayError as exc:
            exc.attempt = Attempt(
                principal,
                endpoint,
                started,
                request.scope.get("state", {}).get("request_id"),
                space_id,
                ref,
                route,
                labels,
            )
            raise

    async def _dispatch(self, call: Call, body: dict[str, Any], stream: bool) -> Response:
        targets = self.balancer.order(call.route)
        if not targets:
            err = GatewayError(
                503, f"The model '{call.route.alias}' has no usable target.", code="no_target"
            )
            self._meter(call, None, err.status, None, 0.0, stream, error=err)
            return err.response(_headers(call))
        if self.meter.journal is not None:
            call.journal_id = self.meter.journal.started(call, body, targets[0], stream)
        failures: list[ProviderError] = []
        upstream_time = 0.0
        for target in targets:
            t0 = time.perf_counter()
            try:
                result = await send(
                    self.http, upstream_of(target), call.endpoint, body, stream=stream
                )
            except ProviderError as exc:
                upstream_time += time.perf_counter() - t0
                metrics.upstream_errors.labels(target.protocol, exc.code).inc()
                failures.append(exc)
                if not exc.retryable:
                    break
                continue
            if isinstance(result, ProviderStream):
                return self._stream(call, target, result, t0, upstream_time)
            spent = time.perf_counter() - t0
            self.balancer.observe(target, spent)
            upstream_time += spent
            overhead_ms = self._meter(call, target, 200, result.usage, upstream_time, False)
            return Response(
                renamed(result.body, model_field(call.route.alias)),
                status_code=result.status,
                media_type=result.media_type,
                headers=_headers(call, f"{overhead_ms:.3f}"),
            )
        err = final_error(failures)
        overhead_ms = self._meter(call, None, err.status, None, upstream_time, stream, error=err)
        return err.response(_headers(call, f"{overhead_ms:.3f}"))

    def _stream(
        self, call: Call, target: Target, result: ProviderStream, t0: float, upstream_before: float
    ) -> Response:
        # Headers go out before the stream's time is known: the header carries the overhead
        # up to the first upstream byte; the log row gets the whole figure.
        overhead_ms = (t0 - call.started - upstream_before) * 1000
        field = model_field(call.route.alias)

        async def body() -> AsyncIterator[bytes]:
            try:
                async for chunk in result:
                    yield renamed(chunk, field)
            finally:
                await result.aclose()
                spent = time.perf_counter() - t0
                self.balancer.observe(target, spent)
                status = 200 if result.error is None else result.error.status
                self._meter(
                    call,
                    target,
                    status,
                    result.usage,
                    upstream_before + spent,
                    True,
                    error=result.error,
                )

        return StreamingResponse(
            body(),
            media_type="text/event-stream",
            headers={
                **_headers(call, f"{max(overhead_ms, 0.0):.3f}"),
                "Cache-Control": "no-cache",
            },
        )

    def _meter(
        self,
        call: Call,
        target: Target | None,
        status: int,
        usage: Usage | None,
        upstream_s: float,
        stream: bool,
        *,
        error: GatewayError | ProviderError | None = None,
    ) -> float:
        elapsed = time.perf_counter() - call.started
        overhead_ms = max(elapsed - upstream_s, 0.0) * 1000
        route = call.route
        prompt = usage.prompt_tokens if usage else 0
        completion = usage.completion_tokens if usage else 0
        ok = 200 <= status < 300
        call.status = status
        self.meter.record(
            UsageEvent(
                org_id=call.principal.org_id,
                space_id=call.space_id,
                user_id=call.principal.user_id,
                api_key_id=call.principal.api_key_id,
                entitlement_id=route.entitlement_id,
                model_id=route.model_id,
                model=route.alias,
                upstream_model=target.upstream_model if target else None,
                connection_id=target.connection_id if target else None,
                endpoint=call.endpoint,
                type=call.type,
                purpose=call.purpose,
                step_type=call.step_type,
                status="success" if ok else "error",
                http_status=status,
                stream=stream,
                tags=call.tags,
                correlation_id=call.correlation_id,
                request_id=call.request_id,
                prompt_tokens=prompt,
                completion_tokens=completion,
                total_tokens=usage.total_tokens if usage else 0,
                usage_estimated=usage.estimated if usage else False,
                cost=cost_of(prompt, completion, route.input_price, route.output_price),
                latency_ms=elapsed * 1000,
                overhead_ms=overhead_ms,
                error=error.message if error is not None else None,
                error_code=error.code if error is not None else None,
                journal_id=call.journal_id,
            )
        )
        self.limiter.settle(call.limits, call, usage, status)
        op = call.endpoint
        metrics.requests.labels(op, "success" if ok else "error").inc()
        metrics.operation_duration.labels(op, route.alias).observe(elapsed)
        metrics.overhead.observe(overhead_ms / 1000)
        if usage:
            metrics.token_usage.labels(op, route.alias, "input").observe(prompt)
            metrics.token_usage.labels(op, route.alias, "output").observe(completion)
        return overhead_ms


def _headers(call: Call, overhead_ms: str | None = None) -> dict[str, str]:
    """A call's own response headers (the overhead, the limits' RateLimit fields), given to the
    response when it is made: cheaper than adding them to a made response."""
    headers = {OVERHEAD_HEADER: overhead_ms} if overhead_ms is not None else {}
    if call.limits is not None:
        headers.update(call.limits.headers)
    return headers


__all__ = ["OVERHEAD_HEADER", "Gateway", "ProviderResponse"]
