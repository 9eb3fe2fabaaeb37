"""Durability under load: client threads create and update spaces while the server is killed
(``kill -9``) and restarted three times; each client keeps a ledger of what the server
acknowledged. Afterwards the database must hold every acknowledged write, nothing twice, and
(on SQLite) pass ``PRAGMA integrity_check``.

Clients behave as real ones do: a create whose answer was lost is retried with the same
``Idempotency-Key`` until answered; an update whose answer was lost may or may not have been
applied, so it is only "acknowledged" once a 2xx came back. Kills are paced by progress (a number
of acknowledged writes since the last restart), never by the clock.
"""

from __future__ import annotations

import contextlib
import random
import sqlite3
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from spacegate.config import Settings
from spacegate.models import Space
from spacegate.runtime import Runtime
from tests.factories import OrgCtx, make_org
from tests.guarantees.harness import server
from tests.guarantees.report import record
from tests.guarantees.state import database

CLIENTS = 4
KILLS = 3
#: Acknowledged writes between two kills, and after the last restart.
WRITES_PER_LIFE = 40


@dataclass
class Ledger:
    """One client's view: what it was told, and what it sent without hearing back."""

    created: dict[str, str] = field(default_factory=dict)  # name -> id
    #: space id -> last acknowledged description
    acked: dict[str, str] = field(default_factory=dict)
    #: space id -> descriptions sent after the last acknowledgement (may or may not be applied)
    pending: dict[str, list[str]] = field(default_factory=dict)
    acks: int = 0
    server_errors: int = 0


class Load:
    def __init__(self, url: str, org: OrgCtx) -> None:
        self.url = url
        self.org = org
        self.stop = threading.Event()
        self.ledgers = [Ledger() for _ in range(CLIENTS)]
        self._threads = [
            threading.Thread(target=self._run, args=(n,), daemon=True) for n in range(CLIENTS)
        ]

    @property
    def acks(self) -> int:
        return sum(lg.acks for lg in self.ledgers)

    def start(self) -> None:
        for t in self._threads:
            t.start()

    def join(self) -> None:
        self.stop.set()
        for t in self._threads:
            t.join(180)
            assert not t.is_alive(), "a client never got its create acknowledged"

    def _send(
        self,
        http: httpx.Client,
        ledger: Ledger,
        method: str,
        path: str,
        json: dict[str, str],
        headers: dict[str, str] | None = None,
    ) -> httpx.Response | None:
        try:
            r = http.request(method, path, json=json, headers=headers or self.org.headers)
        except httpx.TransportError:
            time.sleep(0.05)  # the server is down: try again shortly
            return None
        if r.status_code >= 500:
            ledger.server_errors += 1
        return r

    def _create(self, http: httpx.Client, ledger: Ledger, n: int) -> None:
        name = f"load-{n}-{uuid.uuid4().hex[:10]}"
        key = uuid.uuid4().hex
        headers = {**self.org.headers, "Idempotency-Key": key}
        body = {"name": name, "description": "v0"}
        while True:  # until answered, even after stop: an unanswered create must be settled
            r = self._send(http, ledger, "POST", "/v1/spaces", json=body, headers=headers)
            if r is not None and r.status_code == 201:
                break
            if r is not None and r.status_code == 409:
                time.sleep(float(r.headers.get("retry-after", "1")))
        sid = str(r.json()["id"])
        ledger.created[name] = sid
        ledger.acked[sid] = "v0"
        ledger.acks += 1

    def _update(self, http: httpx.Client, ledger: Ledger, rnd: random.Random) -> None:
        sid = rnd.choice(list(ledger.acked))
        value = f"v-{uuid.uuid4().hex[:8]}"
        ledger.pending.setdefault(sid, []).append(value)
        r = self._send(http, ledger, "PATCH", f"/v1/spaces/{sid}", json={"description": value})
        if r is not None and r.status_code == 200:
            ledger.acked[sid] = value
            ledger.pending[sid] = []
            ledger.acks += 1

    def _run(self, n: int) -> None:
        ledger = self.ledgers[n]
        rnd = random.Random(n)
        with httpx.Client(base_url=self.url, timeout=30) as http:
            while not self.stop.is_set():
                if not ledger.acked or rnd.random() < 0.4:
                    self._create(http, ledger, n)
                else:
                    self._update(http, ledger, rnd)


def _wait_for(load: Load, acks: int) -> None:
    deadline = time.monotonic() + 240
    while load.acks < acks:
        assert time.monotonic() < deadline, f"the load stalled at {load.acks} acknowledged writes"
        time.sleep(0.02)


def _integrity(settings: Settings) -> str:
    if not settings.is_sqlite:
        return "n/a"
    path = make_url(str(settings.database_url)).database
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        rows = conn.execute("PRAGMA integrity_check").fetchall()
    return ", ".join(str(r[0]) for r in rows)


@pytest.mark.slow_guarantee
async def test_no_acknowledged_write_is_lost_or_duplicated_across_three_kills(
    settings: Settings, runtime: Runtime, tmp_path: Path
) -> None:
    org = await make_org(runtime)
    with server(settings, tmp_path, IDEMPOTENCY_LOCK_SECONDS="1") as srv:
        load = Load(srv.url, org)
        load.start()
        try:
            for life in range(1, KILLS + 1):
                _wait_for(load, life * WRITES_PER_LIFE)
                srv.restart()
            _wait_for(load, (KILLS + 1) * WRITES_PER_LIFE)
        finally:
            load.join()
        errors_logged = srv.errors_logged()
        kills = srv.kills
    async with runtime.read_sessions() as s:
        rows = (
            await s.execute(
                select(Space.id, Space.name, Space.description).where(
                    Space.org_id == uuid.UUID(org.org_id)
                )
            )
        ).all()
    by_name: dict[str, list[str]] = {}
    description = {}
    for sid, name, desc in rows:
        by_name.setdefault(name, []).append(str(sid))
        description[str(sid)] = desc
    created = {name: sid for lg in load.ledgers for name, sid in lg.created.items()}
    lost_creates = [n for n, sid in created.items() if sid not in by_name.get(n, [])]
    duplicated = [n for n, ids in by_name.items() if len(ids) > 1]
    strays = [n for n in by_name if n not in created]  # a row no client was told about
    lost_updates = [
        sid
        for lg in load.ledgers
        for sid, value in lg.acked.items()
        if description.get(sid) not in (value, *lg.pending.get(sid, []))
    ]
    integrity = _integrity(settings)
    acknowledged = load.acks
    server_errors = sum(lg.server_errors for lg in load.ledgers) + errors_logged
    record(
        "durability",
        database=database(settings),
        cases=1,
        acknowledged=acknowledged,
        creates=len(created),
        lost=len(lost_creates) + len(lost_updates),
        duplicated=len(duplicated) + len(strays),
        kills=kills,
        integrity=integrity,
        server_errors=server_errors,
    )
    assert kills == KILLS
    assert acknowledged >= (KILLS + 1) * WRITES_PER_LIFE
    assert lost_creates == [] and lost_updates == []
    assert duplicated == [] and strays == []
    assert integrity in ("ok", "n/a")
    assert server_errors == 0
