"""A seeded demo fleet and `detect_anomalies` on it as main computed it (commit d723d53, before the lookback
speed-ups): what `test_detect_main` holds the optimised detector to, exactly.

`data/detect_main.parquet` holds the detections for lookbacks 1 and 28 (column `lookback`). Regenerate it
from that commit only, never from the code under test:

    mkdir /tmp/fcml-main && git archive d723d53 | tar -x -C /tmp/fcml-main
    T=famachat_ml_pipeline_tests/core/anomalies
    cp $T/detect_main_fleet.py /tmp/fcml-main/$T/ && mkdir -p /tmp/fcml-main/$T/data
    (cd /tmp/fcml-main && PYTHONPATH=. $OLDPWD/.venv/bin/python -m ${T//\//.}.detect_main_fleet)
    cp /tmp/fcml-main/$T/data/detect_main.parquet $T/data/
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from famachat_ml_pipeline.demo.generator import clean_demo, generate_demo

AS_OF = dt.date(2026, 11, 28)
LOOKBACKS = (1, 28)
RECORDED = Path(__file__).parent / "data" / "detect_main.parquet"


def main_fleet() -> pl.DataFrame:
    """80 demo accounts (seed 23), 90 days to AS_OF, through the source cleaner as the reader runs it."""
    return clean_demo(generate_demo(n_accounts=80, days=90, seed=23, end_date=AS_OF)).daily


def detections(daily: pl.DataFrame) -> pl.DataFrame:
    """`detect_anomalies` for each of LOOKBACKS, stacked with a `lookback` column."""
    from famachat_ml_pipeline.core.anomalies import detect_anomalies

    return pl.concat(
        detect_anomalies(daily, AS_OF, lookback_days=n).with_columns(lookback=pl.lit(n, pl.Int32))
        for n in LOOKBACKS
    )


if __name__ == "__main__":
    found = detections(main_fleet())
    RECORDED.parent.mkdir(exist_ok=True)
    found.write_parquet(RECORDED)
    print(found.group_by("lookback", "anomaly_type").len().sort("lookback", "anomaly_type"))
