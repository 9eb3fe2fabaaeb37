"""The usage report through the Python client (sync and async) and ``spacegate usage report``."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from spacegate.client import AsyncSpacegate, Spacegate, UnprocessableEntityError, UsageQuery
from spacegate.runtime import Runtime
from tests.cli_remote.helpers import Cli
from tests.client.fixtures import server
from tests.live import LiveServer
from tests.usage.ledger import make_ledger

__all__ = ["server"]

START = datetime(2026, 3, 1, tzinfo=UTC)
END = datetime(2026, 3, 20, tzinfo=UTC)


async def test_client_and_cli_report(
    client: httpx.AsyncClient, runtime: Runtime, server: LiveServer, tmp_path: Path
) -> None:
    ledger = await make_ledger(client, runtime)
    await ledger.record("red", "alpha", datetime(2026, 3, 5, 9, tzinfo=UTC), calls=2)
    await ledger.record("blue", "beta", datetime(2026, 3, 6, 9, tzinfo=UTC))

    query = UsageQuery(group_by=("day", "space"), start=START, end=END, tz="UTC")
    with Spacegate(server.url, ledger.org.key) as sg:
        report = sg.usage.report(query)
        assert [(str(r.day), r.space_id, r.requests) for r in report.data] == [
            ("2026-03-05", ledger.space_uuid("red"), 2),
            ("2026-03-06", ledger.space_uuid("blue"), 1),
        ]
        assert report.totals.requests == 3
        with pytest.raises(UnprocessableEntityError, match="Nowhere/Else"):
            sg.usage.report(UsageQuery(tz="Nowhere/Else"))
    async with AsyncSpacegate(server.url, ledger.org.key) as asg:
        by_model = await asg.usage.report(UsageQuery(group_by=("model",), start=START, end=END))
        assert {r.model: r.requests for r in by_model.data} == {"alpha": 2, "beta": 1}

    cli = Cli(server.url, ledger.org.key, tmp_path / "config")
    since, until = "2026-03-01", "2026-03-20"
    rows = cli.json("usage", "report", "--group-by", "model", "--since", since, "--until", until)[
        "data"
    ]
    assert {r["model"]: r["requests"] for r in rows} == {"alpha": 2, "beta": 1}
    table = cli.run(
        "usage", "report", "--space", "red", "--since", since, "--until", until, "--tz", "UTC"
    ).stdout
    assert "2026-03-05" in table and "alpha" in table and "total" in table
    assert "beta" not in table
    assert "week" in cli.fails("usage", "report", "--group-by", "week")
