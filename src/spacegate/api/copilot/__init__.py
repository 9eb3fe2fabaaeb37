"""Routers of seed 004's copilot; ``main.create_app`` includes every one listed in ``routers``."""

from __future__ import annotations

from fastapi import APIRouter

from spacegate.api.copilot import (
    action_groups,
    actions,
    arguments,
    chats,
    experts,
    insights,
    personas,
    settings,
)

routers: list[APIRouter] = [
    action_groups.router,
    actions.router,
    personas.router,
    insights.router,
    arguments.router,
    experts.router,
    chats.router,
    settings.router,
]
