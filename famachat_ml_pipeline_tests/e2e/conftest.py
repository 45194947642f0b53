"""One served deployment for the e2e package (its tests share an xdist group, so one worker runs them all):
starting it and running the first accounts is the slow part (about 40 s each time on a quiet 2-core
machine), so every e2e test uses it, and it stops as soon as the package's last test ran rather than idling
beside the rest of that worker's tests.

The tests that kill a run with -9 (marker `kills_runs`) leave a failed run and a failure post behind, which
the other tests assert there are none of: they run last, after every other e2e test, and assert only about
the runs they made and the posts delivered while they ran."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest

from famachat_ml_pipeline_tests.e2e.served import Served, serve

HERE = Path(__file__).parent


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "kills_runs: kills a served run with -9 (after the other e2e tests)")


def _kills_runs(item: pytest.Item) -> bool:
    return item.get_closest_marker("kills_runs") is not None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Within this package, the run-killing tests last (stable otherwise); other packages are untouched,
    so the package's tests stay together and its deployment starts once."""
    here = [i for i, item in enumerate(items) if item.path.is_relative_to(HERE)]
    for i, item in zip(here, sorted((items[i] for i in here), key=_kills_runs), strict=True):
        items[i] = item


@pytest.fixture(scope="package")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """Served, after the new-accounts sensor ran the demo's two accounts (and the first model was
    trained): nobody typed a command."""
    with serve(tmp_path_factory.mktemp("served")) as deployment:
        deployment.wait(
            lambda: [
                r
                for r in deployment.runs(dg.DagsterRunStatus.SUCCESS)
                if r.tags.get("dagster/sensor_name") == "new_accounts_sensor"
            ],
            300,
            "the new accounts' run",
        )
        deployment.wait(deployment.idle, 240, "the queue to drain (first model, new accounts)")
        yield deployment
