"""Each shared demo database (a whole pipeline run) is built by one xdist worker: the tests that use it
are one xdist_group per parameter (conftest.py), so `--dist loadgroup` never sends them to both."""

from __future__ import annotations

import pytest

from famachat_ml_pipeline_tests.agent.conftest import DemoDb
from famachat_ml_pipeline_tests.xdist_fixture_groups import assert_one_group


def test_the_tests_of_a_demo_database_are_one_xdist_group(
    demo_db: DemoDb, request: pytest.FixtureRequest
) -> None:
    assert_one_group(request, "demo_db")
