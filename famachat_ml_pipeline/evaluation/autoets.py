"""statsforecast's AutoETS as an external baseline (evaluation only, never in the pipeline's daily path).

AutoETS chooses the error, trend and season components (m = 7) by AICc on each series' own history
and gives its own parametric prediction intervals. A fit costs seconds on a long history (about 6 s on
1,000 days on this machine), so a backtest over every daily origin of a 2,000-day series would take
hours. `RollingAutoETS` therefore refits a series every AUTOETS_REFIT_DAYS origins, as rolling-origin
evaluations usually do, and in between applies the last fit (model and parameters) to the origin's
whole history with `forward`: the state is recomputed on every day, only the parameters are a few days
old. `refit=1` fits at every origin.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np

from famachat_ml_pipeline.core.forecasting import SEASON, MatrixForecast

MIN_FIT_DAYS = 2 * SEASON  # AutoETS needs two seasons for a seasonal model; shorter series get none
AUTOETS_REFIT_DAYS = SEASON


class RollingAutoETS:
    """AutoETS forecasts over a backtest's origins, each series refitted every `refit` days."""

    def __init__(self, h: int, level: float, nonneg: bool, refit: int = AUTOETS_REFIT_DAYS) -> None:
        if refit < 1:
            raise ValueError(f"refit must be at least 1 day, got {refit}")
        self.h, self.level, self.nonneg, self.refit = h, level, nonneg, refit
        self._fits: dict[int, tuple[int, object]] = {}  # row -> (days it was fitted on, the fitted model)
        self.fits = 0  # how many fits were made (a test and the report can tell refits from forwards)

    def forecast(self, Y: np.ndarray, rows: Sequence[int] | None = None) -> MatrixForecast:
        """Point and `level` interval for the given rows of `Y` (series x days, the history before the
        origin). Rows not asked for, with fewer than MIN_FIT_DAYS observed days, or whose fit failed,
        are NaN (left out of the metrics). Non-negative series get the same clipping at 0 as ours."""
        n = Y.shape[0]
        point, lower, upper = (np.full((n, self.h), np.nan) for _ in range(3))
        pct = int(round(self.level * 100))
        for i in range(n) if rows is None else rows:
            y = Y[i][~np.isnan(Y[i])]
            if y.size < MIN_FIT_DAYS:
                continue
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                res = self._forecast_one(int(i), y, pct)
            if res is not None:
                point[i], lower[i], upper[i] = res["mean"], res[f"lo-{pct}"], res[f"hi-{pct}"]
        if self.nonneg:
            point, lower, upper = (np.clip(a, 0.0, None) for a in (point, lower, upper))
        method = np.full(n, "autoets", dtype=object)
        return MatrixForecast(point, lower, upper, method, np.isnan(point).any(axis=1))

    def _forecast_one(self, i: int, y: np.ndarray, pct: int) -> dict | None:
        from statsforecast.models import AutoETS  # lazy: heavy import, evaluation only

        fitted = self._fits.get(i)
        if fitted is not None and 0 <= y.size - fitted[0] < self.refit:
            try:
                return fitted[1].forward(y=y, h=self.h, level=[pct])
            except Exception:  # noqa: BLE001 - the old parameters do not fit the new days: refit
                pass
        try:
            model = AutoETS(season_length=SEASON).fit(y)
            self.fits += 1
            self._fits[i] = (y.size, model)
            return model.forward(y=y, h=self.h, level=[pct])
        except Exception:  # noqa: BLE001 - a failed fit is left out, like a too-short series
            self._fits.pop(i, None)
            return None


def autoets_forecast(
    Y: np.ndarray, h: int, level: float, nonneg: bool, rows: Sequence[int] | None = None
) -> MatrixForecast:
    """AutoETS fitted on each asked row of `Y` at this one origin (`RollingAutoETS` with nothing to reuse)."""
    return RollingAutoETS(h, level, nonneg, refit=1).forecast(Y, rows)
