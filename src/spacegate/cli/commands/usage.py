"""``spacegate usage`` and ``spacegate logs``: what the gateway served, in sum or call by call."""

from __future__ import annotations

import functools
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any
from zoneinfo import ZoneInfo

import typer

from spacegate.cli.remote import Column, Remote, columns, parse_when, remote, space_id

if TYPE_CHECKING:
    from spacegate.client import LogFilter
    from spacegate.wire.platform.inference_logs import InferenceLogRead

usage = typer.Typer(
    help="Usage: totals, per day, and what is left of your limits.", no_args_is_help=True
)

SpaceOpt = Annotated[str | None, typer.Option("--space", help="Space id or name.")]
ModelOpt = Annotated[str | None, typer.Option("--model", help="Model alias.")]
Since = Annotated[
    str | None, typer.Option(help="From: a date, a time, or a duration ago (24h, 7d).")
]
Until = Annotated[str | None, typer.Option(help="To: a date, a time, or a duration ago.")]
UserOpt = Annotated[str | None, typer.Option("--user", help="User id.")]
KeyOpt = Annotated[str | None, typer.Option("--key", help="API key id: only its calls.")]


def _filter(
    r: Remote,
    space: str | None,
    model: str | None,
    since: str | None = None,
    until: str | None = None,
    user: str | None = None,
    **more: Any,
) -> LogFilter:
    from spacegate.client import LogFilter

    return LogFilter(
        space_id=space_id(r, space) if space else None,
        model=model,
        start_date=parse_when(since),
        end_date=parse_when(until),
        user=user,
        **more,
    )


@remote(usage, "summary")
def summary(
    r: Remote,
    space: SpaceOpt = None,
    model: ModelOpt = None,
    since: Since = None,
    until: Until = None,
    user: UserOpt = None,
    key: KeyOpt = None,
) -> None:
    """Calls, success rate, latency and tokens (the last 30 days unless --since/--until)."""
    f = _filter(r, space, model, since, until, user, api_key_id=key)
    s = r.client.inference_logs.summary(f)
    if r.as_json:
        r.show(s)
        return
    r.show(
        {
            "period": _period(s.period_start_date, s.period_end_date),
            "calls": s.total_calls,
            "success rate": f"{s.success_rate:.1%}",
            "refused": ", ".join(f"{n} {code}" for code, n in sorted(s.refusals.items()))
            if s.refused_calls
            else 0,
            "avg latency ms": f"{s.avg_latency_ms:.1f}",
            "input tokens": s.input_tokens,
            "output tokens": s.output_tokens,
            "total tokens": s.total_tokens,
        }
    )
    r.table(
        sorted(s.model_usage.items()),
        [
            ("model", lambda m: m[0]),
            ("calls", lambda m: m[1].calls),
            ("input tokens", lambda m: m[1].input_tokens),
            ("output tokens", lambda m: m[1].output_tokens),
            ("total tokens", lambda m: m[1].total_tokens),
        ],
    )


@remote(usage, "daily")
def daily(
    r: Remote,
    days: Annotated[int, typer.Option(min=1, max=366, help="How many days, up to today.")] = 7,
    space: SpaceOpt = None,
    model: ModelOpt = None,
    user: UserOpt = None,
) -> None:
    """One row per UTC day: calls, success rate, latency and tokens."""
    rows = r.client.inference_logs.daily(days=days, filter=_filter(r, space, model, user=user))
    if r.as_json:
        r.json_line([{"day": d.day.isoformat(), **d.summary.model_dump(mode="json")} for d in rows])
        return
    r.table(
        rows,
        columns(
            ("day", lambda d: d.day.isoformat()),
            ("calls", "summary.total_calls"),
            (
                "success",
                lambda d: f"{d.summary.success_rate:.0%}" if d.summary.total_calls else None,
            ),
            (
                "avg ms",
                lambda d: f"{d.summary.avg_latency_ms:.0f}" if d.summary.total_calls else None,
            ),
            ("in", "summary.input_tokens"),
            ("out", "summary.output_tokens"),
            ("tokens", "summary.total_tokens"),
        ),
    )


_REPORT_FIELDS = {"day": "day", "model": "model", "space": "space_id", "api_key": "api_key_id"}


@remote(usage, "report")
def report(
    r: Remote,
    group_by: Annotated[
        str, typer.Option("--group-by", help="Comma list of day, model, space, api_key.")
    ] = "day,model",
    space: SpaceOpt = None,
    model: ModelOpt = None,
    key: KeyOpt = None,
    since: Since = None,
    until: Until = None,
    tz: Annotated[
        str | None, typer.Option("--tz", help="Time zone for days (default: the org's).")
    ] = None,
) -> None:
    """Requests, tokens and cost from the usage ledger, grouped (the last 30 days by default)."""
    from spacegate.client import UsageQuery

    query = UsageQuery(
        group_by=tuple(g.strip() for g in group_by.split(",") if g.strip()),
        start=parse_when(since),
        end=parse_when(until),
        space_id=space_id(r, space) if space else None,
        model=model,
        api_key_id=key,
        tz=tz,
    )
    result = r.client.usage.report(query)
    if r.as_json:
        r.show(result)
        return
    fields = [_REPORT_FIELDS[d] for d in result.group_by]
    dims: list[Column] = [
        (d, functools.partial(_grouped, f, i == 0))
        for i, (d, f) in enumerate(zip(result.group_by, fields, strict=True))
    ]
    r.table(
        [*result.data, result.totals] if dims else [result.totals],
        dims
        + columns(
            "requests",
            ("in", "prompt_tokens"),
            ("out", "completion_tokens"),
            ("tokens", "total_tokens"),
            (f"cost ({result.currency})", lambda row: format(row.cost, "f")),
        ),
        title=_period(result.start, result.end, result.tz),
    )


def _period(start: datetime | None, end: datetime | None, tz: str = "UTC") -> str:
    """``2026-01-01 00:00 .. now (UTC)``: each bound in ``tz``; an open end is now, an open
    start the first call."""
    zone = ZoneInfo(tz)

    def shown(when: datetime | None, missing: str) -> str:
        return f"{when.astimezone(zone):%Y-%m-%d %H:%M}" if when else missing

    return f"{shown(start, 'the first call')} .. {shown(end, 'now')} ({tz})"


def _grouped(attr: str, first: bool, row: object) -> object:
    """A grouped field; the last row holds the totals and says so in its first column."""
    if not hasattr(row, attr):
        return "total" if first else None
    return getattr(row, attr)


def _nth(i: int, row: tuple[object, ...]) -> object:
    return row[i]


@remote(usage, "mine")
def mine(r: Remote, space: SpaceOpt = None) -> None:
    """Your models in a space, each limit, what is used and left, and when it resets."""
    report = r.client.limits.mine(space_id(r, space) if space else None)
    if r.as_json:
        r.show(report)
        return
    rows: list[tuple[object, ...]] = []
    for m in report.data:
        for name, rate in m.rates.items():
            rows.append((m.model, name, rate.limit, rate.used, rate.left, rate.resets_at))
        for name, budget in m.budgets.items():
            rows.append(
                (
                    m.model,
                    f"{name}/{budget.period}",
                    budget.limit,
                    budget.used,
                    budget.left,
                    budget.resets_at,
                )
            )
        if not m.rates and not m.budgets:
            rows.append((m.model, "no limits", None, None, None, None))
    r.table(
        rows,
        [
            (h, functools.partial(_nth, i))
            for i, h in enumerate(("model", "limit", "max", "used", "left", "resets"))
        ],
        title=f"space {report.space_id}",
    )


LOG_COLUMNS: list[Column] = columns(
    ("time", "created_at"),
    "model",
    ("status", lambda x: _status(x)),
    ("tokens", "total_tokens"),
    ("ms", lambda x: f"{x.latency_ms:.0f}"),
    ("space", "space_id"),
    ("correlation", "correlation_id"),
    "error",
)


def _status(log: InferenceLogRead) -> str:
    if log.status == "success":
        return log.status
    if log.refused:  # refused by Spacegate itself, and by which rule or limit
        return f"[yellow]refused {log.http_status} {log.refused_by}[/]"
    return f"[red]{log.status} {log.http_status}[/]"


def logs(
    r: Remote,
    space: SpaceOpt = None,
    model: ModelOpt = None,
    status: Annotated[str | None, typer.Option(help="success or error.")] = None,
    user: UserOpt = None,
    key: KeyOpt = None,
    tag: Annotated[str | None, typer.Option(help="Tag.")] = None,
    type: Annotated[str | None, typer.Option(help="Request type.")] = None,
    correlation_id: Annotated[str | None, typer.Option(help="Correlation id.")] = None,
    refused: Annotated[
        bool | None,
        typer.Option(
            "--refused/--not-refused",
            help="Only the calls Spacegate refused itself (a rule, a limit, a budget, a bad "
            "request), or only the others.",
            show_default=False,
        ),
    ] = None,
    code: Annotated[
        str | None, typer.Option("--code", help="Error code, e.g. rate_limit_exceeded.")
    ] = None,
    since: Since = None,
    until: Until = None,
    limit: Annotated[int, typer.Option(min=1, help="Newest calls to show.")] = 50,
    follow: Annotated[
        bool, typer.Option("--follow", "-f", help="Keep printing new calls.")
    ] = False,
    interval: Annotated[
        float, typer.Option(min=0.01, help="Seconds between polls (--follow).")
    ] = 2.0,
    polls: Annotated[
        int | None, typer.Option(min=1, help="Stop following after this many polls.")
    ] = None,
) -> None:
    """Gateway calls, newest first; --follow prints new ones as they arrive (oldest first)."""
    f = _filter(
        r,
        space,
        model,
        since,
        until,
        user,
        status=status,
        tag=tag,
        type=type,
        correlation_id=correlation_id,
        api_key_id=key,
        refused=refused,
        error_code=code,
    )
    if not follow:
        rows: list[object] = []
        for row in r.client.inference_logs.list(f, page_size=min(limit, 100)):
            rows.append(row)
            if len(rows) >= limit:
                break
        r.table(rows, LOG_COLUMNS)
        return
    stream = r.client.inference_logs.follow(
        f, interval=interval, polls=polls, history=since is not None
    )
    for row in stream:
        if r.as_json:
            r.json_line(row.model_dump(mode="json"))  # one object per line, for `jq` and friends
        else:
            r.out.print(
                "  ".join(
                    str(get(row) if get(row) is not None else "-") for _, get in LOG_COLUMNS[:6]
                )
            )
