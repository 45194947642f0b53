"""Delivery stops and days of spend without leads, on small hand-made frames."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from scipy import stats

from famachat_ml_pipeline.core.anomalies import detect_anomalies
from famachat_ml_pipeline.core.anomalies.campaign_delivery import _cell_windows, p_zero
from famachat_ml_pipeline.core.anomalies.robust import history, nan_median
from famachat_ml_pipeline_tests.core.anomalies.campaign_frames import AS_OF, DAYS, campaign, only, types

SPEND = np.full(DAYS, 100.0)
WEEKDAY = np.array([(AS_OF - dt.timedelta(days=DAYS - 1 - i)).weekday() for i in range(DAYS)])


def _drops(spend: np.ndarray, leads: np.ndarray):
    return only(detect_anomalies(campaign(spend, leads=leads), AS_OF), "PERFORMANCE_DROP")


def test_p_zero_is_poisson_at_unit_dispersion_and_negative_binomial_above():
    assert p_zero(np.array([10.0]), np.array([1.0]))[0] == pytest.approx(np.exp(-10))
    # NB with mean 10 and variance 20: r = 10, p = 0.5, P(0) = 0.5 ** 10
    assert p_zero(np.array([10.0]), np.array([2.0]))[0] == pytest.approx(0.5**10)


def test_one_day_of_zero_leads_at_normal_spend_is_flagged_that_day():
    leads = np.full(DAYS, 10.0)
    leads[-1] = 0
    out = _drops(SPEND, leads)
    assert out["anomaly_date"].to_list() == [AS_OF]
    assert out["expected_value"][0] == pytest.approx(10.0)
    assert out["severity"][0] == "MEDIUM"  # P = e^-10: z 3.9; a second day makes it CRITICAL


def test_zero_leads_where_they_were_rare_anyway_is_quiet():
    leads = np.where(np.arange(DAYS) % 2 == 0, 1.0, 2.0)  # 1.5 a day: P(0) = 0.22
    leads[-1] = 0
    assert _drops(SPEND, leads).height == 0


def test_zero_leads_on_a_day_that_spent_little_is_quiet():
    leads = np.full(DAYS, 10.0)
    spend = SPEND.copy()
    spend[-1], leads[-1] = 5.0, 0  # 0.5 leads expected for the money
    assert _drops(spend, leads).height == 0


def test_the_weekday_of_few_leads_is_not_an_anomaly():
    # 12 leads a day, but 1 on the last day's weekday: at the average rate 0 would be improbable
    leads = np.where(WEEKDAY[-1] == WEEKDAY, 1.0, 12.0)
    leads[-1] = 0
    assert _drops(SPEND, leads).height == 0
    # the same zero on an ordinary weekday is flagged
    leads = np.where(WEEKDAY[-2] == WEEKDAY, 1.0, 12.0)
    leads[-1] = 0
    assert _drops(SPEND, leads)["anomaly_date"].to_list() == [AS_OF]


def test_overdispersed_leads_make_one_zero_day_plausible():
    leads = np.where(np.arange(DAYS) % 2 == 0, 2.0, 18.0)  # mean 10, variance 64
    leads[-1] = 0
    assert _drops(SPEND, leads).height == 0


def test_paused_campaign_zero_leads_is_quiet():
    leads = np.full(DAYS, 10.0)
    leads[-1] = 0
    frame = campaign(SPEND, leads=leads, status="PAUSED")
    assert only(detect_anomalies(frame, AS_OF), "PERFORMANCE_DROP").height == 0


def test_spend_without_impressions_is_one_zero_impressions_alert():
    impressions = np.round(SPEND * 100)
    impressions[-1] = 0
    out = detect_anomalies(
        campaign(SPEND, impressions=impressions, clicks=np.round(impressions * 0.01)), AS_OF
    )
    assert types(out) & {"ZERO_SPEND", "ZERO_IMPRESSIONS"} == {"ZERO_IMPRESSIONS"}
    assert only(out, "ZERO_IMPRESSIONS")["severity"].to_list() == ["CRITICAL"]


def test_a_stop_of_several_days_is_alerted_once_on_its_first_day():
    spend = SPEND.copy()
    spend[-3:] = 0.0
    frame = campaign(spend, impressions=np.round(spend * 100), leads=np.round(spend / 10))
    out = detect_anomalies(frame, AS_OF, lookback_days=5)
    zero = out.filter(out["anomaly_type"].is_in(["ZERO_SPEND", "ZERO_IMPRESSIONS"]))
    assert zero["anomaly_type"].to_list() == ["ZERO_SPEND"]
    assert zero["anomaly_date"].to_list() == [AS_OF - dt.timedelta(days=2)]
    assert zero["severity"].to_list() == ["CRITICAL"]


def test_cell_windows_are_historys_windows_of_those_cells():
    rng = np.random.default_rng(2)
    x = rng.lognormal(2.0, 1.0, (30, 40))
    x[rng.random(x.shape) < 0.2] = np.nan
    targets = np.arange(0, 40)  # from the first column: windows padded with NaN on the left
    full = history(x, 7, targets)
    r, c = np.nonzero(rng.random((30, 40)) < 0.3)
    assert np.array_equal(_cell_windows(x, r, targets[c], 7), full[r, c], equal_nan=True)
    assert np.array_equal(
        nan_median(_cell_windows(x, r, targets[c], 7), axis=1), nan_median(full, axis=2)[r, c], equal_nan=True
    )


def test_a_run_of_zero_lead_days_stores_each_days_expectation_and_wins_over_the_change_point():
    # 10 leads a day at steady spend, then 3 days of spend without a lead: the tracking break (its test is
    # on the whole run) and the 3-day change point (-100 %) are both CRITICAL on the last two days
    leads = np.full(DAYS, 10.0)
    leads[-3:] = 0
    frame = campaign(SPEND, leads=leads)
    out = only(detect_anomalies(frame, AS_OF, lookback_days=3), "PERFORMANCE_DROP").sort("anomaly_date")
    assert out["anomaly_date"].to_list() == [AS_OF - dt.timedelta(days=k) for k in (2, 1, 0)]
    assert out["severity"].to_list() == ["MEDIUM", "CRITICAL", "CRITICAL"]
    # the day's own 10 leads, not the run's 20 or 30
    assert out["expected_value"].to_list() == pytest.approx([10.0, 10.0, 10.0])
    # a z of the run's probability (e^-30 on the last day), not the change point's -100 %
    assert out["deviation_score"][-1] == pytest.approx(-stats.norm.isf(np.exp(-30.0)))
    assert (out["deviation_score"] > -100).all()
    # the change point does flag those days on its own: the tie is what `finish` settles
    from famachat_ml_pipeline.core.anomalies.campaign import _performance
    from famachat_ml_pipeline.core.anomalies.campaign_frames import n_days_needed, to_matrices
    from famachat_ml_pipeline.core.anomalies.config import DEFAULT_CONFIG

    mats = to_matrices(frame, AS_OF, n_days_needed(DEFAULT_CONFIG, 1), 1)
    quiet = np.zeros((mats.keys.height, 1), dtype=bool)
    change_point = only(_performance(mats, DEFAULT_CONFIG, quiet)[0], "PERFORMANCE_DROP")
    assert change_point["deviation_score"].to_list() == [-100.0]
    assert change_point["severity"].to_list() == ["CRITICAL"]
