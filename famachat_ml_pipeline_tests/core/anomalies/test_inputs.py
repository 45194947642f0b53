"""Input fingerprints: which campaigns a run must detect again, and why the others' rows can stay."""

from __future__ import annotations

import datetime as dt

import polars as pl
from polars.testing import assert_frame_equal

from famachat_ml_pipeline.core.anomalies import AnomalyConfig, detect_anomalies
from famachat_ml_pipeline.core.anomalies.inputs import campaigns_to_detect, input_fingerprints
from famachat_ml_pipeline_tests.core.anomalies.reference_fleet import AS_OF, LOOKBACK, reference_fleet

CONFIG = AnomalyConfig()


def _on(frame: pl.DataFrame, config_id: int, day: dt.date, **values: object) -> pl.DataFrame:
    where = (pl.col("config_id") == config_id) & (pl.col("date") == day)
    return frame.with_columns(
        pl.when(where).then(pl.lit(v)).otherwise(pl.col(c)).alias(c) for c, v in values.items()
    )


def test_detections_of_a_subset_of_campaigns_equal_the_full_runs_rows_exactly() -> None:
    """What makes reuse exact: a campaign's detections do not depend on the other campaigns in the frame."""
    fleet = reference_fleet()
    full = detect_anomalies(fleet, AS_OF, lookback_days=LOOKBACK)
    campaigns = fleet.select("config_id", "campaign_id").unique().sort("config_id", "campaign_id")
    for subset in (campaigns.gather_every(7), campaigns.filter(pl.col("config_id").is_in([3, 9001]))):
        alone = detect_anomalies(
            fleet.join(subset, on=["config_id", "campaign_id"]), AS_OF, lookback_days=LOOKBACK
        )
        expected = full.join(subset.rename({"campaign_id": "entity_id"}), on=["config_id", "entity_id"])
        assert alone.height > 0
        assert_frame_equal(alone, expected, check_exact=True)


def test_only_changed_new_and_vanished_campaigns_are_detected_again() -> None:
    fleet = reference_fleet()
    before = input_fingerprints(fleet, AS_OF, LOOKBACK, CONFIG)
    assert before.height == fleet.select("config_id", "campaign_id").n_unique()
    assert campaigns_to_detect(before, before).is_empty()  # nothing changed: nothing to detect

    day = AS_OF - dt.timedelta(days=5)
    restated_id = fleet.filter((pl.col("config_id") == 3) & (pl.col("date") == day))["campaign_id"][0]
    paused_id = fleet.filter((pl.col("config_id") == 5) & (pl.col("status") == "ACTIVE"))["campaign_id"][0]
    gone_id = fleet.filter(pl.col("config_id") == 7)["campaign_id"][0]
    restated = (pl.col("campaign_id") == restated_id) & (pl.col("date") == day)
    changed = fleet.with_columns(
        pl.when(restated).then(pl.col("spend") * 3).otherwise(pl.col("spend")).alias("spend"),
        pl.when(pl.col("campaign_id") == paused_id)
        .then(pl.lit("PAUSED"))
        .otherwise(pl.col("status"))
        .alias("status"),
    ).filter(pl.col("campaign_id") != gone_id)
    scope = campaigns_to_detect(input_fingerprints(changed, AS_OF, LOOKBACK, CONFIG), before)
    assert scope is not None
    assert scope.sort("campaign_id")["campaign_id"].to_list() == sorted([restated_id, paused_id, gone_id])

    # the day before the first day the detection reads, and the day after as_of, change nothing
    old = AS_OF - dt.timedelta(days=200)
    assert campaigns_to_detect(
        input_fingerprints(_on(fleet, 3, old, spend=1.0), AS_OF, LOOKBACK, CONFIG), before
    ).is_empty()


def test_a_new_as_of_or_new_settings_keep_nothing() -> None:
    fleet = reference_fleet()
    before = input_fingerprints(fleet, AS_OF, LOOKBACK, CONFIG)
    for other in (
        input_fingerprints(fleet, AS_OF - dt.timedelta(days=1), LOOKBACK, CONFIG),
        input_fingerprints(fleet, AS_OF, 7, CONFIG),
        input_fingerprints(fleet, AS_OF, LOOKBACK, AnomalyConfig(robust_z_threshold=3.0)),
    ):
        assert campaigns_to_detect(other, before) is None
    assert campaigns_to_detect(before, before.clear()) is None  # nothing stored yet
