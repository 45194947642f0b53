"""statsforecast's AutoETS as a baseline of `evaluate forecasts` (runs offline, no numba)."""

from __future__ import annotations

import numpy as np

from famachat_ml_pipeline.evaluation.autoets import autoets_forecast
from famachat_ml_pipeline.evaluation.forecasts import (
    EvaluationResult,
    backtest_methods,
    format_report,
    summary_table,
)

PATTERN = np.array([10.0, 12.0, 15.0, 14.0, 11.0, 4.0, 3.0])


def test_autoets_continues_a_weekly_pattern_and_skips_short_series() -> None:
    rng = np.random.default_rng(0)
    y = np.tile(PATTERN, 10) + rng.normal(0, 0.1, 70)
    Y = np.vstack([y, np.r_[np.full(60, np.nan), y[:10]]])
    fc = autoets_forecast(Y, 7, 0.95, nonneg=True)
    np.testing.assert_allclose(fc.point[0], PATTERN, atol=0.5)
    assert (fc.lower[0] < fc.point[0]).all() and (fc.point[0] < fc.upper[0]).all()
    assert np.isnan(fc.point[1]).all()  # 10 days: fewer than two seasons, no fit


def test_backtest_scores_autoets_and_ours_on_the_same_sample() -> None:
    rng = np.random.default_rng(1)
    Y = np.tile(PATTERN, (6, 8)) * rng.uniform(1, 5, (6, 1)) + rng.normal(0, 0.5, (6, 56))
    table = backtest_methods(Y, 7, ("auto",), n_origins=2, autoets_series=3)
    rows = {r["method"]: r for r in table.iter_rows(named=True)}
    assert rows["autoets"]["n_series_origins"] == rows["auto@sample"]["n_series_origins"] == 6
    assert rows["auto"]["n_series_origins"] == 12
    assert rows["autoets"]["mase"] < 0.5 * rows["ema"]["mase"]  # it follows the weekly pattern
    assert 0.0 <= rows["autoets"]["coverage"] <= 1.0
    summary = summary_table(EvaluationResult("t", 7, {"x": table}, []))
    assert summary["auto_mase"][0] == rows["auto@sample"]["mase"]  # ours is compared on the sample
    assert "autoets MASE" in format_report(EvaluationResult("t", 7, {"x": table}, []))
