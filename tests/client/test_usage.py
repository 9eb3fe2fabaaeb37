"""Inference through the official ``openai`` SDK (the documented recipe), then its logs, summary,
per-day usage and a follow that sees new calls arrive."""

from __future__ import annotations

import openai

from spacegate.client import AsyncSpacegate, LogFilter, Spacegate
from spacegate.wire.platform.inference_logs import InferenceLogRead
from tests.client.fixtures import make_setup
from tests.factories import OrgCtx
from tests.fakes.provider import FakeProvider
from tests.live import LiveServer


def _chat(server: LiveServer, owner: OrgCtx, space_id: str, alias: str, text: str) -> str:
    # The recipe the client's documentation gives: base_url, api_key and X-Space-Id.
    with openai.OpenAI(
        base_url=f"{server.url}/v1",
        api_key=owner.key,
        default_headers={"X-Space-Id": space_id},
    ) as ai:
        reply = ai.chat.completions.create(
            model=alias, messages=[{"role": "user", "content": text}]
        )
    return reply.choices[0].message.content or ""


async def test_logs_summary_daily_and_follow(
    sg: Spacegate, server: LiveServer, owner: OrgCtx, upstream: FakeProvider
) -> None:
    setup = make_setup(sg, upstream)
    assert _chat(server, owner, setup.space_id, setup.alias, "one") == "Echo: one"

    follow = sg.inference_logs.follow(
        LogFilter(space_id=setup.space_id), interval=0.05, history=True
    )
    first = next(follow)
    assert isinstance(first, InferenceLogRead)
    assert (first.model, first.status, str(first.space_id)) == (
        setup.alias,
        "success",
        setup.space_id,
    )

    _chat(server, owner, setup.space_id, setup.alias, "two words")
    second = next(follow)  # blocks, polling, until the new call is logged
    assert second.id != first.id and second.created_at >= first.created_at
    follow.close()

    logs = list(sg.inference_logs.list(LogFilter(model=setup.alias), page_size=1))
    assert [log.id for log in logs] == [second.id, first.id]  # newest first, across pages
    assert list(sg.inference_logs.list(LogFilter(model=setup.alias, status="error"))) == []

    summary = sg.inference_logs.summary(LogFilter(space_id=setup.space_id))
    assert summary.total_calls == 2 and summary.success_rate == 1.0
    assert summary.model_usage[setup.alias].calls == 2
    assert summary.total_tokens == first.total_tokens + second.total_tokens

    days = sg.inference_logs.daily(days=3, filter=LogFilter(space_id=setup.space_id))
    assert len(days) == 3 and days[0].day < days[1].day < days[2].day
    assert sum(d.summary.total_calls for d in days) == 2

    async with AsyncSpacegate(server.url, owner.key) as asg:
        again = [log.id async for log in asg.inference_logs.list(LogFilter(model=setup.alias))]
        assert again == [second.id, first.id]
        assert (await asg.inference_logs.summary(LogFilter(model=setup.alias))).total_calls == 2
        mine = await asg.limits.mine(setup.space_id)
        assert [m.model for m in mine.data] == [setup.alias]
