"""The hourly anomaly job over three demo accounts, ready to run in process."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import dagster as dg
import pytest
import sqlalchemy as sa

from famachat_ml_pipeline.db.engine import get_engine, migrate
from famachat_ml_pipeline.definitions import defs
from famachat_ml_pipeline.defs.shared.schedules import ranged_run_tags
from famachat_ml_pipeline.demo.generator import generate_demo
from famachat_ml_pipeline.demo.loader import write_demo
from famachat_ml_pipeline.instance import get_instance
from famachat_ml_pipeline.settings import Settings


@dataclass
class HourlyJob:
    engine: sa.Engine
    end_date: dt.date
    instance: dg.DagsterInstance
    job: dg.JobDefinition
    tags: dict[str, str]

    def run(self, config: dict) -> dg.ExecuteInProcessResult:
        """One run over the three accounts as of the demo's last day, with `config` for campaign_anomalies."""
        run_config = {"ops": {"campaign_anomalies": {"config": config}}}
        return self.job.execute_in_process(instance=self.instance, tags=self.tags, run_config=run_config)


@pytest.fixture
def hourly_job(settings: Settings) -> HourlyJob:
    data = generate_demo(n_accounts=3, days=60, seed=2)
    engine = get_engine(settings.database_url)
    migrate(settings.database_url)
    write_demo(engine, data)
    instance = get_instance(settings)
    instance.add_dynamic_partitions("config_id", ["1", "2", "3"])
    tags = {**ranged_run_tags("1", "3"), "famachat/as_of": data.end_date.isoformat()}
    return HourlyJob(engine, data.end_date, instance, defs.resolve_job_def("hourly_anomaly_detection"), tags)
