"""Runtime settings, read from the environment (prefix ``SPACEGATE_``) and ``.env``."""

from __future__ import annotations

import os
import secrets
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

SECRET_FILE = "secret_key"  # noqa: S105  (a file name, not a secret)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SPACEGATE_", env_file=".env", extra="ignore")

    data_dir: Path = Path("./.spacegate")
    database_url: str | None = None
    redis_url: str | None = None
    secret_key: str | None = Field(default=None, repr=False)
    cors_origins: Annotated[list[str], NoDecode] = ["http://localhost:5173"]
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    json_logs: bool = False
    #: Postgres connection pool size per process.
    db_pool_size: int = 10
    #: How long an idempotency key is kept after its request completed.
    idempotency_retention_hours: int = 24
    #: How long an in-flight idempotency claim blocks retries before it is taken over.
    idempotency_lock_seconds: int = 60
    #: Lifetime of a space invitation.
    invitation_ttl_hours: int = 72
    #: How long the gateway trusts a cached key or entitlement without hearing of a change
    #: (changes on this instance, or on others through Redis, apply at once).
    cache_ttl_seconds: float = Field(default=5.0, gt=0)
    #: Let provider base URLs reach private, loopback and link-local addresses (self-hosted).
    allow_private_networks: bool = False
    #: The currency models' prices are entered in (ISO 4217), named beside every cost.
    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    #: Requests per org on the control-plane API (seed 003's default); ``off`` disables it.
    #: Orgs override it through ``PUT /v1/orgs/{org_id}/rate-limit``.
    org_rate_limit: str = "1000/hour,100/minute"
    #: ``api``: the org limit counts control-plane calls; ``all``: gateway calls too (these are
    #: otherwise limited per entitlement and per key).
    org_rate_limit_scope: Literal["api", "all"] = "api"
    #: When Redis is unreachable: ``closed`` refuses calls under a budget (503), ``open`` counts
    #: them in this process. Rate limits always fall back to this process at limit / instances.
    budget_failure_mode: Literal["closed", "open"] = "closed"
    #: How many replicas share Redis (each takes this share of a limit while Redis is away).
    limits_instances: int = Field(default=1, ge=1)
    #: How long a limit check waits for Redis before falling back.
    limits_redis_timeout_ms: int = Field(default=250, ge=1)
    #: Prefix of the limiter's Redis keys.
    limits_redis_prefix: str = "sg"
    #: Run background jobs (ingestion, scans, trainings...) in this process. Turn it off on
    #: replicas that should only serve requests; any replica with it on takes a share.
    jobs_enabled: bool = True
    #: Long jobs (trainings, dataset ingestions) this process runs at once.
    job_concurrency: int = Field(default=2, ge=1, le=64)
    #: Slots beyond those kept for short jobs (webhook deliveries, evaluations, scans), so they
    #: never wait behind long ones.
    job_short_slots: int = Field(default=1, ge=0, le=64)
    #: How often an idle runner looks for work (a job enqueued here wakes it at once).
    job_poll_seconds: float = Field(default=1.0, gt=0)
    #: A running job's claim lasts this long and is renewed while its worker lives; a worker
    #: that died (``kill -9``) loses it after this, and another worker resumes the job.
    job_lease_seconds: float = Field(default=30.0, gt=0)
    #: Server folders a ``local_file`` dataset may read (comma separated); none by default.
    dataset_roots: Annotated[list[Path], NoDecode] = []
    #: Largest file an upload into a dataset may be.
    dataset_upload_max_bytes: int = Field(default=50 * 1024 * 1024, ge=1)

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [o.strip() for o in value.split(",") if o.strip()]
        return value

    @field_validator("dataset_roots", mode="before")
    @classmethod
    def _split_roots(cls, value: object) -> object:
        if isinstance(value, str):
            return [p.strip() for p in value.split(",") if p.strip()]
        return value

    @field_validator("org_rate_limit")
    @classmethod
    def _rate_spec(cls, value: str) -> str:
        from spacegate.limits.policy import parse, render

        return render(parse(value))

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @cached_property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'spacegate.db').resolve()}"

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")

    @cached_property
    def resolved_secret_key(self) -> bytes:
        """The server secret: from the environment, else a file in DATA_DIR created on first use."""
        if self.secret_key:
            return self.secret_key.encode()
        path = self.data_dir / SECRET_FILE
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:  # another worker won the race
                pass
            else:
                with os.fdopen(fd, "w") as fh:
                    fh.write(secrets.token_urlsafe(48))
        return path.read_text().strip().encode()


def get_settings() -> Settings:
    return Settings()
