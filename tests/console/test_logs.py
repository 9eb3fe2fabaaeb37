"""The inference log page: real gateway calls listed newest first, the API's filters, paging,
each call's details, a refused filter shown in place; a developer sees only their spaces."""

from __future__ import annotations

import asyncio
import html
import re
from urllib.parse import urlencode

from tests.console.conftest import Browser
from tests.factories import invite_and_accept, make_key
from tests.gateway.conftest import World, api, fake_upstream, live, world
from tests.usage.traffic import chat, wait_for_logs

__all__ = ["api", "fake_upstream", "live", "world"]

_CALL = re.compile(r'<tr data-call="([0-9a-f-]{36})">')
_NEXT = re.compile(r'<a href="([^"]+)" rel="next">')
_PREV = re.compile(r'<a href="([^"]+)" rel="prev">')
_KEYS = re.compile(r'<select id="f-api_key_id" name="api_key_id"[^>]*>(.*?)</select>', re.S)
_OPTION = re.compile(r'<option value="([^"]*)"[^>]*>([^<]*)</option>')


def calls(page: str) -> list[str]:
    """The ids of the calls a page lists, top to bottom."""
    return _CALL.findall(page)


def key_options(page: str) -> dict[str, str]:
    """The API key filter's options: value -> label."""
    match = _KEYS.search(page)
    assert match, "no API key filter"
    return {value: html.unescape(label) for value, label in _OPTION.findall(match.group(1))}


def link(pattern: re.Pattern[str], page: str) -> str | None:
    match = pattern.search(page)
    return match.group(1).replace("&amp;", "&") if match else None


async def test_calls_are_listed_filtered_and_paged(world: World, anonymous: Browser) -> None:
    tagged = await chat(
        world,
        world.alias,
        metadata={"tags": ["nightly"], "type": "batch"},
        headers={"X-Correlation-ID": "corr-console"},
    )
    assert tagged.status_code == 200
    broken = await world.model(
        "fails", targets=[{"provider_id": world.provider_id, "upstream_model": "z+500"}]
    )
    assert (await chat(world, broken["alias"])).status_code == 502
    sem = asyncio.Semaphore(16)

    async def one() -> int:
        async with sem:
            return (await chat(world, world.alias)).status_code

    assert await asyncio.gather(*(one() for _ in range(25))) == [200] * 25
    logs = await wait_for_logs(world, 27)
    assert len(logs) == 27
    assert (await anonymous.sign_in(world.org.key)).status_code == 303

    first = await anonymous.get("/console/logs")
    assert first.status_code == 200, first.text
    page1 = calls(first.text)
    assert page1 == [x["id"] for x in logs[:25]]  # newest first, as the API pages them
    assert link(_PREV, first.text) is None
    older = link(_NEXT, first.text)
    assert older == "/console/logs?page=2"
    second = await anonymous.get(older)
    page2 = calls(second.text)
    assert page2 == [x["id"] for x in logs[25:]] and not set(page1) & set(page2)
    assert link(_NEXT, second.text) is None and link(_PREV, second.text) == "/console/logs"

    errors = await anonymous.get("/console/logs", params={"status": "error"})
    [failed] = calls(errors.text)
    assert failed == next(x["id"] for x in logs if x["status"] == "error")
    assert ">fails<" in errors.text and "502" in errors.text
    assert 'value="error" selected' in errors.text
    by_model = await anonymous.get("/console/logs", params={"model": world.alias, "page": "2"})
    assert calls(by_model.text) == [x["id"] for x in logs if x["model"] == world.alias][25:]
    nightly = await anonymous.get("/console/logs", params={"tag": "nightly"})
    [call] = calls(nightly.text)
    # The details show what the API returns for the call.
    row = next(x for x in logs if x["id"] == call)
    for shown in ("corr-console", "nightly", "batch", row["request_id"], str(row["total_tokens"])):
        assert shown in nightly.text
    assert "owner key" in nightly.text and "(team)" in nightly.text
    space = await anonymous.get("/console/logs", params={"space_id": world.space_id})
    assert len(calls(space.text)) == 25 and link(_NEXT, space.text) == (
        "/console/logs?" + urlencode({"space_id": world.space_id, "page": 2})
    )
    none = await anonymous.get("/console/logs", params={"correlation_id": "nothing-like-it"})
    assert calls(none.text) == [] and "No calls match these filters" in none.text

    refused = await anonymous.get("/console/logs", params={"user": "not-a-user", "model": "kept"})
    assert refused.status_code == 422
    assert "valid UUID" in refused.text and 'value="kept"' in refused.text
    backwards = await anonymous.get(
        "/console/logs",
        params={"start_date": "2026-03-10T00:00:00", "end_date": "2026-03-01T00:00:00"},
    )
    assert backwards.status_code == 422 and "start_date must not be after end_date" in (
        backwards.text
    )


async def test_a_developer_sees_only_the_calls_of_their_spaces(
    world: World, anonymous: Browser
) -> None:
    r = await world.api.post(
        "/v1/spaces", json={"name": "skunkworks", "description": ""}, headers=world.org.headers
    )
    other = r.json()["id"]
    await world.entitle(world.model_id, other)
    assert (await chat(world, world.alias)).status_code == 200
    assert (await chat(world, world.alias, space_id=other)).status_code == 200
    logs = await wait_for_logs(world, 2)
    dev = await invite_and_accept(
        world.api, world.org, world.space_id, "dev@example.com", [], role="developer"
    )
    assert (await anonymous.sign_in(str(dev["api_key"]))).status_code == 303

    page = await anonymous.get("/console/logs")
    assert page.status_code == 200, page.text
    assert calls(page.text) == [x["id"] for x in logs if x["space_id"] == world.space_id]
    assert "skunkworks" not in page.text
    filtered = await anonymous.get("/console/logs", params={"space_id": other})
    assert calls(filtered.text) == []


async def test_the_key_filter_lists_the_keys_and_narrows_the_calls(
    world: World, anonymous: Browser
) -> None:
    batch, made = await make_key(world.api, world.org, name="batch job")
    _, idle = await make_key(world.api, world.org, name="idle notebook")
    for _ in range(2):
        assert (await chat(world, world.alias, key=batch)).status_code == 200
    assert (await chat(world, world.alias)).status_code == 200
    logs = await wait_for_logs(world, 3)
    assert (await anonymous.sign_in(world.org.key)).status_code == 303

    page = await anonymous.get("/console/logs")
    options = key_options(page.text)
    assert options[""] == "Any key"
    assert options[str(made["id"])] == f"batch job ({made['prefix']})"
    assert options[str(idle["id"])].startswith("idle notebook (")
    assert any(label.startswith("owner key") for label in options.values())

    by_key = await anonymous.get("/console/logs", params={"api_key_id": str(made["id"])})
    assert by_key.status_code == 200, by_key.text
    assert calls(by_key.text) == [x["id"] for x in logs if x["api_key_id"] == made["id"]]
    assert len(calls(by_key.text)) == 2
    assert f'<option value="{made["id"]}" selected>' in by_key.text
    assert "Clear filters" in by_key.text
    unused = await anonymous.get("/console/logs", params={"api_key_id": str(idle["id"])})
    assert calls(unused.text) == [] and "No calls match these filters" in unused.text
    # A key id the console cannot name (another org's) stays selected and matches nothing.
    foreign = "0190a0a0-0000-7000-8000-000000000000"
    elsewhere = await anonymous.get("/console/logs", params={"api_key_id": foreign})
    assert calls(elsewhere.text) == [] and f'<option value="{foreign}" selected>' in elsewhere.text
    refused = await anonymous.get("/console/logs", params={"api_key_id": "not-a-key"})
    assert refused.status_code == 422 and 'aria-describedby="e-api_key_id"' in refused.text


async def test_a_developer_filters_by_their_own_keys_only(world: World, anonymous: Browser) -> None:
    dev = await invite_and_accept(
        world.api, world.org, world.space_id, "keys@example.com", [], role="developer"
    )
    dev_key = str(dev["api_key"])
    assert (await chat(world, world.alias, key=dev_key)).status_code == 200
    assert (await chat(world, world.alias)).status_code == 200
    logs = await wait_for_logs(world, 2)
    assert (await anonymous.sign_in(dev_key)).status_code == 303

    page = await anonymous.get("/console/logs")
    options = key_options(page.text)
    # Only their own key: a developer may not list the owner's.
    assert list(options) == ["", str(dev["api_key_id"])]
    mine = await anonymous.get("/console/logs", params={"api_key_id": str(dev["api_key_id"])})
    [call] = calls(mine.text)
    assert call == next(x["id"] for x in logs if x["api_key_id"] == dev["api_key_id"])


async def test_refused_calls_are_shown_and_filtered(world: World, anonymous: Browser) -> None:
    assert (await chat(world, "not-entitled-here")).status_code == 403
    assert (await chat(world, world.alias)).status_code == 200
    logs = await wait_for_logs(world, 2)
    refused_id = next(x["id"] for x in logs if x["refused"])
    assert (await anonymous.sign_in(world.org.key)).status_code == 303

    page = await anonymous.get("/console/logs", params={"refused": "true"})
    assert page.status_code == 200, page.text
    assert calls(page.text) == [refused_id]
    assert 'value="true" selected' in page.text
    assert "refused</span> 403" in page.text and "<small>entitlement</small>" in page.text
    assert "model_not_entitled" in page.text  # the details' error code
    reached = await anonymous.get("/console/logs", params={"refused": "false"})
    assert calls(reached.text) == [x["id"] for x in logs if not x["refused"]]
    by_code = await anonymous.get("/console/logs", params={"error_code": "model_not_entitled"})
    assert calls(by_code.text) == [refused_id] and 'value="model_not_entitled"' in by_code.text
    bad = await anonymous.get("/console/logs", params={"refused": "perhaps"})
    assert bad.status_code == 422 and "valid boolean" in bad.text
