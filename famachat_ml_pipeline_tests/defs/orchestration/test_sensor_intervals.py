"""SENSOR_INTERVAL_SECONDS (e2e tests, demos) shortens every sensor's interval, the run-failure alert's
included: the served tests wait for its posts, which otherwise came up to 30 s after a failure. Unset, each
sensor keeps its production interval (the alert's is Dagster's default, 30 s, as before it was named)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from dagster._core.definitions.sensor_definition import DEFAULT_SENSOR_DAEMON_INTERVAL

from famachat_ml_pipeline.definitions import defs

_PROBE = """
import json
from famachat_ml_pipeline.definitions import defs
print(json.dumps({s.name: s.minimum_interval_seconds for s in defs.sensors}))
"""


def _intervals(env: dict[str, str]) -> dict[str, int | None]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE], env=env, capture_output=True, text=True, check=True, timeout=240
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_setting_shortens_every_sensor_the_failure_alert_included() -> None:
    intervals = _intervals({**os.environ, "SENSOR_INTERVAL_SECONDS": "5"})
    assert "run_failure_alert_sensor" in intervals
    assert intervals == dict.fromkeys(intervals, 5)


def test_unset_the_failure_alert_keeps_dagsters_default_interval() -> None:
    assert not os.environ.get("SENSOR_INTERVAL_SECONDS")  # as the definitions were loaded here
    (alert,) = [s for s in defs.sensors if s.name == "run_failure_alert_sensor"]
    assert DEFAULT_SENSOR_DAEMON_INTERVAL == 30
    assert alert.minimum_interval_seconds in (None, DEFAULT_SENSOR_DAEMON_INTERVAL)
