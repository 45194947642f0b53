"""statsforecast's AutoETS as a baseline of `evaluate forecasts` (runs offline, no numba)."""

from __future__ import annotations

import numpy as np

from famachat_ml_pipeline.core.forecasting import SEASON
from famachat_ml_pipeline.evaluation.autoets import AUTOETS_REFIT_DAYS, RollingAutoETS, autoets_forecast
from famachat_ml_pipeline.evaluation.forecasts import (
    EvaluationResult,
    autoets_note,
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


def _weekly(days: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    level = 20.0 + np.cumsum(rng.normal(0, 0.3, days))
    return np.clip(level * np.resize(PATTERN / PATTERN.mean(), days) + rng.normal(0, 1.0, days), 0, None)


def test_rolling_autoets_refits_weekly_and_forwards_the_last_fit_in_between() -> None:
    from statsforecast.models import AutoETS

    Y = np.vstack([_weekly(60, 2), _weekly(60, 3)])
    origins = range(30, 45)  # 15 daily origins
    rolling = RollingAutoETS(7, 0.95, nonneg=True, refit=7)
    fitted_on: dict[int, int] = {}
    for o in origins:
        fc = rolling.forecast(Y[:, :o])
        for i in range(2):
            if i not in fitted_on or o - fitted_on[i] >= 7:
                fitted_on[i] = o
            # what the rolling forecast must be: the fit of `fitted_on` days run over the o days
            model = AutoETS(season_length=SEASON).fit(Y[i, : fitted_on[i]])
            expect = model.forward(y=Y[i, :o], h=7, level=[95])
            np.testing.assert_allclose(fc.point[i], np.clip(expect["mean"], 0, None))
            np.testing.assert_allclose(fc.upper[i], np.clip(expect["hi-95"], 0, None))
    assert rolling.fits == 2 * 3  # origins 30, 37, 44 for each series, instead of 2 * 15
    assert sorted(fitted_on.values()) == [44, 44]


def test_a_refit_of_one_day_is_a_fit_at_every_origin() -> None:
    Y = _weekly(50, 4)[None, :]
    rolling = RollingAutoETS(7, 0.95, nonneg=True, refit=1)
    for o in (30, 31, 32):
        np.testing.assert_array_equal(
            rolling.forecast(Y[:, :o]).point, autoets_forecast(Y[:, :o], 7, 0.95, True).point
        )
    assert rolling.fits == 3


def test_the_cli_default_refit_is_the_modules_and_is_reported() -> None:
    from famachat_ml_pipeline.cli import build_parser

    args = build_parser().parse_args(["evaluate", "forecasts"])
    assert args.autoets_refit == AUTOETS_REFIT_DAYS == 7
    assert "every 7 days" in autoets_note(7) and autoets_note(1) == "AutoETS fitted at every origin"
