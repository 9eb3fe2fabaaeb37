"""Persona imports: upload (parse, find conflicts, change nothing), then confirm (atomic, with
overwrite | create | skip); the token is single-use, expires and belongs to its space."""

from __future__ import annotations

import io
import json
import uuid
from datetime import date, timedelta

import httpx
import pytest
from fastapi import FastAPI
from openpyxl import Workbook
from sqlalchemy import update

from spacegate.kit.clock import utcnow
from spacegate.models import PersonaUpload
from tests.factories import Caller

CSV = (
    b"name;birthdate;notes;segment\n"
    b"ANA  LIMA;1985-03-15;new notes;retail\n"
    b"Bo Chen;1990-01-02;;sme\n"
)


async def _names(http: httpx.AsyncClient, caller: Caller) -> list[tuple[str, str, str]]:
    r = await http.get("/v1/personas", params={"limit": 100}, headers=caller.headers)
    return sorted((p["name"], p["birthdate"], p["notes"]) for p in r.json()["data"])


async def _upload(
    http: httpx.AsyncClient, caller: Caller, *files: tuple[str, bytes, str]
) -> httpx.Response:
    return await http.post(
        "/v1/personas/upload",
        files=[("files", f) for f in files],
        headers=caller.headers,
    )


async def _existing(http: httpx.AsyncClient, caller: Caller) -> str:
    r = await http.post(
        "/v1/personas",
        json={"name": "Ána Lima", "birthdate": "1985-03-15", "notes": "old"},
        headers=caller.headers,
    )
    assert r.status_code == 201
    return str(r.json()["id"])


@pytest.mark.parametrize(
    ("resolution", "expected", "uploaded"),
    [
        ("overwrite", [("ANA  LIMA", "1985-03-15", "new notes"), ("Bo Chen", "1990-01-02", "")], 2),
        (
            "create",
            [
                ("ANA  LIMA", "1985-03-15", "new notes"),
                ("Bo Chen", "1990-01-02", ""),
                ("Ána Lima", "1985-03-15", "old"),
            ],
            2,
        ),
        ("skip", [("Bo Chen", "1990-01-02", ""), ("Ána Lima", "1985-03-15", "old")], 1),
    ],
)
async def test_upload_shows_conflicts_then_confirm_applies_the_resolution(
    http: httpx.AsyncClient,
    caller: Caller,
    resolution: str,
    expected: list[tuple[str, str, str]],
    uploaded: int,
) -> None:
    existing = await _existing(http, caller)
    before = await _names(http, caller)
    r = await _upload(http, caller, ("people.csv", CSV, "text/csv"))
    assert r.status_code == 200, r.text
    answer = r.json()
    assert answer["total"] == 2 and answer["conflict_personas"] == 1
    assert answer["status"] == "pending" and answer["upload_token"]
    assert answer["conflicts"] == [
        {
            "row": 2,
            "file": "people.csv",
            "name": "ANA  LIMA",
            "birthdate": "1985-03-15",
            "persona_id": existing,
        }
    ]
    assert await _names(http, caller) == before  # nothing changed yet
    token = answer["upload_token"]
    r = await http.post(
        f"/v1/personas/upload/{token}/confirm",
        json={"conflict_resolution": resolution},
        headers=caller.headers,
    )
    assert r.status_code == 200, r.text
    assert r.json()["conflicts_resolved"] == 1 and r.json()["total_uploaded"] == uploaded
    assert await _names(http, caller) == expected
    again = await http.post(
        f"/v1/personas/upload/{token}/confirm",
        json={"conflict_resolution": resolution},
        headers=caller.headers,
    )
    assert again.status_code == 409 and again.json()["code"] == "upload_already_confirmed"


async def test_json_and_xlsx_files_are_read_with_their_extra_columns_in_data(
    http: httpx.AsyncClient, caller: Caller
) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Name", "Date of birth", "Notes", "income"])
    sheet.append(["Cy Dias", date(1970, 5, 6), "x", 4200])
    xlsx = io.BytesIO()
    book.save(xlsx)
    doc = [{"name": "Di Eze", "birthdate": "2000-12-31", "notes": "", "data": {"vip": True}}]
    r = await _upload(
        http,
        caller,
        ("a.xlsx", xlsx.getvalue(), "application/octet-stream"),
        ("b.json", json.dumps({"personas": doc}).encode(), "application/json"),
    )
    assert r.status_code == 200, r.text
    assert r.json()["total"] == 2 and r.json()["conflict_personas"] == 0
    r = await http.post(
        f"/v1/personas/upload/{r.json()['upload_token']}/confirm",
        json={},
        headers=caller.headers,
    )
    assert r.status_code == 200 and r.json()["total_uploaded"] == 2
    people = {
        p["name"]: p
        for p in (await http.get("/v1/personas", headers=caller.headers)).json()["data"]
    }
    assert people["Cy Dias"]["birthdate"] == "1970-05-06"
    assert people["Cy Dias"]["data"] == {"income": 4200}
    assert people["Di Eze"]["data"] == {"vip": True}


async def test_a_file_with_bad_rows_is_refused_naming_them(
    http: httpx.AsyncClient, caller: Caller
) -> None:
    bad = b"name,birthdate,notes,id\nAna,1985-03-15,,x\n,1990-01-01,,\nBo,15/03/1985,,\n"
    r = await _upload(http, caller, ("bad.csv", bad, "text/csv"))
    assert r.status_code == 422, r.text
    rows = r.json()["rows"]
    assert [(e["row"], e["field"]) for e in rows] == [(3, "name"), (4, "birthdate")]
    assert "bad.csv row 3" in r.json()["detail"]
    r = await _upload(http, caller, ("notes.txt", b"hello", "text/plain"))
    assert r.status_code == 422 and r.json()["code"] == "unsupported_file"
    r = await _upload(http, caller, ("x.json", b"{nope", "application/json"))
    assert r.status_code == 422 and r.json()["rows"][0]["field"] == "file"
    assert await _names(http, caller) == []


async def test_a_token_works_only_in_its_space_and_until_it_expires(
    http: httpx.AsyncClient, caller: Caller, local_app: FastAPI
) -> None:
    r = await _upload(http, caller, ("people.csv", CSV, "text/csv"))
    token = r.json()["upload_token"]
    other = await http.post(
        "/v1/spaces", json={"name": "other", "description": ""}, headers=caller.org.headers
    )
    elsewhere = {**caller.org.headers, "X-Space-Id": other.json()["id"]}
    r = await http.post(f"/v1/personas/upload/{token}/confirm", json={}, headers=elsewhere)
    assert r.status_code == 404 and r.json()["code"] == "upload_not_found"
    r = await http.post("/v1/personas/upload/pu_guess/confirm", json={}, headers=caller.headers)
    assert r.status_code == 404
    async with local_app.state.runtime.write_sessions() as s, s.begin():
        await s.execute(
            update(PersonaUpload)
            .where(PersonaUpload.space_id == uuid.UUID(caller.space_id))
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    r = await http.post(f"/v1/personas/upload/{token}/confirm", json={}, headers=caller.headers)
    assert r.status_code == 410 and r.json()["code"] == "upload_expired"
    assert await _names(http, caller) == []
    # The next upload of the space forgets the expired one (it held personal data).
    await _upload(http, caller, ("people.csv", CSV, "text/csv"))
    r = await http.post(f"/v1/personas/upload/{token}/confirm", json={}, headers=caller.headers)
    assert r.status_code == 404


async def test_a_retried_upload_with_its_key_is_replayed_whatever_its_boundary(
    http: httpx.AsyncClient, caller: Caller
) -> None:
    def body(boundary: str) -> bytes:
        return (
            (
                f"--{boundary}\r\n"
                'Content-Disposition: form-data; name="files"; filename="p.csv"\r\n'
                "Content-Type: text/csv\r\n\r\n"
            ).encode()
            + CSV
            + f"\r\n--{boundary}--\r\n".encode()
        )

    answers = []
    for boundary in ("first-attempt-1234", "second-attempt-98765"):
        r = await http.post(
            "/v1/personas/upload",
            content=body(boundary),
            headers={
                **caller.headers,
                "Idempotency-Key": "upload-once",
                "Content-Type": f"multipart/form-data; boundary={boundary}",
            },
        )
        assert r.status_code == 200, r.text
        answers.append(r)
    assert answers[1].headers["idempotent-replayed"] == "true"
    assert answers[0].json()["upload_token"] == answers[1].json()["upload_token"]
