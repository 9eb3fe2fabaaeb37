"""Routers of seed 004's model factory; ``main.create_app`` includes every one in ``routers``."""

from __future__ import annotations

from fastapi import APIRouter

from spacegate.api.factory import clusters

routers: list[APIRouter] = [clusters.router]
