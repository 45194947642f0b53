"""The frame hand-off on object storage: a real S3-compatible server (moto_server) on loopback, and a real
Dagster run whose steps are separate processes (the multiprocess executor), as runs on different pods
would be: ad_insights writes the frame to s3://, campaign_features reads it back in another process."""

from __future__ import annotations

import io
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import boto3
import dagster as dg
import polars as pl
import pytest
import sqlalchemy as sa

from famachat_ml_pipeline.core.vocab import DEFAULT_TIMEZONE
from famachat_ml_pipeline.db import schema
from famachat_ml_pipeline.db.engine import get_engine, migrate
from famachat_ml_pipeline.defs.features.assets import campaign_features
from famachat_ml_pipeline.defs.ingest.assets import ad_insights
from famachat_ml_pipeline.defs.shared.io_managers import (
    remove_frames_except,
    remove_run_frames,
    runs_with_frames,
)
from famachat_ml_pipeline.defs.shared.partitions import config_partitions
from famachat_ml_pipeline.defs.shared.resources import env_resources
from famachat_ml_pipeline.demo.generator import generate_demo
from famachat_ml_pipeline.demo.loader import write_demo
from famachat_ml_pipeline_tests.conftest import instance_for_test
from famachat_ml_pipeline_tests.defs.conftest import count_rows

MOTO_SERVER = str(Path(sys.executable).with_name("moto_server"))
BUCKET = "famachat-frames"
BASE = f"s3://{BUCKET}/frames"
RANGE_TAGS = {"dagster/asset_partition_range_start": "1", "dagster/asset_partition_range_end": "2"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def s3_endpoint(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """moto_server on a free loopback port with an empty bucket; the AWS_* variables point at it (and
    reach the run's step processes, which inherit the environment)."""
    port = _free_port()
    endpoint = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        [MOTO_SERVER, "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=2)
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, "moto_server did not start"
                time.sleep(0.2)
        for name, value in {
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_REGION": "us-east-1",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ALLOW_HTTP": "true",  # polars and obstore refuse plain http otherwise
        }.items():
            monkeypatch.setenv(name, value)
        boto3.client("s3").create_bucket(Bucket=BUCKET)
        yield endpoint
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _keys(prefix: str) -> list[str]:
    """What the bucket holds, read with boto3 (not the library under test)."""
    listed = boto3.client("s3").list_objects_v2(Bucket=BUCKET, Prefix=prefix)
    return sorted(o["Key"] for o in listed.get("Contents", []))


def frames_job() -> dg.JobDefinition:
    """Two assets, each step its own process; resources from the environment as in production."""
    assets = [ad_insights, campaign_features]
    job = dg.define_asset_job(
        "s3_frames", selection=assets, partitions_def=config_partitions, executor_def=dg.multiprocess_executor
    )
    return dg.Definitions(assets=assets, jobs=[job], resources=env_resources()).resolve_job_def("s3_frames")


@pytest.mark.timeout(240)
def test_a_multi_process_run_hands_its_frames_over_s3_and_removes_them(
    s3_endpoint: str, sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    migrate(sqlite_url)
    write_demo(get_engine(sqlite_url), generate_demo(n_accounts=2, days=60, seed=5))
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.setenv("DEFAULT_TIMEZONE", DEFAULT_TIMEZONE)
    monkeypatch.setenv("MODELS_STORAGE_PATH", str(tmp_path / "models"))
    monkeypatch.setenv("FRAMES_STORAGE_PATH", BASE)
    with instance_for_test() as instance:
        instance.add_dynamic_partitions(config_partitions.name, ["1", "2"])
        with dg.execute_job(dg.reconstructable(frames_job), instance=instance, tags=RANGE_TAGS) as result:
            assert result.success
            run_id = result.run_id
            steps = {e.step_key for e in result.all_events if e.is_step_success}
        assert steps >= {"ad_insights", "campaign_features"}
        # the reader found the frame: both accounts' features reached the database
        engine = get_engine(sqlite_url)
        assert count_rows(engine, schema.ml_features) > 0
        with engine.connect() as conn:
            accounts = conn.execute(sa.select(schema.ml_features.c.config_id).distinct()).scalars().all()
        assert sorted(accounts) == [1, 2]

    # the frames live in the bucket, one object per asset under the run, each holding both accounts
    prefix = f"frames/runs/{run_id}/"
    assert _keys(prefix) == [f"{prefix}ad_insights.parquet", f"{prefix}campaign_features.parquet"]
    body = boto3.client("s3").get_object(Bucket=BUCKET, Key=f"{prefix}ad_insights.parquet")["Body"].read()
    assert sorted(pl.read_parquet(io.BytesIO(body))["config_id"].unique()) == [1, 2]
    assert runs_with_frames(BASE) == [run_id]

    remove_run_frames(BASE, run_id)
    assert _keys("frames/") == []
    assert runs_with_frames(BASE) == []
    assert remove_frames_except(BASE, keep_run_ids=[]) == []


def test_the_settings_keep_an_object_storage_url(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI exports the validated settings back into FRAMES_STORAGE_PATH: the URL must survive it."""
    from famachat_ml_pipeline.settings import load_settings, resource_environment

    monkeypatch.setenv("FRAMES_STORAGE_PATH", BASE)
    assert resource_environment(load_settings())["FRAMES_STORAGE_PATH"] == BASE
