"""Clusters for the matrices: one per space, by space (no path parameter); registering one needs
a live Ray cluster, which tests/clusters starts (here a loopback address is refused first)."""

from __future__ import annotations

from tests.api.makers import body

_NEEDS_RAY = "registering a cluster needs a live Ray dashboard (tests/clusters runs one)"

body(
    "POST /v1/clusters",
    lambda o: {"manager_url": "http://127.0.0.1:1", "ingress_url": "http://127.0.0.1:2"},
    outside=((422,), _NEEDS_RAY),
)
body("PATCH /v1/clusters", lambda o: {"name": "renamed"}, outside=((404,), _NEEDS_RAY))
