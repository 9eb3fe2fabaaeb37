"""Prometheus metrics, named after the OpenTelemetry GenAI semantic conventions where one exists."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

registry = CollectorRegistry(auto_describe=True)

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120)
_OVERHEAD_BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1)
_TOKEN_BUCKETS = (1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576)

requests = Counter(
    "spacegate_gateway_requests",
    "Gateway calls by operation and outcome.",
    ["gen_ai_operation_name", "status"],
    registry=registry,
)
operation_duration = Histogram(
    "gen_ai_client_operation_duration_seconds",
    "Duration of a gateway call, end to end (gen_ai.client.operation.duration).",
    ["gen_ai_operation_name", "gen_ai_request_model"],
    buckets=_LATENCY_BUCKETS,
    registry=registry,
)
token_usage = Histogram(
    "gen_ai_client_token_usage",
    "Tokens per call by type (gen_ai.client.token.usage; gen_ai.token.type = input|output).",
    ["gen_ai_operation_name", "gen_ai_request_model", "gen_ai_token_type"],
    buckets=_TOKEN_BUCKETS,
    registry=registry,
)
refusals = Counter(
    "spacegate_gateway_refusals",
    "Gateway calls Spacegate refused itself (no provider called), by operation and error code.",
    ["gen_ai_operation_name", "code"],
    registry=registry,
)
overhead = Histogram(
    "spacegate_gateway_overhead_seconds",
    "Time spent in Spacegate itself for a call, excluding the provider.",
    buckets=_OVERHEAD_BUCKETS,
    registry=registry,
)
upstream_errors = Counter(
    "spacegate_upstream_errors",
    "Failed attempts against a provider, by kind (timeout, connect, rate_limited, server, client).",
    ["gen_ai_system", "kind"],
    registry=registry,
)
meter_backlog = Gauge(
    "spacegate_metering_backlog",
    "Usage events waiting to be written.",
    registry=registry,
)
limits_fallback = Counter(
    "spacegate_limits_fallback",
    "Limit checks decided without Redis, by kind (rate, budget) and failure mode (open, closed).",
    ["kind", "mode"],
    registry=registry,
)
limits_backend_errors = Counter(
    "spacegate_limits_backend_errors",
    "Failed calls to the shared limiter store (Redis), by operation (admit, settle).",
    ["operation"],
    registry=registry,
)
limits_refusals = Counter(
    "spacegate_limits_refusals",
    "Calls refused by a limit, by kind (rate, budget, concurrency, unavailable) and scope.",
    ["kind", "scope"],
    registry=registry,
)
