"""statsforecast's AutoETS as an external baseline (evaluation only, never in the pipeline's daily path).

AutoETS chooses the error, trend and season components (m = 7) by AICc on each series' own history
and gives its own parametric prediction intervals. It is fitted once per (series, origin), so it is
slow on a whole fleet: `evaluate forecasts` runs it on a sample of a fleet's series.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np

from famachat_ml_pipeline.core.forecasting import SEASON, MatrixForecast

MIN_FIT_DAYS = 2 * SEASON  # AutoETS needs two seasons for a seasonal model; shorter series get none


def autoets_forecast(
    Y: np.ndarray, h: int, level: float, nonneg: bool, rows: Sequence[int] | None = None
) -> MatrixForecast:
    """AutoETS forecasts (point and `level` interval) for the given rows of `Y` (series x days).

    Rows not asked for, and rows with fewer than MIN_FIT_DAYS observed days, are NaN (left out of the
    metrics). Non-negative series get the same clipping at 0 as ours.
    """
    from statsforecast.models import AutoETS  # lazy: heavy import, evaluation only

    n = Y.shape[0]
    point, lower, upper = (np.full((n, h), np.nan) for _ in range(3))
    pct = int(round(level * 100))
    for i in range(n) if rows is None else rows:
        y = Y[i][~np.isnan(Y[i])]
        if y.size < MIN_FIT_DAYS:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                res = AutoETS(season_length=SEASON).forecast(y=y, h=h, level=[pct])
            except Exception:  # noqa: BLE001 - a failed fit is left out, like a too-short series
                continue
        point[i], lower[i], upper[i] = res["mean"], res[f"lo-{pct}"], res[f"hi-{pct}"]
    if nonneg:
        point, lower, upper = (np.clip(a, 0.0, None) for a in (point, lower, upper))
    method = np.full(n, "autoets", dtype=object)
    return MatrixForecast(point, lower, upper, method, np.isnan(point).any(axis=1))
