"""Routers of seed 004's model factory; ``main.create_app`` includes every one in ``routers``."""

from __future__ import annotations

from fastapi import APIRouter

from spacegate.api.factory import (
    benchmarks,
    checkpoints,
    clusters,
    connectors,
    data_models,
    evaluations,
    leaderboards,
    trainings,
    webhooks,
)

routers: list[APIRouter] = [
    connectors.router,
    data_models.router,
    trainings.router,
    checkpoints.router,
    benchmarks.router,
    evaluations.router,
    leaderboards.router,
    webhooks.inbound,
    webhooks.subscriptions,
    clusters.router,
]
