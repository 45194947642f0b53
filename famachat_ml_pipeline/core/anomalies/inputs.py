"""Which campaigns a detection run has to look at again: a fingerprint of each campaign's input rows.

A campaign's detections depend on its own rows in the detection window (`n_days_needed` days up to
as_of) and on the run's settings, nothing else: every statistic is per campaign (see `campaign`). So when
a campaign's rows and the settings are what they were at the last detection, the rows that detection wrote
are still exactly what a new one would write, and the run can leave them alone. That is what makes the
hourly job cheap: within a day, few campaigns change between two runs (a restated day, a late row, a
status change), and a new as_of changes every key, so the first run of a day detects everything.

Fingerprints are 64-bit row hashes summed per campaign. A collision (two different inputs, same sum) has
a probability of about 2^-64 per changed campaign; a hash that differs for equal inputs (another polars
version, another CPU) only costs a detection, so the settings key names the polars version.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import polars as pl

from famachat_ml_pipeline.core.anomalies.campaign_frames import n_days_needed
from famachat_ml_pipeline.core.anomalies.config import AnomalyConfig
from famachat_ml_pipeline.core.frames import DAILY_SCHEMA, KEY

# Bump when a change to the detector changes its output on the same input: otherwise a deploy during the
# day leaves the campaigns that do not change with the old code's rows until the next as_of (at most a day).
DETECTOR_VERSION = "1"

INPUTS_SCHEMA: dict[str, pl.DataType] = {
    "config_id": pl.Int64(),
    "campaign_id": pl.String(),
    "settings": pl.String(),
    "fingerprint": pl.Int64(),
}


def settings_key(as_of: dt.date, lookback_days: int, config: AnomalyConfig) -> str:
    """Everything besides a campaign's rows that its detections depend on, as a short digest."""
    text = f"v{DETECTOR_VERSION} polars {pl.__version__} as_of {as_of} lookback {lookback_days} {config!r}"
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def input_fingerprints(
    daily: pl.DataFrame, as_of: dt.date, lookback_days: int, config: AnomalyConfig
) -> pl.DataFrame:
    """One row per campaign of `daily`: its fingerprint over the rows the detection reads (INPUTS_SCHEMA)."""
    start = as_of - dt.timedelta(days=n_days_needed(config, lookback_days) - 1)
    window = daily.filter(pl.col("date").is_between(start, as_of)).select(DAILY_SCHEMA.keys())
    return (
        window.select(*KEY, pl.Series("h", window.hash_rows(seed=0)))
        .group_by(KEY)
        .agg(pl.col("h").sum())  # wraps modulo 2^64: order-free, and each row names its date
        .select(
            *KEY,
            pl.lit(settings_key(as_of, lookback_days, config)).alias("settings"),
            pl.col("h").reinterpret(signed=True).alias("fingerprint"),  # BIGINT in the database
        )
        .sort(KEY)
    )


def campaigns_to_detect(current: pl.DataFrame, previous: pl.DataFrame) -> pl.DataFrame | None:
    """The campaigns (config_id, campaign_id) whose detections may differ from the stored ones: new or
    changed inputs or settings, and campaigns that left the input (their stored rows must be withdrawn).

    None when no campaign's stored detections can be kept (a new as_of, new settings, nothing stored):
    then the whole slice is detected and rewritten, as without fingerprints.
    """
    kept = current.join(previous, on=[*KEY, "settings", "fingerprint"], how="semi")
    if kept.is_empty():
        return None
    changed = current.join(kept, on=KEY, how="anti").select(KEY)
    gone = previous.join(current, on=KEY, how="anti").select(KEY)
    return pl.concat([changed, gone]).unique().sort(KEY)
