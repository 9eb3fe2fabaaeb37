"""Ray's dashboard over HTTP: its version, nodes and resources, Serve applications, and the Job
Submission API (packages, submit, status, logs, stop). No Ray import: the server needs none."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import httpx

#: Ray job states that are final.
FINISHED = frozenset({"SUCCEEDED", "FAILED", "STOPPED"})


class RayUnavailable(Exception):
    """The cluster did not answer (or answered something that is not Ray's dashboard)."""


class RayRefused(Exception):
    """The cluster answered with an error (a bad request, a refused token)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class JobState:
    status: str
    message: str | None
    #: Exit code and times as Ray reports them (absent while pending).
    driver_exit_code: int | None = None

    @property
    def finished(self) -> bool:
        return self.status in FINISHED


@dataclass
class RayDashboard:
    http: httpx.AsyncClient
    base_url: str
    token: str | None = None
    timeout: float = 10.0

    async def _call(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        content: bytes | None = None,
        seconds: float | None = None,
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        try:
            response = await self.http.request(
                method,
                self.base_url.rstrip("/") + path,
                json=json,
                content=content,
                headers=headers,
                timeout=seconds or self.timeout,
            )
        except httpx.HTTPError as exc:
            raise RayUnavailable(
                f"the cluster at {self.base_url} did not answer ({exc!r})"
            ) from exc
        if response.status_code in (502, 503, 504):
            raise RayUnavailable(f"the cluster at {self.base_url} answered {response.status_code}")
        return response

    async def _json(self, method: str, path: str, **kw: Any) -> Any:
        response = await self._call(method, path, **kw)
        if response.status_code >= 400:
            raise RayRefused(response.status_code, _message(response))
        try:
            return response.json()
        except ValueError:
            raise RayUnavailable(
                f"the cluster at {self.base_url} did not answer as Ray's dashboard"
            ) from None

    async def version(self) -> dict[str, Any]:
        body = await self._json("GET", "/api/version")
        if not isinstance(body, dict) or "ray_version" not in body:
            raise RayUnavailable(f"{self.base_url} is not a Ray dashboard (no /api/version)")
        return body

    async def nodes(self) -> list[dict[str, Any]]:
        body = await self._json("GET", "/api/v0/nodes?limit=1000&detail=true")
        rows = (((body or {}).get("data") or {}).get("result") or {}).get("result") or []
        return [r for r in rows if isinstance(r, dict)]

    async def usage(self) -> dict[str, list[float]]:
        """Resource -> [used, total], cluster-wide."""
        body = await self._json("GET", "/api/cluster_status")
        status = ((body or {}).get("data") or {}).get("clusterStatus") or {}
        usage = (status.get("loadMetricsReport") or {}).get("usage") or {}
        return {k: [float(v[0]), float(v[1])] for k, v in usage.items() if len(v) == 2}

    async def serve_applications(self) -> dict[str, Any]:
        """What Ray Serve serves; empty when Serve is not running on the cluster."""
        response = await self._call("GET", "/api/serve/applications/")
        if response.status_code >= 400:
            return {}
        try:
            body = response.json()
        except ValueError:
            return {}
        apps = body.get("applications") if isinstance(body, dict) else None
        return apps if isinstance(apps, dict) else {}

    # -- jobs -------------------------------------------------------------------------------

    async def upload_package(self, zipped: bytes) -> str:
        """Upload a working directory (a zip); answers its ``gcs://`` URI for ``runtime_env``.
        Named by content, as Ray's own client names packages: one is never sent twice."""
        name = f"_ray_pkg_{hashlib.sha1(zipped).hexdigest()}.zip"  # noqa: S324 (a name, not security)
        exists = await self._call("GET", f"/api/packages/gcs/{name}")
        if exists.status_code != 200:
            put = await self._call("PUT", f"/api/packages/gcs/{name}", content=zipped, seconds=60)
            if put.status_code >= 400:
                raise RayRefused(put.status_code, _message(put))
        return f"gcs://{name}"

    async def submit(
        self,
        *,
        entrypoint: str,
        submission_id: str,
        runtime_env: dict[str, Any],
        metadata: dict[str, str],
        num_cpus: float | None = None,
        num_gpus: float | None = None,
    ) -> str:
        body: dict[str, Any] = {
            "entrypoint": entrypoint,
            "submission_id": submission_id,
            "runtime_env": runtime_env,
            "metadata": metadata,
        }
        if num_cpus is not None:
            body["entrypoint_num_cpus"] = num_cpus
        if num_gpus:
            body["entrypoint_num_gpus"] = num_gpus
        response = await self._call("POST", "/api/jobs/", json=body)
        if response.status_code == 400 and "already exists" in response.text:
            return submission_id  # a resubmission after a lost answer: it is the same job
        if response.status_code >= 400:
            raise RayRefused(response.status_code, _message(response))
        return str(response.json().get("submission_id") or submission_id)

    async def status(self, submission_id: str) -> JobState | None:
        """The job's state, or None when the cluster does not know it (lost with a restart)."""
        response = await self._call("GET", f"/api/jobs/{submission_id}")
        if response.status_code == 404:
            return None
        if response.status_code >= 400:
            raise RayRefused(response.status_code, _message(response))
        body = response.json()
        code = body.get("driver_exit_code")
        return JobState(
            str(body.get("status")), body.get("message"), int(code) if code is not None else None
        )

    async def logs(self, submission_id: str) -> str:
        body = await self._json("GET", f"/api/jobs/{submission_id}/logs")
        return str((body or {}).get("logs") or "")

    async def delete(self, submission_id: str) -> None:
        """Forget a finished job (its id can then be submitted again)."""
        response = await self._call("DELETE", f"/api/jobs/{submission_id}")
        if response.status_code >= 400 and response.status_code != 404:
            raise RayRefused(response.status_code, _message(response))

    async def stop(self, submission_id: str) -> bool:
        response = await self._call("POST", f"/api/jobs/{submission_id}/stop")
        if response.status_code == 404:
            return False
        if response.status_code >= 400:
            raise RayRefused(response.status_code, _message(response))
        return bool(response.json().get("stopped", True))


def _message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:300] or f"HTTP {response.status_code}"
    if isinstance(body, dict):
        return str(body.get("detail") or body.get("msg") or body.get("message") or body)[:300]
    return str(body)[:300]
