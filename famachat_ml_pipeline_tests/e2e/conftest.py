"""One served deployment per session (the e2e tests share an xdist group): starting it and running the
first accounts is the slow part."""

from __future__ import annotations

from collections.abc import Iterator

import dagster as dg
import pytest

from famachat_ml_pipeline_tests.e2e.served import Served, serve


@pytest.fixture(scope="session")
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
