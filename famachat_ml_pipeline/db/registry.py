"""The model registry: ml_trained_models and ml_training_jobs. At most one active model per type. Its
writes wait for a lock no longer than the ml_* writers do (`writer.write_transaction`)."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from famachat_ml_pipeline.db import schema
from famachat_ml_pipeline.db.writer import write_transaction

jobs, models = schema.ml_training_jobs, schema.ml_trained_models


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def start_training_job(engine: sa.Engine, model_type: str, run_id: str | None = None) -> int:
    with write_transaction(engine) as conn:
        return int(
            conn.execute(
                jobs.insert()
                .values(model_type=model_type, status="PENDING", progress=0.0, celery_task_id=run_id)
                .returning(jobs.c.id)
            ).scalar_one()
        )


def update_training_job(
    engine: sa.Engine,
    job_id: int,
    status: str,
    progress: float,
    model_id: int | None = None,
    error: str | None = None,
) -> None:
    values: dict[str, Any] = {"status": status, "progress": progress}
    if status == "RUNNING":  # set once, by the first progress update (later ones keep it)
        values["started_at"] = sa.func.coalesce(jobs.c.started_at, _now())
    if status in FINISHED:
        values["completed_at"] = _now()
    if model_id is not None:
        values["model_id"] = model_id
    if error is not None:
        values["error_message"] = error[:4000]
    with write_transaction(engine) as conn:
        conn.execute(jobs.update().where(jobs.c.id == job_id).values(values))


FINISHED = frozenset({"COMPLETED", "FAILED", "CANCELLED"})


def runs_with_unfinished_training_jobs(engine: sa.Engine) -> list[str]:
    """The Dagster run ids of the training jobs still PENDING or RUNNING."""
    query = (
        sa.select(jobs.c.celery_task_id)
        .where(jobs.c.celery_task_id.is_not(None), jobs.c.status.not_in(list(FINISHED)))
        .distinct()
    )
    with engine.connect() as conn:
        return sorted(conn.execute(query).scalars())


def close_training_jobs_of_run(engine: sa.Engine, run_id: str, status: str, reason: str) -> int:
    """Mark the unfinished training jobs of a run that ended without finishing them `status` (FAILED or
    CANCELLED), with why."""
    if status not in FINISHED:
        raise ValueError(f"{status} is not a finished job status ({', '.join(sorted(FINISHED))})")
    with write_transaction(engine) as conn:
        return conn.execute(
            jobs.update()
            .where(jobs.c.celery_task_id == run_id, jobs.c.status.not_in(list(FINISHED)))
            .values(status=status, completed_at=_now(), error_message=reason[:4000])
        ).rowcount


def unique_version(run_id: str | None) -> str:
    """A model version no other training shares, even in the same second: the UTC second (sortable) plus
    the run id's first 8 characters, or a random suffix outside a run."""
    suffix = (run_id or uuid.uuid4().hex)[:8]
    return f"{dt.datetime.now(dt.UTC):v%Y%m%d%H%M%S}-{suffix}"


def register_model(
    engine: sa.Engine,
    *,
    name: str,
    model_type: str,
    version: str,
    path: str,
    parameters: dict,
    feature_columns: list[str],
    training_metrics: dict,
    validation_metrics: dict,
    samples_count: int,
    data_start: dt.date,
    data_end: dt.date,
    activate: bool,
) -> int:
    """Insert a trained model as ACTIVE or READY, retiring the previous active one either way, in one
    transaction: the newest evaluation decides, so a model that no longer beats persistence hands
    classification back to the rules rather than to an older model."""
    with write_transaction(engine, models.name) as conn:
        conn.execute(
            models.update()
            .where(models.c.model_type == model_type, models.c.is_active.is_(True))
            .values(is_active=False, status="DEPRECATED")
        )
        return int(
            conn.execute(
                models.insert()
                .values(
                    name=name,
                    model_type=model_type,
                    version=version,
                    model_path=path,
                    parameters=_jsonable(parameters),
                    feature_columns=feature_columns,
                    training_metrics=_jsonable(training_metrics),
                    validation_metrics=_jsonable(validation_metrics),
                    status="ACTIVE" if activate else "READY",
                    is_active=activate,
                    samples_count=samples_count,
                    training_data_start=dt.datetime.combine(data_start, dt.time()),
                    training_data_end=dt.datetime.combine(data_end, dt.time()),
                    trained_at=_now(),
                )
                .returning(models.c.id)
            ).scalar_one()
        )


@dataclass(frozen=True)
class ActiveModel:
    id: int
    version: str
    path: str


def active_model(engine: sa.Engine, model_type: str) -> ActiveModel | None:
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(models.c.id, models.c.version, models.c.model_path)
            .where(models.c.model_type == model_type, models.c.is_active.is_(True))
            .order_by(models.c.id.desc())
            .limit(1)
        ).first()
    return ActiveModel(int(row[0]), row[1], row[2]) if row else None


def mark_used(engine: sa.Engine, model_id: int) -> None:
    with write_transaction(engine) as conn:
        conn.execute(models.update().where(models.c.id == model_id).values(last_used_at=_now()))


def _jsonable(value: Any) -> Any:
    """Round-trip through JSON so numpy scalars and dates become plain JSON values."""
    return json.loads(json.dumps(value, default=lambda o: o.item() if hasattr(o, "item") else str(o)))
