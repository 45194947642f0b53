"""Each shared demo database (a whole pipeline run) is built by one xdist worker: the tests that use it
are one xdist_group per parameter (conftest.py), so `--dist loadgroup` never sends them to both."""

from __future__ import annotations

import pytest

from famachat_ml_pipeline_tests.agent.conftest import DemoDb


def test_the_tests_of_a_demo_database_are_one_xdist_group(
    demo_db: DemoDb, request: pytest.FixtureRequest
) -> None:
    group = f"demo_db-{request.node.callspec.params['demo_db']}"
    assert [m.args[0] for m in request.node.iter_markers("xdist_group")] == [group]
    if request.config.getoption("dist", "no") == "loadgroup":  # what xdist schedules by
        assert request.node.nodeid.endswith(f"@{group}"), request.node.nodeid
