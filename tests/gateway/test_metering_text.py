"""What a client or a provider writes into a call's log (metadata, headers, error messages) can
never stop metering: refused at the door when it cannot be stored, made storable when it comes
from upstream, and one unstorable call never holds back everyone else's usage."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import func, select

from spacegate.gateway.metering import UsageEvent
from spacegate.models import InferenceLog
from spacegate.runtime import Runtime
from tests.gateway.conftest import World
from tests.gateway.test_routing_and_metering import MSG, _wait_for


@pytest.mark.parametrize(
    ("metadata", "headers", "param"),
    [
        ({"tags": ["a\u0000b"]}, {}, "metadata.tags"),
        ({"tags": ["x" * 65]}, {}, "metadata.tags"),
        ({"type": "t" * 65}, {}, "metadata.type"),
        ({"purpose": "p\u0000"}, {}, "metadata.purpose"),
        ({"step_type": "s" * 33}, {}, "metadata.step_type"),
        ({}, {"X-Correlation-ID": "c" * 129}, "X-Correlation-ID"),
        ({}, {"X-Spacegate-Purpose": "p" * 65}, "X-Spacegate-Purpose"),
    ],
)
async def test_metadata_that_cannot_be_logged_is_refused(
    world: World, metadata: dict[str, Any], headers: dict[str, str], param: str
) -> None:
    body: dict[str, Any] = {"model": world.alias, "messages": MSG}
    if metadata:
        body["metadata"] = metadata
    before = len(world.fake.requests)
    r = await world.api.post(
        "/v1/chat/completions", json=body, headers={**world.headers, **headers}
    )
    assert r.status_code == 400, r.text
    error = r.json()["error"]
    assert error["type"] == "invalid_request_error" and error["param"] == param
    assert len(world.fake.requests) == before  # refused before the provider was asked


def _event(org: uuid.UUID, correlation_id: str, **fields: Any) -> UsageEvent:
    values: dict[str, Any] = {"status": "success", "http_status": 200, **fields}
    return UsageEvent(
        org_id=org,
        endpoint="chat.completions",
        type="chat.completions",
        correlation_id=correlation_id,
        **values,
    )


def _logged(marker: str) -> Any:
    return (
        select(func.count())
        .select_from(InferenceLog)
        .where(InferenceLog.correlation_id.startswith(marker))
    )


async def test_an_unstorable_event_does_not_hold_back_the_others(
    world: World, runtime: Runtime, app: Any
) -> None:
    """An upstream error message with a NUL (PostgreSQL text cannot hold one) and an over-long
    field are made storable; the batch they share with a normal call is written whole."""
    meter = app.state.gateway.meter
    org = uuid.UUID(world.org.org_id)
    marker = uuid.uuid4().hex
    meter.record(
        _event(
            org,
            f"{marker}-nul",
            status="error",
            http_status=502,
            model="m" * 300,
            error="upstream said \u0000 and more",
            tags=["ok", "bad\u0000tag"],
        )
    )
    meter.record(_event(org, f"{marker}-fine"))
    assert await _wait_for(runtime, _logged(marker), 2) == 2
    async with runtime.read_sessions() as s:
        row = (
            await s.execute(
                select(InferenceLog).where(InferenceLog.correlation_id == f"{marker}-nul")
            )
        ).scalar_one()
    assert row.error is not None and "\u0000" not in row.error and "more" in row.error
    assert row.tags == ["ok", "bad\ufffdtag"] and len(row.model) == 200


async def test_an_event_the_database_refuses_is_set_aside_alone(
    world: World, runtime: Runtime, app: Any
) -> None:
    """An event whose rows cannot be written at all (here: its org no longer exists) is set aside
    and logged; the events queued with it are written, and metering goes on."""
    meter = app.state.gateway.meter
    marker = uuid.uuid4().hex
    dropped = meter.dropped
    meter.record(_event(uuid.uuid4(), f"{marker}-orphan"))
    meter.record(_event(uuid.UUID(world.org.org_id), f"{marker}-fine"))
    assert await _wait_for(runtime, _logged(marker), 1) == 1
    assert meter.dropped == dropped + 1
    r = await world.api.post(
        "/v1/chat/completions", json={"model": world.alias, "messages": MSG}, headers=world.headers
    )
    assert r.status_code == 200
