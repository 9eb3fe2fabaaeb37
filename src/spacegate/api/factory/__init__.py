"""Routers of the factory surface; `main.create_app` includes every one listed in `routers`."""

from __future__ import annotations

from fastapi import APIRouter

routers: list[APIRouter] = []
