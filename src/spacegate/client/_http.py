"""The request engine shared by the sync and async clients.

A resource method describes a call as an ``Op`` (method, path, body, how to read the answer);
``SyncTransport`` and ``AsyncTransport`` send it with the same retry rules. Retrying is safe
because every POST carries an ``Idempotency-Key`` that stays the same across attempts: when the
first attempt did the work but its answer was lost, the retry gets the stored answer back
(``Idempotent-Replayed: true``) instead of doing the work twice. GET, PUT, PATCH and DELETE on
this API set state rather than add to it, so repeating them is harmless.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import httpx
from pydantic import BaseModel, SecretStr, TypeAdapter

from spacegate import __version__
from spacegate.client.errors import (
    APIConnectionError,
    error_from_response,
    retry_after_seconds,
)

T = TypeVar("T")
#: Ids are UUIDs; their string form is accepted too.
Id = uuid.UUID | str
log = logging.getLogger("spacegate.client")

DEFAULT_TIMEOUT = 30.0
USER_AGENT = f"spacegate-python/{__version__}"
#: A key the server replays for 24 hours; a fresh one per logical call, reused by its retries.
IDEMPOTENCY_HEADER = "Idempotency-Key"


@dataclass(frozen=True)
class RetryPolicy:
    """When and how long to wait before sending a call again.

    ``Retry-After`` wins when the server sends it (capped by ``max_retry_after``); otherwise the
    wait doubles from ``backoff`` up to ``max_backoff``, with jitter so that many clients that
    failed together do not come back together.
    """

    max_retries: int = 3
    backoff: float = 0.5
    max_backoff: float = 8.0
    max_retry_after: float = 60.0
    statuses: frozenset[int] = frozenset({429, 503})

    def should_retry(self, response: httpx.Response) -> bool:
        if response.status_code in self.statuses:
            return True
        # The same key is still being worked on (our own earlier attempt): wait for its answer.
        return response.status_code == 409 and _code(response) == "idempotency_key_in_use"

    def delay(self, attempt: int, response: httpx.Response | None) -> float:
        if response is not None:
            hinted = retry_after_seconds(response)
            if hinted is not None:
                return min(hinted, self.max_retry_after)
        base: float = min(self.max_backoff, self.backoff * (2**attempt))
        return base * (0.5 + random.random() / 2)  # noqa: S311  (jitter, not a secret)


def _code(response: httpx.Response) -> str | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return body.get("code") if isinstance(body, dict) else None


@dataclass(frozen=True)
class Op(Generic[T]):
    """One API call: what to send and how to read a successful answer."""

    method: str
    path: str
    parse: Callable[[httpx.Response], T]
    params: Mapping[str, Any] | None = None
    body: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)
    idempotency_key: str | None = None
    #: A multipart upload, ``[(field, (filename, content, content_type))]``, sent as is on
    #: every attempt.
    files: list[tuple[str, tuple[str, bytes, str]]] | None = None

    def request_headers(self) -> dict[str, str]:
        headers = dict(self.headers)
        if self.method == "POST":
            headers[IDEMPOTENCY_HEADER] = self.idempotency_key or str(uuid.uuid4())
        return headers


def dump(model: BaseModel) -> dict[str, Any]:
    """A request model as JSON, with only the fields the caller set (PATCH semantics) and
    secrets in clear (pydantic masks ``SecretStr`` when dumping; the server needs the value)."""
    data: dict[str, Any] = model.model_dump(mode="json", exclude_unset=True)
    for name in model.model_fields_set:
        value = getattr(model, name)
        if isinstance(value, SecretStr):
            data[name] = value.get_secret_value()
    return data


def params(**values: Any) -> dict[str, Any]:
    """Query parameters without the ones left as None."""
    return {
        k: (str(v) if isinstance(v, uuid.UUID) else v) for k, v in values.items() if v is not None
    }


def check_keywords(allowed: type, given: Mapping[str, Any]) -> None:
    """Raise as Python would for a misspelt keyword that ``**kwargs: Unpack[...]`` collected
    (``allowed`` is that TypedDict), instead of sending it to the server as an unknown field."""
    unknown = sorted(set(given) - set(allowed.__annotations__))
    if unknown:
        raise TypeError(f"unexpected keyword argument(s): {', '.join(unknown)}")


def model(cls: type[T]) -> Callable[[httpx.Response], T]:
    adapter = TypeAdapter(cls)
    return lambda r: adapter.validate_json(r.content)


def nothing(_response: httpx.Response) -> None:
    return None


#: Stands for the caller's org id in a path; the transport fills it in.
ORG = "{org_id}"


def _org_of(response: httpx.Response) -> str:
    return str(response.json()["org_id"])


def _client_headers(api_key: str, space_id: str | None) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {api_key}", "User-Agent": USER_AGENT}
    if space_id is not None:
        headers["X-Space-Id"] = str(space_id)
    return headers


def _finish(op: Op[T], response: httpx.Response) -> T:
    if response.is_success:
        return op.parse(response)
    raise error_from_response(response)


class _Attempts:
    """The retry decisions for one call, shared by both transports so that only the sending
    and the sleeping differ between them: each outcome either ends the call or names a wait."""

    def __init__(self, op: Op[Any], retry: RetryPolicy) -> None:
        self.op = op
        self.retry = retry
        self.attempt = 0

    def after_error(self, exc: httpx.TransportError) -> float:
        """The wait before the next attempt, or the error to raise when none is left."""
        if self.attempt >= self.retry.max_retries:
            raise APIConnectionError(
                f"{self.op.method} {self.op.path}: no answer from the server "
                f"({type(exc).__name__}: {exc})",
                request=getattr(exc, "_request", None),
            ) from exc
        wait = self.retry.delay(self.attempt, None)
        log.info("retrying %s %s in %.2fs after %r", self.op.method, self.op.path, wait, exc)
        self.attempt += 1
        return wait

    def after_response(self, response: httpx.Response) -> float | None:
        """The wait before the next attempt, or None when this answer is the final one."""
        if self.attempt >= self.retry.max_retries or not self.retry.should_retry(response):
            return None
        wait = self.retry.delay(self.attempt, response)
        log.info(
            "retrying %s %s in %.2fs after HTTP %s",
            self.op.method,
            self.op.path,
            wait,
            response.status_code,
        )
        self.attempt += 1
        return wait


class _Transport:
    """What both transports hold: the retry rules and the caller's org once known."""

    def __init__(self, retry: RetryPolicy | None, org_id: str | None) -> None:
        self.retry = retry or RetryPolicy()
        self._org_id = str(org_id) if org_id is not None else None


class SyncTransport(_Transport):
    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        space_id: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        org_id: str | None = None,
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        super().__init__(retry, org_id)
        self._sleep = sleep
        self.http = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers=_client_headers(api_key, space_id),
            timeout=timeout,
            transport=transport,
        )

    def org_id(self) -> str:
        """The caller's org, asked of the server once (MechaMental paths nest under it)."""
        if self._org_id is None:
            self._org_id = self.run(Op("GET", "/v1/users/me", _org_of))
        return self._org_id

    def run(self, op: Op[T]) -> T:
        headers = op.request_headers()  # built once: every attempt sends the same key
        path = op.path.replace(ORG, self.org_id()) if ORG in op.path else op.path
        attempts = _Attempts(op, self.retry)
        while True:
            try:
                response = self.http.request(
                    op.method,
                    path,
                    params=op.params,
                    json=op.body,
                    headers=headers,
                    files=op.files,
                )
            except httpx.TransportError as exc:
                wait = attempts.after_error(exc)
            else:
                if (retry_in := attempts.after_response(response)) is None:
                    return _finish(op, response)
                wait = retry_in
            self._sleep(wait)

    def close(self) -> None:
        self.http.close()


class AsyncTransport(_Transport):
    """``SyncTransport`` for asyncio: the same loop, with the sends and sleeps awaited."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        space_id: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        org_id: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        super().__init__(retry, org_id)
        self.http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            headers=_client_headers(api_key, space_id),
            timeout=timeout,
            transport=transport,
        )

    async def org_id(self) -> str:
        if self._org_id is None:
            self._org_id = await self.run(Op("GET", "/v1/users/me", _org_of))
        return self._org_id

    async def run(self, op: Op[T]) -> T:
        headers = op.request_headers()
        path = op.path.replace(ORG, await self.org_id()) if ORG in op.path else op.path
        attempts = _Attempts(op, self.retry)
        while True:
            try:
                response = await self.http.request(
                    op.method,
                    path,
                    params=op.params,
                    json=op.body,
                    headers=headers,
                    files=op.files,
                )
            except httpx.TransportError as exc:
                wait = attempts.after_error(exc)
            else:
                if (retry_in := attempts.after_response(response)) is None:
                    return _finish(op, response)
                wait = retry_in
            await asyncio.sleep(wait)

    async def aclose(self) -> None:
        await self.http.aclose()
