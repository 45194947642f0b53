"""Each shared demo database (a whole pipeline run) is built by one xdist worker: the tests that use it
are one xdist_group per parameter (conftest.py), so `--dist loadgroup` never sends them to both."""

from __future__ import annotations

import pytest


def test_the_tests_of_a_demo_database_are_one_xdist_group(
    demo_url: str, request: pytest.FixtureRequest
) -> None:
    group = f"demo_url-{request.node.callspec.params['demo_url']}"
    assert [m.args[0] for m in request.node.iter_markers("xdist_group")] == [group]
    if request.config.getoption("dist", "no") == "loadgroup":  # what xdist schedules by
        assert request.node.nodeid.endswith(f"@{group}"), request.node.nodeid
