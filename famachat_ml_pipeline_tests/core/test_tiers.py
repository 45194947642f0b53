"""The seed's rule tiers, table-driven at their exact boundaries, plus the documented edge cases."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from famachat_ml_pipeline.core.features import compute_features_wide
from famachat_ml_pipeline.core.frames import DAILY_SCHEMA
from famachat_ml_pipeline.core.tiers import fall_probability, rule_tiers, tier_change_direction
from famachat_ml_pipeline.core.vocab import DEFAULT_TIMEZONE

REF = 100.0  # account CPL


def wide(rows: list[tuple]) -> pl.DataFrame:
    """Rows of (spend, leads, days_with_leads, days_in_window, account_cpl), named as compute_features_wide
    names them."""
    return pl.DataFrame(
        [(1, f"c{i}", *r) for i, r in enumerate(rows)],
        schema={
            "config_id": pl.Int64,
            "campaign_id": pl.String,
            "spend_7d": pl.Float64,
            "leads_7d": pl.Int64,
            "days_with_leads_7d": pl.UInt32,
            "days_in_window_7d": pl.UInt32,
            "account_cpl_7d": pl.Float64,
        },
        orient="row",
    )


CASES = [
    # id, spend, leads, days with leads, days in window, account CPL, expected tier
    ("ratio 0.70, 4 days with leads", 700.0, 10, 4, 7, REF, "HIGH_PERFORMER"),
    ("ratio 0.70, 3 days with leads", 700.0, 10, 3, 7, REF, "MODERATE"),
    ("ratio just above 0.70", 700.01, 10, 7, 7, REF, "MODERATE"),
    ("ratio 0.70 with float noise", 2.1, 3, 4, 7, 1.0, "HIGH_PERFORMER"),  # 2.1 / 3 = 0.7000000000000001
    ("ratio 1.00, 2 leads", 200.0, 2, 2, 7, REF, "MODERATE"),
    ("ratio 1.00, 1 lead", 100.0, 1, 1, 7, REF, "LOW"),
    ("cheap but 1 lead", 50.0, 1, 1, 7, REF, "LOW"),
    ("ratio just above 1.00", 1000.1, 10, 7, 7, REF, "LOW"),
    ("ratio 1.50", 1500.0, 10, 7, 7, REF, "LOW"),
    ("ratio just above 1.50", 1500.1, 10, 7, 7, REF, "UNDERPERFORMER"),
    ("zero leads with spend", 0.01, 0, 0, 7, REF, "UNDERPERFORMER"),
    ("no spend, no leads", 0.0, 0, 0, 7, REF, None),
    ("leads without spend", 0.0, 3, 2, 7, REF, None),
    ("young: 3 days", 700.0, 10, 3, 3, REF, None),
    ("4 days is enough", 600.0, 10, 4, 4, REF, "HIGH_PERFORMER"),
    ("account with no leads", 50.0, 0, 0, 7, None, "UNDERPERFORMER"),
]


@pytest.mark.parametrize(
    ("spend", "leads", "dwl", "days", "ref", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_rule_boundaries(
    spend: float, leads: int, dwl: int, days: int, ref: float | None, expected: str
) -> None:
    out = rule_tiers(wide([(spend, leads, dwl, days, ref)])).row(0, named=True)
    assert out["tier"] == expected
    if expected is None:
        assert out["confidence_score"] is None
    else:
        assert 0.5 <= out["confidence_score"] <= 1.0
    assert out["reason"]


def test_confidence_grows_with_margin_volume_and_history() -> None:
    out = rule_tiers(
        wide(
            [
                (700.0, 10, 7, 7, REF),  # exactly on 0.70: no margin
                (300.0, 10, 7, 7, REF),  # ratio 0.3, 10 leads, full week
                (30.0, 1, 1, 7, REF),  # ratio 0.3 on a single lead (LOW), less volume
                (180.0, 6, 4, 4, REF),  # ratio 0.3, young
                (300.0, 0, 0, 7, REF),  # 3 reference CPLs spent without a lead
                (30.0, 0, 0, 7, REF),  # a tenth of a reference CPL without a lead
                (300.0, 0, 0, 7, None),  # no reference: floor
            ]
        )
    )["confidence_score"].to_list()
    assert out[0] == 0.5
    assert out[1] == 1.0
    assert 0.5 < out[2] < out[1] and 0.5 < out[3] < out[1]
    assert out[4] == 1.0 and 0.5 < out[5] < out[4]
    assert out[6] == 0.5


def _days(campaign: str, config: int, spend: float, leads: int, n: int, end: dt.date) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "config_id": [config] * n,
            "campaign_id": [campaign] * n,
            "date": [end - dt.timedelta(days=n - 1 - i) for i in range(n)],
            "spend": [spend] * n,
            "impressions": [1000] * n,
            "clicks": [10] * n,
            "reach": [800] * n,
            "leads": [leads] * n,
            "has_row": [True] * n,
            "status": ["ACTIVE"] * n,
            "effective_status": ["ACTIVE"] * n,
            "objective": ["OUTCOME_LEADS"] * n,
            "daily_budget": [50.0] * n,
            "currency": ["BRL"] * n,
            "timezone_name": [DEFAULT_TIMEZONE] * n,
        },
        schema=DAILY_SCHEMA,
    )


def test_from_compute_features_wide() -> None:
    end = dt.date(2026, 3, 14)
    daily = pl.concat(
        [
            _days("A", 1, 10.0, 1, 14, end),  # CPL 10 vs account 20: 0.5, 7 days with leads
            _days("B", 1, 30.0, 1, 14, end),  # CPL 30 vs account 20: exactly 1.5
            _days("C", 1, 0.0, 0, 14, end),  # delivered nothing
            _days("D", 1, 20.0, 1, 2, end),  # 2 days old
            _days("E", 2, 15.0, 0, 14, end),  # account 2 has no leads at all
        ]
    )
    out = rule_tiers(compute_features_wide(daily, end))
    tiers = dict(zip(out["campaign_id"], out["tier"], strict=True))
    assert tiers == {"A": "HIGH_PERFORMER", "B": "LOW", "C": None, "D": None, "E": "UNDERPERFORMER"}
    e = out.filter(pl.col("campaign_id") == "E").row(0, named=True)
    assert e["confidence_score"] == 0.5 and "no leads" in e["reason"]


def test_tier_change_direction_by_rank() -> None:
    frame = pl.DataFrame(
        {
            "tier": ["HIGH_PERFORMER", "LOW", "MODERATE", "UNDERPERFORMER", "LOW"],
            "previous_tier": ["MODERATE", "HIGH_PERFORMER", "MODERATE", None, "UNDERPERFORMER"],
        }
    )
    out = frame.select(tier_change_direction("tier", "previous_tier").alias("d"))["d"].to_list()
    assert out == ["UP", "DOWN", "SAME", None, "UP"]  # no previous tier: first classification, no direction


def test_fall_probability_sums_the_tiers_below_today() -> None:
    probs = pl.DataFrame(
        {
            "HIGH_PERFORMER": [0.1, 0.1, 0.7, 0.1, None],
            "MODERATE": [0.2, 0.2, 0.1, 0.2, None],
            "LOW": [0.3, 0.3, 0.1, 0.3, None],
            "UNDERPERFORMER": [0.4, 0.4, 0.1, 0.4, None],
        }
    ).to_struct("probabilities")
    frame = pl.DataFrame(
        {"tier": ["HIGH_PERFORMER", "LOW", "UNDERPERFORMER", None, "MODERATE"], "probabilities": probs}
    ).with_columns(pl.when(pl.col("probabilities").struct.field("LOW").is_not_null()).then("probabilities"))
    out = frame.select(fall_probability().alias("p"))["p"].to_list()
    assert out == [pytest.approx(0.9), pytest.approx(0.4), 0.0, None, None]
