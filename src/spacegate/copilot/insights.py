"""Insights: for a client, the model chooses among the given active actions which to take, on
which channel and when, and drafts its argument. The answer is a JSON schema validated strictly
(repaired or asked again once): every field present, the action one of those given, and the
channel one the chosen action allows."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any

import orjson
from pydantic import BaseModel, Field, model_validator
from sqlalchemy.ext.asyncio import AsyncSession

from spacegate.auth.scope import SpaceScope
from spacegate.copilot import clients
from spacegate.copilot.actions import ActionService, channels
from spacegate.copilot.personas import PersonaService
from spacegate.errors import Unprocessable
from spacegate.gateway import structured
from spacegate.gateway.inprocess import ModelClient
from spacegate.kit.cursors import CursorCodec
from spacegate.kit.ids import uuid7
from spacegate.models import Action
from spacegate.wire.copilot.actions import ActionStatus

STEP_TYPE = "insight"
PURPOSE = "copilot.insights"
_ANY_CHANNEL = ("email", "sms", "phone", "push", "whatsapp", "branch")


class InsightAnswerBase(BaseModel):
    action_id: str = Field(description="The id of the chosen action, one of those given.")
    insight: str = Field(min_length=1, description="Why this action suits this client now.")
    thinking: str = Field(default="", description="The reasoning behind the choice.")
    argument: str = Field(min_length=1, description="The argument's headline.")
    argument_content: str = Field(min_length=1, description="The message to send the client.")
    argument_thinking: str = Field(default="", description="Why the argument should work.")
    best_channel: str = Field(min_length=1, description="One of the chosen action's channels.")
    best_time: str = Field(min_length=1, description="When to reach the client.")
    timeliness: str = Field(min_length=1, description="How urgent the action is for the client.")


def answer_schema(actions: list[Action]) -> type[InsightAnswerBase]:
    """The schema of an answer about ``actions``: the action and the channel are checked."""
    allowed = {str(a.id): channels(a) for a in actions}

    class InsightAnswer(InsightAnswerBase):
        @model_validator(mode="after")
        def _choices(self) -> InsightAnswer:
            if self.action_id not in allowed:
                raise ValueError(f"action_id must be one of {sorted(allowed)}")
            options = allowed[self.action_id]
            if options:
                by_fold = {c.casefold(): c for c in options}
                chosen = by_fold.get(self.best_channel.strip().casefold())
                if chosen is None:
                    raise ValueError(
                        f"best_channel must be one of the chosen action's channels: {options}"
                    )
                self.best_channel = chosen
            return self

    return InsightAnswer


@dataclass
class InsightInput:
    actions: list[Action]
    client: Any


async def gather(
    session: AsyncSession,
    scope: SpaceScope,
    cursors: CursorCodec,
    action_ids: list[uuid.UUID],
    client: str | None,
) -> InsightInput:
    """The actions (the given ones, all active; none given: the space's active ones) and the
    client's profile. Reads only: the model is asked afterwards."""
    scope.require("insights:create")
    svc = ActionService(session, scope, cursors)
    actions = await svc.by_ids(action_ids) if action_ids else await svc.active()
    idle = [a for a in actions if a.status != ActionStatus.active.value]
    if idle:
        raise Unprocessable(
            "Insights choose among active actions: "
            + ", ".join(f"'{a.id}' is {a.status}" for a in idle)
            + ".",
            code="action_not_active",
            extra={"param": "actions"},
        )
    if not actions:
        raise Unprocessable(
            "There is no active action to choose from: name some, or activate one.",
            code="no_active_actions",
            extra={"param": "actions"},
        )
    profile = await clients.describe(PersonaService(session, scope, cursors), client)
    return InsightInput(actions, profile)


def action_brief(action: Action) -> dict[str, Any]:
    return {
        "id": str(action.id),
        "name": action.name,
        "description": action.description,
        "type": action.type,
        "priority": action.priority,
        "channels": channels(action) or list(_ANY_CHANNEL),
        "channel_template": action.channel_template,
        "custom_insights": action.custom_insights,
        "start_date": action.start_date.isoformat() if action.start_date else None,
        "end_date": action.end_date.isoformat() if action.end_date else None,
    }


_INSTRUCTIONS = (
    "You are the next-best-action advisor of a financial institution. Given a client and a "
    "list of commercial actions, choose the one action that suits this client best, the best "
    "channel among that action's channels, and the best time to reach the client. Draft the "
    "argument (a headline in `argument`, the message itself in `argument_content`, following "
    "the action's channel_template when it has one, and honouring its custom_insights). Answer "
    "with one JSON object: action_id, insight, thinking, argument, argument_content, "
    "argument_thinking, best_channel, best_time, timeliness."
)


async def generate(
    client: ModelClient,
    given: InsightInput,
    *,
    model: str | None,
    echo: bool,
    max_tokens: int | None,
    temperature: float | None,
    top_p: float | None,
) -> dict[str, Any]:
    insight_id = uuid7()
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": _INSTRUCTIONS},
        {
            "role": "user",
            "content": "Client:\n"
            + orjson.dumps(given.client).decode()
            + "\n\nActions:\n"
            + orjson.dumps([action_brief(a) for a in given.actions]).decode(),
        },
    ]
    model = model or next((a.model_id for a in given.actions if a.model_id), None)
    started = time.monotonic()
    answer = await structured.ask(
        client.labelled(step_type=STEP_TYPE, correlation_id=str(insight_id)),
        answer_schema(given.actions),
        messages,
        name="insight",
        model=model,
        max_tokens=max_tokens,
        temperature=temperature,
        top_p=top_p,
    )
    value = answer.value
    chosen = next(a for a in given.actions if str(a.id) == value.action_id)
    wire: dict[str, Any] = {
        "id": str(insight_id),
        "actions": value.action_id,
        **value.model_dump(exclude={"action_id"}),
        "type": chosen.type,
        "model": answer.model,
        "finish_reason": answer.finish_reason,
        "usage": answer.usage,
        "elapsed_time_in_seconds": round(time.monotonic() - started, 3),
        "error": None,
    }
    if echo:
        wire["messages"] = messages
    return wire
