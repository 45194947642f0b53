"""Feature values against numbers computed by hand, edge cases included."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from famachat_ml_pipeline.core.features import FEATURE_COLUMNS, compute_features, compute_features_wide
from famachat_ml_pipeline.core.frames import DAILY_SCHEMA
from famachat_ml_pipeline.core.vocab import DEFAULT_TIMEZONE
from famachat_ml_pipeline.db.engine import get_engine, migrate
from famachat_ml_pipeline.demo.generator import clean_demo, generate_demo
from famachat_ml_pipeline.demo.loader import write_demo
from famachat_ml_pipeline.source.read import read_daily_insights
from famachat_ml_pipeline_tests.core.dirty_daily import END, dirty_daily

AS_OF = dt.date(2026, 3, 14)  # a Saturday


def frame(campaign: str, spend: list[float], leads: list[int], impressions: int, clicks: int, reach: int):  # noqa: ANN201
    n = len(spend)
    return pl.DataFrame(
        {
            "config_id": [1] * n,
            "campaign_id": [campaign] * n,
            "date": [AS_OF - dt.timedelta(days=n - 1 - i) for i in range(n)],
            "spend": spend,
            "impressions": [impressions] * n,
            "clicks": [clicks] * n,
            "reach": [reach] * n,
            "leads": leads,
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


@pytest.fixture(scope="module")
def features() -> dict[tuple[str, int], dict]:
    daily = pl.concat(
        [
            # A: 14 days; previous week 1 lead a day, this week 5 leads
            frame("A", [10.0] * 14, [1] * 7 + [1, 0, 2, 0, 1, 0, 1], 1000, 20, 500),
            # B: 3 days old, spends without leads
            frame("B", [20.0] * 3, [0, 0, 0], 1000, 10, 1000),
            # C: delivered nothing in 14 days
            frame("C", [0.0] * 14, [0] * 14, 0, 0, 0),
        ]
    )
    out = compute_features(daily, AS_OF)
    return {
        (r["campaign_id"], r["window_days"]): {
            **json.loads(r["features"]),
            "_insufficient": r["insufficient_data"],
        }
        for r in out.iter_rows(named=True)
    }


def test_seven_day_basics(features: dict) -> None:
    a = features[("A", 7)]
    assert (a["spend_7d"], a["impressions_7d"], a["clicks_7d"], a["leads_7d"]) == (70.0, 7000, 140, 5)
    assert a["cpl_7d"] == pytest.approx(14.0)
    assert a["ctr_7d"] == pytest.approx(2.0)
    assert a["cpc_7d"] == pytest.approx(0.5)
    assert a["conversion_rate_7d"] == pytest.approx(5 / 140 * 100)
    assert a["days_with_leads_7d"] == 4
    assert a["frequency_7d"] == pytest.approx(2.0)
    assert a["leads_std_7d"] == pytest.approx(pl.Series([1, 0, 2, 0, 1, 0, 1]).std())


def test_trends_compare_with_the_previous_period(features: dict) -> None:
    a = features[("A", 7)]
    assert a["cpl_trend"] == pytest.approx(40.0)  # 14 vs 10
    assert a["leads_trend"] == pytest.approx((5 - 7) / 7 * 100)
    assert a["spend_trend"] == pytest.approx(0.0)
    assert features[("A", 14)]["cpl_trend"] is None  # no previous 14 days


def test_extended_block_and_status(features: dict) -> None:
    a = features[("A", 7)]
    assert a["leads_14d"] == 12 and a["cpl_14d"] == pytest.approx(140 / 12)
    assert a["leads_30d"] == 12 and a["avg_daily_spend_30d"] == pytest.approx(10.0)  # 14 days available
    assert a["days_active"] == 14 and a["is_active"] is True and a["has_budget"] is True


def test_classifier_inputs_follow_section_5_2(features: dict) -> None:
    a, b = features[("A", 7)], features[("B", 7)]
    account_cpl = (70 + 60) / 5
    assert a["account_cpl_7d"] == pytest.approx(account_cpl)
    assert a["cpl_ratio"] == pytest.approx(14 / account_cpl)
    assert a["leads_7d_normalized"] == pytest.approx(5 / 70 * 100)
    assert a["days_with_leads_ratio"] == pytest.approx(4 / 7)
    assert a["frequency_score"] == pytest.approx(1 - (2 - 1) / 3)
    assert a["consistency_score"] == pytest.approx(4 / 7 * 0.5 + (1 - 40 / 50) * 0.3 + (2 / 3) * 0.2)
    assert set(FEATURE_COLUMNS) <= a.keys()
    # zero leads: cpl undefined, cpl_ratio uses the lower bound spend / 1
    assert b["cpl_7d"] is None and b["cpl_ratio"] == pytest.approx(60 / account_cpl)
    # zero previous period: trend undefined, counted as the midpoint in the consistency score
    assert b["cpl_trend"] is None and b["leads_trend"] is None
    assert b["consistency_score"] == pytest.approx(0 * 0.5 + 0.5 * 0.3 + 1.0 * 0.2)


def test_no_spend_gives_nulls_not_infinities(features: dict) -> None:
    c = features[("C", 7)]
    assert c["spend_7d"] == 0.0
    for key in (
        "cpl_7d",
        "ctr_7d",
        "cpc_7d",
        "frequency_7d",
        "cpl_ratio",
        "ctr_ratio",
        "leads_7d_normalized",
    ):
        assert c[key] is None, key


def test_young_campaign_is_flagged_per_window(features: dict) -> None:
    assert features[("B", 7)]["_insufficient"] is True
    assert features[("B", 7)]["days_in_window_7d"] == 3
    assert features[("A", 7)]["_insufficient"] is False and features[("A", 7)]["days_with_data_7d"] == 7
    assert features[("A", 14)]["_insufficient"] is False
    assert features[("A", 30)]["_insufficient"] is True


def test_unknown_days_are_skipped_not_zeroed() -> None:
    daily = frame("A", [10.0] * 7, [1] * 7, 1000, 20, 500).with_columns(
        spend=pl.when(pl.col("date") == AS_OF).then(None).otherwise(pl.col("spend")),
        leads=pl.when(pl.col("date") == AS_OF).then(None).otherwise(pl.col("leads")),
    )
    row = compute_features(daily, AS_OF).filter(pl.col("window_days") == 7)
    f = json.loads(row["features"][0])
    assert f["spend_7d"] == 60.0 and f["leads_7d"] == 6 and f["cpl_7d"] == pytest.approx(10.0)
    # a 6-day sum is not presented as a full week: the known days are said, and the window is short
    assert (f["days_in_window_7d"], f["days_with_data_7d"], row["insufficient_data"][0]) == (7, 6, True)
    assert f["avg_daily_spend_7d"] == pytest.approx(10.0)  # 60 over the 6 known days, not 7
    assert f["days_with_leads_ratio"] == pytest.approx(1.0)


def test_best_and_worst_weekday() -> None:
    spend = [10.0] * 7
    leads = [5, 1, 1, 1, 1, 1, 0]  # days AS_OF-6 .. AS_OF: Sunday .. Saturday
    f = json.loads(compute_features(frame("A", spend, leads, 1000, 20, 500), AS_OF)["features"][0])
    assert f["best_day_of_week"] == 6  # Sunday (Monday = 0): CPL 2
    assert f["worst_day_of_week"] == 5  # Saturday: spend without leads


def test_weekday_ties_go_to_the_earlier_day_in_any_row_order() -> None:
    # two weeks: Sunday and Wednesday tie on the lowest CPL, Monday and Friday on spend without leads
    spend = [10.0] * 14
    leads = [5, 0, 1, 5, 1, 0, 1] * 2  # AS_OF-13 .. AS_OF: Sunday .. Saturday, twice
    daily = frame("A", spend, leads, 1000, 20, 500)
    seen = set()
    for seed in range(8):  # group_by does not keep order: shuffled rows must not change the answer
        shuffled = daily.sample(fraction=1.0, shuffle=True, seed=seed)
        wide = compute_features_wide(shuffled, AS_OF)
        seen.add((wide["best_day_of_week_14d"][0], wide["worst_day_of_week_14d"][0]))
    assert seen == {(2, 0)}  # Wednesday before Sunday (Monday = 0), Monday before Friday


def test_equal_inputs_give_bit_equal_features(sqlite_url: str) -> None:
    """The account references sum over campaigns; group_by's row order varies between calls, so without a
    fixed order the features differed in their last bits from call to call (20 of 30 calls on this demo),
    and two assets computing them in one run could disagree."""
    migrate(sqlite_url)
    data = generate_demo(n_accounts=3, days=90, seed=7)
    write_demo(get_engine(sqlite_url), data)
    daily = read_daily_insights(get_engine(sqlite_url), [1, 2, 3], data.end_date).daily
    first = compute_features_wide(daily, data.end_date)
    for _ in range(10):
        assert compute_features_wide(daily, data.end_date).equals(first)


def test_without_day_of_week_the_rest_is_unchanged() -> None:
    """The classifier's snapshots skip the weekday columns: every other column stays exactly the same."""
    daily = clean_demo(generate_demo(n_accounts=3, end_date=AS_OF)).daily
    full = compute_features_wide(daily, AS_OF)
    lean = compute_features_wide(daily, AS_OF, day_of_week=False)
    weekday = [c for c in full.columns if "day_of_week" in c]
    assert len(weekday) == 6 and full.height > 30
    assert_frame_equal(lean, full.drop(weekday))


# sha256 (first 16 hex) of compute_features_wide(...).write_csv(), recorded from the implementation of commit
# 9a7595e (a filter inside each window aggregation, days_active by a second group_by): the masked sums and
# the one group_by leave every bit as it was (a 150-campaign account, set-aside days, shuffled rows).
_AT_9A7595E = {
    ("dirty", dt.date(2026, 3, 14), (7, 14, 30), True): "716687943a1fab3b",
    ("dirty", dt.date(2026, 3, 14), (7, 14, 30), False): "4fe54b5153b1016d",
    ("dirty", dt.date(2026, 3, 14), (7,), True): "f03abf3aa27299f0",
    ("dirty", dt.date(2026, 3, 14), (7,), False): "39bc3486edf5a1cc",
    ("dirty", dt.date(2026, 3, 1), (7, 14, 30), True): "6dbfff2bdb30b202",
    ("dirty", dt.date(2026, 3, 1), (7, 14, 30), False): "c651aa2e3fbd913d",
    ("dirty", dt.date(2026, 3, 1), (7,), True): "015da2c57a0971d2",
    ("dirty", dt.date(2026, 3, 1), (7,), False): "dbf9b21707ccf134",
    ("demo", dt.date(2026, 3, 14), (7, 14, 30), True): "07e21fac405c92b9",
    ("demo", dt.date(2026, 3, 14), (7, 14, 30), False): "b754c007d79271f0",
    ("demo", dt.date(2026, 3, 14), (7,), True): "76ed8841cf56a23b",
    ("demo", dt.date(2026, 3, 14), (7,), False): "dfc4ea65c4691ff6",
    ("demo", dt.date(2026, 3, 1), (7, 14, 30), True): "ed4fcb0114f7d1d2",
    ("demo", dt.date(2026, 3, 1), (7, 14, 30), False): "1767c55be8cf201e",
    ("demo", dt.date(2026, 3, 1), (7,), True): "11e14dcf52ba6b77",
    ("demo", dt.date(2026, 3, 1), (7,), False): "2718eebccd58e968",
}


@pytest.fixture(scope="module")
def dailies() -> dict[str, pl.DataFrame]:
    demo = clean_demo(generate_demo(n_accounts=4, end_date=END)).daily
    return {"dirty": dirty_daily(), "demo": demo}


@pytest.mark.parametrize(("name", "as_of", "windows", "day_of_week"), list(_AT_9A7595E))
def test_features_bit_equal_to_9a7595e(
    dailies: dict[str, pl.DataFrame], name: str, as_of: dt.date, windows: tuple[int, ...], day_of_week: bool
) -> None:
    """(windows=(7,): 14 days of history, so rows older than it, shuffled among the recent ones, and
    campaigns whose last day is older than it: they must neither set `status` nor get a row.)"""
    wide = compute_features_wide(dailies[name], as_of, windows, day_of_week=day_of_week)
    # A window with no known day has null sums since (9a7595e summed its nulls to 0): put the zeros back
    # to show that they are the only difference.
    wide = wide.with_columns(
        pl.when(pl.col(f"days_with_data_{w}d") == 0).then(pl.col(c).fill_null(0)).otherwise(pl.col(c))
        for w in windows
        for c in (f"{m}_{w}d" for m in ("spend", "impressions", "clicks", "leads", "reach"))
    )
    # days_with_data came later (a count the frame had privately): every column of 9a7595e is unchanged
    wide = wide.select(pl.exclude("^days_with_data_.*$"))
    digest = hashlib.sha256(wide.write_csv().encode()).hexdigest()[:16]
    assert digest == _AT_9A7595E[name, as_of, windows, day_of_week]


def test_a_window_whose_every_day_was_set_aside_has_unknown_sums_not_zeros() -> None:
    # D: 10 days, the last 7 set aside (null metrics): its 7-day sums are unknown, its 14-day ones not
    known = frame("D", [10.0] * 3, [1] * 3, 1000, 20, 500)
    unknown = frame("D", [None] * 7, [None] * 7, 0, 0, 0).with_columns(
        pl.lit(None, DAILY_SCHEMA[c]).alias(c) for c in ("impressions", "clicks", "reach")
    )
    daily = pl.concat([known.with_columns(pl.col("date") - dt.timedelta(days=7)), unknown])
    wide = compute_features_wide(daily, AS_OF).row(0, named=True)
    assert wide["days_with_data_7d"] == 0
    for m in ("spend", "impressions", "clicks", "leads", "reach"):
        assert wide[f"{m}_7d"] is None, m
    assert (wide["spend_14d"], wide["leads_14d"], wide["days_with_data_14d"]) == (30.0, 3, 3)
    (row,) = compute_features(daily, AS_OF).filter(pl.col("window_days") == 7).to_dicts()
    assert row["insufficient_data"] and json.loads(row["features"])["spend_7d"] is None
