"""The CPL rule: a ratio of expected values, conformal bounds per class of expected leads (Bonferroni
where a class has too few backtest days), no CPL without expected spend."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from famachat_ml_pipeline.core.forecasting import MatrixForecast, derive_cpl, fleet_matrix
from famachat_ml_pipeline.core.forecasting.calibration import _conformal_bounds
from famachat_ml_pipeline.core.forecasting.cpl import MIN_CPL_ERRORS, cpl_log_bounds
from famachat_ml_pipeline.demo.generator import clean_demo, generate_demo
from famachat_ml_pipeline.evaluation.forecasts import backtest_cpl


def _mf(p: float, lo: float, hi: float) -> MatrixForecast:
    a = np.full((1, 1), 1.0)
    return MatrixForecast(a * p, a * lo, a * hi, np.array(["x"]), np.array([False]))


def test_derive_cpl_rule_without_a_backtest_is_bonferroni() -> None:
    c = derive_cpl(_mf(100, 80, 120), _mf(4, 2, 7))
    assert (c.point[0, 0], c.lower[0, 0], c.upper[0, 0]) == (25.0, 80 / 7, 60.0)
    c = derive_cpl(_mf(100, 80, 120), _mf(0.2, 0, 2))
    assert (c.point[0, 0], c.upper[0, 0], bool(c.low_volume[0, 0])) == (100.0, 120.0, True)
    c = derive_cpl(_mf(0, 0, 0), _mf(0, 0, 0))
    assert not c.defined[0, 0] and np.isfinite(c.point).all()


def _with_backtest(rng: np.random.Generator, expected_leads: float, k: int) -> tuple[MatrixForecast, ...]:
    """One series forecast at 5 leads and 100 spend a day, its backtest `k` origins x 1 day at
    `expected_leads`, and actual CPLs off by a known log ratio."""
    lp = np.full((k, 1, 1), expected_leads)
    sp = np.full((k, 1, 1), 100.0)
    la = np.maximum(rng.poisson(expected_leads, (k, 1, 1)), 1).astype(float)
    sa = sp * np.exp(rng.normal(0, 0.3, (k, 1, 1)))
    spend = replace(_mf(100, 80, 120), backtest_point=sp, backtest_actual=sa)
    leads = replace(_mf(5, 2, 9), backtest_point=lp, backtest_actual=la)
    return spend, leads, sp, lp, sa, la


def test_cpl_bounds_are_the_conformal_quantiles_of_the_log_ratio_in_the_day_s_class() -> None:
    rng = np.random.default_rng(0)
    spend, leads, sp, lp, sa, la = _with_backtest(rng, 5.0, 400)  # class [3, 10), as the forecast's 5 leads
    r = np.log((sa / la) / (sp / np.maximum(lp, 1.0))).ravel()
    lo, hi = _conformal_bounds(r, 0.975)
    bounds = cpl_log_bounds(spend, leads, 0.95)
    assert np.isnan(bounds[[0, 1, 3]]).all() and tuple(bounds[2]) == (lo, hi)
    c = derive_cpl(spend, leads, level=0.95)
    assert np.isclose(c.lower[0, 0], 20 * np.exp(lo)) and np.isclose(c.upper[0, 0], 20 * np.exp(hi))
    assert c.lower[0, 0] < 20 < c.upper[0, 0]
    # too few backtest days in the class: the components' (Bonferroni) bounds
    few = _with_backtest(rng, 5.0, MIN_CPL_ERRORS - 1)
    c = derive_cpl(few[0], few[1], level=0.95)
    assert (c.lower[0, 0], c.upper[0, 0]) == (80 / 9, 60.0)
    # errors of another class do not calibrate this one
    other = _with_backtest(rng, 15.0, 400)
    c = derive_cpl(other[0], other[1], level=0.95)
    assert (c.lower[0, 0], c.upper[0, 0]) == (80 / 9, 60.0)


def test_cpl_coverage_on_a_demo_fleet_is_near_95_percent() -> None:
    data = generate_demo(n_accounts=15, seed=3)
    _, _, m = fleet_matrix(clean_demo(data).daily, data.end_date, ["spend", "leads"])
    c = backtest_cpl(m["spend"], m["leads"], 7, n_origins=14, step=1)
    assert c["cpl_days"] > 10_000 and c["cpl_all_finite"]
    # 0.954 measured; the Bonferroni bounds alone covered 0.988 of the 50-account demo
    assert 0.93 <= c["cpl_coverage"] <= 0.97
