"""A fleet on which every one of the 12 anomaly types fires, and the detector's output on it as recorded
before the detector was optimised.

The demo generator's incidents give most types; a few hand-made campaigns add the ones a demo fleet rarely
shows (SPEND_DROP, REACH_SATURATION, ZERO_IMPRESSIONS). `data/detect_reference.parquet` is
`detect_anomalies(reference_fleet(), AS_OF, lookback_days=28)` as computed by commit 80b6815 (main before
the speed-up); regenerate it from that commit only, never from the code under test:

    mkdir /tmp/fcml-ref && git archive 80b6815 | tar -x -C /tmp/fcml-ref
    T=famachat_ml_pipeline_tests/core/anomalies
    cp $T/reference_fleet.py /tmp/fcml-ref/$T/ && mkdir -p /tmp/fcml-ref/$T/data
    (cd /tmp/fcml-ref && PYTHONPATH=. $OLDPWD/.venv/bin/python -m ${T//\//.}.reference_fleet)
    cp /tmp/fcml-ref/$T/data/detect_reference.parquet $T/data/
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl
from polars.testing import assert_frame_equal

from famachat_ml_pipeline.core.frames import DAILY_SCHEMA
from famachat_ml_pipeline.demo.generator import clean_demo, generate_demo
from famachat_ml_pipeline_tests.core.anomalies.campaign_frames import DAYS, base_spend, campaign, with_last

AS_OF = dt.date(2025, 6, 30)
LOOKBACK = 28
REFERENCE = Path(__file__).parent / "data" / "detect_reference.parquet"


def _hand_made() -> list[pl.DataFrame]:
    """Campaigns (config_id 9001) for the types the demo fleet does not produce on its own."""
    impressions = np.full(DAYS, 10_000.0)
    spend = base_spend()
    no_impressions = np.round(spend * 100)
    no_impressions[-1] = 0.0  # money out, no impression recorded
    frames = {
        "SPEND_DROP": campaign(with_last(base_spend(), 35.0)),
        "REACH_SATURATION": campaign(
            impressions=with_last(impressions, *[13_000.0] * 7), reach=np.full(DAYS, 5_000.0)
        ),
        "ZERO_IMPRESSIONS": campaign(spend, impressions=no_impressions),
    }
    return [
        f.with_columns(pl.lit(f"9001{i:08d}").alias("campaign_id"), pl.lit(9001, pl.Int64).alias("config_id"))
        for i, f in enumerate(frames.values())
    ]


def reference_fleet() -> pl.DataFrame:
    """40 demo accounts (90 days) and the hand-made campaigns, all ending on AS_OF (DAILY_SCHEMA)."""
    demo = clean_demo(generate_demo(n_accounts=40, days=90, seed=11, end_date=AS_OF)).daily
    shifted = [
        f.with_columns(pl.col("date") + (AS_OF - f["date"].max())).select(DAILY_SCHEMA.keys())
        for f in _hand_made()
    ]
    return pl.concat([demo.select(DAILY_SCHEMA.keys()), *shifted]).cast(DAILY_SCHEMA)


if __name__ == "__main__":
    from famachat_ml_pipeline.core.anomalies import detect_anomalies

    found = detect_anomalies(reference_fleet(), AS_OF, lookback_days=LOOKBACK)
    REFERENCE.parent.mkdir(exist_ok=True)
    found.write_parquet(REFERENCE)
    print(found.group_by("anomaly_type").len().sort("anomaly_type"))


def assert_same_detections(found: pl.DataFrame, recorded: pl.DataFrame, order: list[str]) -> None:
    """`found` equals the recorded detections bit for bit, except two deliberate changes since:
    - a day of spend without leads (PERFORMANCE_DROP, observed 0) now stores that day's expected leads, and
      of its equally severe rows the zero-lead test's, not the 3-day change point's
      (`campaign_frames.finish`). Those days keep their keys and severities, and the tests beside the
      detector check their values;
    - a CTR alert raised by the sustained shift alone (the recent days pooled against the history) stores
      those pooled CTRs and the shift's own score, so its values and severity differ (it stored the day's
      CTR and z, which could even contradict its side: 2 of the main fleet's rows), and it is kept on a day
      whose own CTR is unknown. Every recorded CTR alert is still raised, and every one found agrees with
      its side."""
    ctr = pl.col("anomaly_type").str.starts_with("CTR_")
    zero_day = (pl.col("anomaly_type") == "PERFORMANCE_DROP") & (pl.col("observed_value") == 0)
    changed = found.filter(zero_day).select(order)
    a, b = found.filter(~ctr).sort(order), recorded.filter(~ctr).sort(order)
    assert_frame_equal(
        a.join(changed, on=order, how="anti"), b.join(changed, on=order, how="anti"), check_exact=True
    )
    alert = [*order, "severity"]
    assert_frame_equal(
        a.join(changed, on=order, how="semi").select(alert),
        b.join(changed, on=order, how="semi").select(alert),
        check_exact=True,
    )
    found_ctr, recorded_ctr = found.filter(ctr), recorded.filter(ctr)
    assert recorded_ctr.join(found_ctr, on=order, how="anti").height == 0  # none lost
    assert found_ctr.join(recorded_ctr, on=order, how="anti").height <= 3  # the days of unknown CTR
    against = found_ctr.filter(
        pl.when(pl.col("anomaly_type") == "CTR_SPIKE")
        .then(pl.col("observed_value") <= pl.col("expected_value"))
        .otherwise(pl.col("observed_value") >= pl.col("expected_value"))
    )
    assert against.height == 0, against
