"""Seed 004 "benchmarks" (``page_size`` + ``page``)."""

from __future__ import annotations

from spacegate.factory.benchmarks import BenchmarkService
from spacegate.resources.router import crud_router
from spacegate.wire.factory.benchmarks import BenchmarkCreate, BenchmarkRead, BenchmarkUpdate

router = crud_router(
    BenchmarkService,
    prefix="/v1/benchmarks",
    tag="benchmarks",
    create=BenchmarkCreate,
    update=BenchmarkUpdate,
    read=BenchmarkRead,
)
