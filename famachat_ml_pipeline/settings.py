"""Process settings, read once from the environment (and a local `.env`)."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

DATA_DIR = Path(os.environ.get("FAMACHAT_ML_DATA_DIR", Path.cwd() / ".data")).resolve()


class SettingsError(RuntimeError):
    """A bad environment value, named so that the operator can fix it."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{DATA_DIR / 'famachat_ml.db'}",
        description="SQLAlchemy URL of the database holding the source and ml_* tables.",
    )
    models_storage_path: Path = Field(default=DATA_DIR / "models")
    # Parquet copies of the cleaned daily frame, handed between assets: a folder, or s3://bucket/prefix
    # past one machine. A string, not a Path: pathlib folds "s3://" into "s3:/".
    frames_storage_path: str = Field(default=str(DATA_DIR / "frames"))
    dagster_home: Path = Field(default=DATA_DIR / "dagster_home")
    # Dagster's own run/event storage on Postgres (psycopg2 URL); empty means SQLite under dagster_home.
    dagster_pg_url: str | None = None
    default_timezone: str = "America/Sao_Paulo"
    # Where CRITICAL anomalies and failed runs are posted (Slack-compatible JSON); empty: only logged.
    alert_webhook_url: str | None = None
    # Past one machine: cut fleet runs into ranged runs of at most this many accounts (one per pod);
    # empty means one vectorised run over every account (defs/shared/partitions.py, deploy/README.md).
    max_partitions_per_run: int | None = Field(default=None, ge=1)
    # Shortens every sensor's minimum interval (the end-to-end test, a demo); empty: each sensor's own.
    sensor_interval_seconds: int | None = Field(default=None, ge=1)
    # How often the daemon's run queue launches queued runs (Dagster's `dequeue_interval_seconds`); empty:
    # Dagster's 5 s. The end-to-end test uses 1 s: each of its runs passes through the queue.
    run_queue_interval_seconds: int | None = Field(default=None, ge=1)
    # On Postgres, how long a pipeline write waits for a lock on an ml_* table or row (one a FamaChat
    # transaction holds) before its run fails and is alerted, instead of stalling the run queue
    # (db/writer.py, write_transaction).
    write_lock_timeout_seconds: int = Field(default=60, ge=1)

    # The HTTP API (`famachat-ml api`). With neither ML_API_KEY nor JWT_SECRET set, every protected
    # endpoint refuses: nothing is open by default.
    ml_api_key: str | None = Field(default=None, description="X-API-Key of FamaChat's backend.")
    jwt_secret: str | None = Field(default=None, description="FamaChat's HS256 JWT secret.")
    jwt_config_id_claim: str = "config_id"
    api_rate_limit_per_minute: int = Field(default=60, ge=1, description="Requests per key per minute.")
    api_cors_origins: str = Field(default="", description="Comma-separated allowed origins; empty: none.")
    # Message bodies, questions and answers are logged only when this is set (never the secrets).
    api_debug_log_bodies: bool = False
    # On SIGTERM the API stops taking connections and lets the chats in flight finish for up to this long,
    # then closes them (uvicorn waited for them without end: a stalled LLM call held the stop). One LLM call
    # times out after agent_timeout_seconds; `serve` waits this plus STOP_MARGIN_SECONDS, and
    # deploy/agent-api.yaml's terminationGracePeriodSeconds is longer still (README, "Production").
    api_shutdown_grace_seconds: float = Field(default=60.0, gt=0)

    # The agent (famachat_ml_pipeline/agent). No key means the deterministic offline mode.
    agent_anthropic_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("AGENT_ANTHROPIC_API_KEY", "ANTHROPIC_API_KEY")
    )
    anthropic_base_url: str | None = None  # another Messages API endpoint (a proxy, or a test server)
    # The current Sonnet in anthropic 2.10.0's model list (anthropic/types/model.py) and Anthropic's docs.
    agent_llm_model: str = "claude-sonnet-5-5"
    agent_temperature: float = Field(default=0.3, ge=0.0, le=1.0)
    agent_max_tokens: int = Field(default=4096, ge=1)
    agent_timeout_seconds: float = Field(default=60.0, gt=0)
    agent_max_retries: int = Field(default=2, ge=0)
    agent_max_tool_rounds: int = Field(default=6, ge=1)

    @field_validator(
        "max_partitions_per_run", "sensor_interval_seconds", "run_queue_interval_seconds", mode="before"
    )
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        # `VAR=` (and the exported environment, which writes "" for unset) means the default
        return None if value == "" else value

    @field_validator("database_url")
    @classmethod
    def _valid_url(cls, value: str) -> str:
        try:
            url = make_url(value)
        except ArgumentError as exc:
            raise ValueError(f"not a database URL: {exc}") from exc
        if url.get_backend_name() not in {"sqlite", "postgresql"}:
            raise ValueError(
                f"backend {url.get_backend_name()!r} is not supported (use sqlite or postgresql)"
            )
        if url.get_backend_name() == "postgresql":
            # Our own tables use psycopg 3; a bare postgresql:// URL means the same under SQLAlchemy 2.1.
            url = url.set(drivername="postgresql+psycopg")
        return url.render_as_string(hide_password=False)

    @field_validator("dagster_pg_url")
    @classmethod
    def _valid_dagster_url(cls, value: str | None) -> str | None:
        if not value:
            return None
        # dagster-postgres breaks under psycopg 3 (its NOTIFY uses server-side binding): force psycopg2.
        url = make_url(value)
        if url.get_backend_name() != "postgresql":
            raise ValueError("must be a postgresql URL")
        return url.set(drivername="postgresql+psycopg2").render_as_string(hide_password=False)

    @field_validator("alert_webhook_url")
    @classmethod
    def _valid_webhook_url(cls, value: str | None) -> str | None:
        # Without a scheme (`hooks.slack.com/...`) serve started and every alert tick of the daemon failed
        # with urllib's "unknown url type" and a 50-line traceback. The URL itself is a secret: not echoed.
        if not value:
            return None
        parts = urlsplit(value)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise ValueError(
                "not an http(s) URL (e.g. https://hooks.slack.com/services/...); empty: alerts only logged"
            )
        return value

    @field_validator("default_timezone")
    @classmethod
    def _valid_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown IANA timezone {value!r}") from exc
        return value

    @property
    def cors_origins(self) -> list[str]:
        return [o.strip() for o in self.api_cors_origins.split(",") if o.strip()]

    @property
    def is_postgres(self) -> bool:
        return self.database_url.startswith("postgresql")


def load_settings() -> Settings:
    """Build settings, turning a validation error into one line per bad variable."""
    try:
        return Settings()
    except ValidationError as exc:
        lines = [f"{'.'.join(str(p) for p in err['loc']).upper()}: {err['msg']}" for err in exc.errors()]
        raise SettingsError("invalid settings:\n  " + "\n  ".join(lines)) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()


def resource_environment(settings: Settings) -> dict[str, str]:
    """The variables the Dagster definitions read (shared/resources.py, shared/partitions.py), validated."""
    return {
        "DATABASE_URL": settings.database_url,
        "MODELS_STORAGE_PATH": str(settings.models_storage_path),
        "FRAMES_STORAGE_PATH": str(settings.frames_storage_path),
        "DEFAULT_TIMEZONE": settings.default_timezone,
        "ALERT_WEBHOOK_URL": settings.alert_webhook_url or "",
        "MAX_PARTITIONS_PER_RUN": str(settings.max_partitions_per_run or ""),
        "SENSOR_INTERVAL_SECONDS": str(settings.sensor_interval_seconds or ""),
        "WRITE_LOCK_TIMEOUT_SECONDS": str(settings.write_lock_timeout_seconds),
    }


def export_resource_environment(settings: Settings) -> None:
    """Write the validated values, defaults and normalised URLs included, into the process environment,
    so the resources' `dg.EnvVar`s resolve to exactly what the CLI uses (also under `famachat-ml ui`)."""
    os.environ.update(resource_environment(settings))
