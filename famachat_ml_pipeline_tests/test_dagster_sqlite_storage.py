"""Dagster's SQLite storage with its engines kept: a run builds a few engines, not one per query; it reads
and writes the same files as Dagster's default; a long-lived process keeps a bounded number."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest
import sqlalchemy as sa
from dagster._core.instance.ref import InstanceRef

from famachat_ml_pipeline.dagster_sqlite_storage import RECENT_SHARDS, CachedEngineSqliteStorage, _Engines
from famachat_ml_pipeline.db.engine import get_engine
from famachat_ml_pipeline.demo.generator import generate_demo
from famachat_ml_pipeline.demo.loader import write_demo
from famachat_ml_pipeline.instance import get_instance, prepare_dagster_home
from famachat_ml_pipeline.runner import run_pipeline
from famachat_ml_pipeline.settings import Settings

SQLITE = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


class _Connections:
    """Every connection any SQLAlchemy engine of this process opens, and the engines (kept alive here, so
    that a disposed engine's id is not reused by the next)."""

    def __init__(self) -> None:
        self.engines: set[sa.Engine] = set()
        self.count = 0

    def __call__(self, conn: sa.Connection) -> None:
        self.engines.add(conn.engine)
        self.count += 1


@pytest.fixture
def connections() -> Iterator[_Connections]:
    seen = _Connections()
    sa.event.listen(sa.Engine, "engine_connect", seen)
    yield seen
    sa.event.remove(sa.Engine, "engine_connect", seen)


@SQLITE
def test_a_run_keeps_its_engines(settings: Settings, connections: _Connections) -> None:
    data = generate_demo(n_accounts=1, days=60, seed=5)
    write_demo(get_engine(settings.database_url), data)
    with get_instance(settings) as instance:
        assert isinstance(instance.get_ref().storage_data.rehydrate(), CachedEngineSqliteStorage)
    (run,) = run_pipeline(settings, as_of=data.end_date, echo=lambda _: None)
    assert run.success
    # Dagster's own SQLite storage built an engine per connection: about 700 for this run.
    assert connections.count > 300
    assert len(connections.engines) < 30, (connections.count, len(connections.engines))


@SQLITE
def test_it_reads_what_dagsters_default_storage_wrote(settings: Settings) -> None:
    home = settings.dagster_home
    home.mkdir(parents=True)
    with dg.DagsterInstance.from_ref(InstanceRef.from_dir(str(home))) as default:  # no dagster.yaml
        assert type(default.get_ref().storage_data.rehydrate()).__name__ == "DagsterSqliteStorage"
        assert dg.materialize([_one_asset], instance=default).success
        (before,) = default.get_runs()
    prepare_dagster_home(settings)
    with get_instance(settings) as ours:
        assert [r.run_id for r in ours.get_runs()] == [before.run_id]
        assert ours.get_latest_materialization_event(dg.AssetKey("one")).run_id == before.run_id
        assert dg.materialize([_one_asset], instance=ours).success
        assert len(ours.get_records_for_run(before.run_id).records) > 5
    with dg.DagsterInstance.from_ref(InstanceRef.from_dir(str(home))) as again:
        assert len(again.get_runs()) == 2


@dg.asset(name="one")
def _one_asset() -> int:
    return 1


def test_the_event_log_keeps_the_most_recent_shards_engines(tmp_path: Path) -> None:
    storage = CachedEngineSqliteStorage.from_config_value(None, {"base_dir": str(tmp_path)})
    events = storage.event_log_storage
    for run in range(RECENT_SHARDS + 5):
        with events.run_connection(f"run-{run}") as conn:
            conn.execute(sa.text("SELECT 1"))
    assert len(events._engines) == RECENT_SHARDS  # type: ignore[attr-defined]
    storage.dispose()
    assert len(events._engines) == 0  # type: ignore[attr-defined]


def test_engines_evicts_the_least_recently_used(tmp_path: Path) -> None:
    engines = _Engines(2)
    a, b, c = (f"sqlite:///{tmp_path / name}.db" for name in "abc")
    first = engines.get(a)
    engines.get(b)
    assert engines.get(a) is first  # a used again: b is now the oldest
    engines.get(c)
    assert engines.get(a) is first and len(engines) == 2
