"""One backtest per call serves every method, the `auto` selection and the calibrated intervals."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from famachat_ml_pipeline.core import tails
from famachat_ml_pipeline.core.forecasting.calibration import (
    backtest_origins,
    calibrate_levels,
    calibrate_series,
    calibrate_young,
    recent_level,
    recent_scale,
)
from famachat_ml_pipeline.core.forecasting.common import (
    AUTO_CANDIDATES,
    CAL_MAX_ORIGINS,
    CAL_MIN_AGE,
    CAL_TARGET,
    DEFAULT_METHOD,
    ENSEMBLE_MEMBERS,
    FALLBACK_METHOD,
    LEVEL,
    METHODS,
    MIN_HISTORY,
    N_BACKTEST,
    PRODUCTION_METHOD,
    SWITCH_MARGIN,
    Z95,
    MatrixForecast,
    _horizon_index,
    first_valid,
    nanmean,
)
from famachat_ml_pipeline.core.forecasting.point_methods import POINT_METHODS, ema_forecasts


@dataclass(frozen=True)
class _Backtest:
    origins: np.ndarray  # (K,) backtest origins; the final origin T is not included
    points: dict[str, np.ndarray]  # method -> (K + 1, n, h), the last slice being the forecast
    actual: np.ndarray  # (K, n, h)
    scale: np.ndarray  # (K + 1, n)
    evaluable: np.ndarray  # (K, n) series with MIN_HISTORY days at the origin
    calibrates: np.ndarray  # (K, n) the evaluable origins whose errors calibrate (see CAL_MIN_AGE)
    young: np.ndarray  # (K, n) series with 1 to MIN_HISTORY - 1 days at the origin
    level: np.ndarray  # (K + 1, n) mean |y| of the last days before each origin (young series' scale)
    ema_half: np.ndarray  # (n, h) the seed's own half-width at the final origin


_COMBINATIONS = {"ensemble": ENSEMBLE_MEMBERS}


@dataclass(frozen=True)
class Calibration:
    """What one forecast call calibrated its intervals with, to lend to a smaller call of the same day.

    A run of one account pools a dozen campaigns: to reach CAL_TARGET errors per horizon day it reaches
    back up to CAL_MAX_ORIGINS days, into the campaigns' first weeks, and its intervals over-cover (demo
    leads: 0.969 against the fleet's 0.944, benchmarks/forecast_borrowed_calibration.py). Given the
    fleet's calibration, it uses the fleet's backtest depth, pooled multipliers and young-series
    multipliers instead, and its series' bounds are then the ones the fleet run gave them (each series'
    own quantile depends only on its own errors).
    """

    n_series: int  # the series of the pool
    depth: int  # its backtest origins (`calibration_depth`)
    horizon: int
    pooled: dict[tuple[str, float], tuple[np.ndarray, np.ndarray]]  # (method, level) -> (lo, hi), (h,)
    young: dict[float, tuple[np.ndarray, np.ndarray]]  # level -> `calibrate_young`'s, where it had enough

    def lends_to(self, n: int, horizon: int, n_backtest: int = N_BACKTEST) -> bool:
        """Whether a call of `n` series and `horizon` days uses this calibration instead of its own: only
        when its own pool is too small for the standard depth (it would reach further back,
        `calibration_depth`) and this one pooled more series. A fleet that lost a campaign overnight, or
        a chunk of a few hundred accounts, keeps its own."""
        return self.horizon == horizon and calibration_depth(n, n_backtest) > n_backtest and self.n_series > n


def calibration_depth(n: int, n_backtest: int = N_BACKTEST) -> int:
    """Backtest origins for `n` series: n_backtest for a fleet, more (up to CAL_MAX_ORIGINS) for a few."""
    return int(max(n_backtest, min(-(-CAL_TARGET // max(n, 1)), CAL_MAX_ORIGINS)))


def _run_backtest(
    Y: np.ndarray, h: int, methods: Sequence[str], nonneg: bool, depth: int, borrowing: bool = False
) -> _Backtest:
    """Every method's points at the last `depth` daily origins and at the final one. `borrowing`: the call
    takes a larger pool's calibration, so its series' own errors are kept as that pool keeps them."""
    T = Y.shape[1]
    bt = backtest_origins(T, h, depth)
    origins = np.append(bt, T).astype(int)
    points: dict[str, np.ndarray] = {}
    ema_half = np.full((Y.shape[0], h), np.nan)
    wanted = [*methods, FALLBACK_METHOD]
    for m, members in _COMBINATIONS.items():  # members first, so that combinations reuse their points
        if m in wanted:
            wanted = [*members, *wanted]
    for m in dict.fromkeys(wanted):
        if m == "ensemble":  # the mean of the members' clipped points
            points[m] = np.mean([points[k] for k in ENSEMBLE_MEMBERS], axis=0)
            continue
        if m == "ema":
            p, half = ema_forecasts(Y, origins, h)
            ema_half = half[-1]
        else:
            p = POINT_METHODS[m](Y, origins, h)
        points[m] = np.clip(p, 0.0, None) if nonneg else p
    if len(bt):
        Ypad = np.concatenate([Y, np.full((Y.shape[0], h), np.nan)], axis=1)
        actual = np.transpose(Ypad[:, _horizon_index(bt, h)], (1, 0, 2))
    else:
        actual = np.empty((0, Y.shape[0], h))
    start = first_valid(Y)
    age = bt[:, None] - start[None, :]
    evaluable, young = age >= MIN_HISTORY, (age >= 1) & (age < MIN_HISTORY)
    # a lone series, or a pool without an origin that old, keeps what it has (CAL_MIN_AGE)
    mature = age >= CAL_MIN_AGE
    pooled = borrowing or evaluable.any(axis=0).sum() > 1
    calibrates = mature if pooled and mature.any() else evaluable
    return _Backtest(
        bt,
        points,
        actual,
        recent_scale(Y, origins),
        evaluable,
        calibrates,
        young,
        recent_level(Y, origins),
        ema_half,
    )


def _interval(
    bt: _Backtest,
    method: str,
    nonneg: bool,
    level: float,
    young: np.ndarray | None = None,
    rows: np.ndarray | None = None,
    pooled: tuple[np.ndarray, np.ndarray] | None = None,
    young_rel: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Calibrated bounds (n, h) at the final origin for one method; the `young` rows (series under
    MIN_HISTORY days) by `young_rel` (`calibrate_young`'s multipliers at the level), when the fleet had
    enough young series-origins. Only the `rows` series (all when None) get bounds, the others NaN: the
    fallback method serves a few series, and each series' own quantile is the costly part. `pooled`:
    the fleet's multipliers at `level` (`_pooled`), else computed here."""
    point = bt.points[method][-1]
    raw = bt.actual - bt.points[method][:-1]
    err = np.where(bt.calibrates[:, :, None], raw, np.nan)
    lo, hi = calibrate_series(err, bt.scale[:-1], level, rows=rows, pooled=pooled)
    s = bt.scale[-1][:, None]
    lower, upper = point + lo * s, point + hi * s
    rel = young_rel if young is not None and young.any() else None
    if rel is not None:
        lvl = bt.level[-1][:, None]
        rows = young[:, None] & np.isfinite(lvl)
        lower = np.where(rows, point + rel[0][None, :] * lvl, lower)
        upper = np.where(rows, point + rel[1][None, :] * lvl, upper)
    if nonneg:
        lower, upper = np.clip(lower, 0.0, None), np.clip(upper, 0.0, None)
    return lower, upper


def _pooled(bt: _Backtest, method: str, levels: Sequence[float]) -> list[tuple[np.ndarray, np.ndarray]]:
    """The fleet's pooled multipliers of one method at each level (`calibrate` of `_interval`'s errors)."""
    err = np.where(bt.calibrates[:, :, None], bt.actual - bt.points[method][:-1], np.nan)
    return calibrate_levels(err, bt.scale[:-1], levels)


def select_methods(
    bt: _Backtest, candidates: Sequence[str], margin: float = SWITCH_MARGIN, n_backtest: int = N_BACKTEST
) -> np.ndarray:
    """Per series, the method `auto` uses (see the module docstring). Only backtest errors: past days,
    the last `n_backtest` origins (the calibration may reach further back)."""
    n = bt.scale.shape[1]
    k = min(n_backtest, len(bt.origins))
    ok = bt.evaluable[len(bt.origins) - k :, :, None]
    actual = bt.actual[len(bt.origins) - k :]
    mae = (
        np.vstack(
            [
                nanmean(np.where(ok, np.abs(actual - bt.points[m][len(bt.origins) - k : -1]), np.nan), (0, 2))
                for m in candidates
            ]
        )
        if k
        else np.full((len(candidates), n), np.nan)
    )  # (M, n)
    scale = np.where(bt.scale[-1] > 0, bt.scale[-1], np.nan)
    fleet = nanmean(np.where(np.isfinite(mae / scale), mae / scale, np.nan), axis=1)
    names = np.array(candidates, dtype=object)
    if not np.isfinite(fleet).any():
        return np.full(n, DEFAULT_METHOD if DEFAULT_METHOD in candidates else candidates[0], dtype=object)
    default = int(np.nanargmin(fleet))
    own = np.where(np.isfinite(mae), mae, np.inf)
    best = own.argmin(axis=0)
    switch = own[best, np.arange(n)] < (1.0 - margin) * own[default]
    return np.where(switch, names[best], names[default])


def forecast_matrix_levels(
    Y: np.ndarray,
    horizon: int = 7,
    methods: Sequence[str] = ("auto",),
    levels: Sequence[float] = (LEVEL,),
    *,
    nonneg: bool = True,
    n_backtest: int = N_BACKTEST,
    candidates: Sequence[str] = AUTO_CANDIDATES,
) -> dict[tuple[str, float], MatrixForecast]:
    """`forecast_matrix_calibrated` without a lent calibration, the forecasts alone."""
    return forecast_matrix_calibrated(
        Y, horizon, methods, levels, nonneg=nonneg, n_backtest=n_backtest, candidates=candidates
    )[0]


def forecast_matrix_calibrated(
    Y: np.ndarray,
    horizon: int = 7,
    methods: Sequence[str] = ("auto",),
    levels: Sequence[float] = (LEVEL,),
    *,
    nonneg: bool = True,
    n_backtest: int = N_BACKTEST,
    candidates: Sequence[str] = AUTO_CANDIDATES,
    lent: Calibration | None = None,
) -> tuple[dict[tuple[str, float], MatrixForecast], Calibration]:
    """Forecast every series of `Y` with each of `methods`, at each interval level; and the calibration
    used.

    `methods` are METHODS, "auto" (the production method, PRODUCTION_METHOD) or "select" (per-series
    selection among `candidates` by backtest). One backtest serves every method and level. A series
    with fewer than MIN_HISTORY observed days is flagged insufficient and forecast with
    FALLBACK_METHOD whatever the method asked for.

    `lent`: a larger pool's calibration of the same horizon (`Calibration`), used when
    `Calibration.lends_to` says so (never with "select"); its multipliers replace this call's own where it
    has them (a method or level it lacks is calibrated here). The calibration returned is the one used.
    """
    unknown = set(methods) - set(METHODS) - {"auto", "select"}
    if unknown:
        raise ValueError(f"unknown forecasting method(s): {sorted(unknown)}")
    Y = np.asarray(Y, dtype=float)
    n, T = Y.shape
    # `select` picks each series' default from its pool's errors, which a calibration does not carry
    if lent is not None and ("select" in methods or not lent.lends_to(n, horizon, n_backtest)):
        lent = None
    depth = lent.depth if lent is not None else calibration_depth(n, n_backtest)
    base = [PRODUCTION_METHOD if m == "auto" else m for m in methods if m != "select"]
    base += list(candidates) if "select" in methods else []
    bt = _run_backtest(Y, horizon, base, nonneg, depth, borrowing=lent is not None)
    insufficient = (T - first_valid(Y)) < MIN_HISTORY
    chosen_by = {}
    for m in methods:
        picked = (
            select_methods(bt, candidates, n_backtest=n_backtest)
            if m == "select"
            else np.array([PRODUCTION_METHOD if m == "auto" else m] * n, dtype=object)
        )
        chosen_by[m] = np.where(insufficient, FALLBACK_METHOD, picked).astype(str)
    results: dict[tuple[str, float], MatrixForecast] = {}
    used = set(np.unique(np.concatenate([chosen_by[m] for m in methods])))
    lent_pooled = lent.pooled if lent is not None else {}
    # the chosen methods only, the pooled multipliers at every level at once (a lent one where it has them)
    own = [m for m in bt.points if m in used and any((m, lv) not in lent_pooled for lv in levels)]
    computed = {m: dict(zip(levels, _pooled(bt, m, levels), strict=True)) for m in own}
    pooled = {
        (m, lv): lent_pooled[(m, lv)] if (m, lv) in lent_pooled else computed[m][lv]
        for m in bt.points
        if m in used
        for lv in levels
    }
    young = {}
    if insufficient.any():
        raw = bt.actual - bt.points[FALLBACK_METHOD][:-1]
        for lv in levels:
            rel = (lent.young.get(lv) if lent is not None else None) or calibrate_young(
                raw, bt.level[:-1], bt.young, lv
            )
            if rel is not None:
                young[lv] = rel
    backtest = {m: _chosen_backtest(bt, chosen_by[m]) for m in methods}
    for level in levels:
        bounds = {  # the chosen methods and their series only; the too-young series use FALLBACK_METHOD
            m: _interval(
                bt,
                m,
                nonneg,
                level,
                insufficient if m == FALLBACK_METHOD else None,
                np.any([chosen_by[c] == m for c in methods], axis=0),
                pooled[(m, level)],
                young.get(level),
            )
            for m in used
        }
        for m in methods:
            chosen = chosen_by[m]
            point, lower, upper = (np.full((n, horizon), np.nan) for _ in range(3))
            for name in np.unique(chosen):
                rows = chosen == name
                lo, hi = _seed_bounds(bt, level, nonneg) if (name == "ema" and m == "ema") else bounds[name]
                point[rows], lower[rows], upper[rows] = bt.points[name][-1][rows], lo[rows], hi[rows]
            lower, upper = np.minimum(lower, point), np.maximum(upper, point)
            results[(m, level)] = MatrixForecast(
                point, lower, upper, chosen, insufficient, backtest[m], bt.actual
            )
    if lent is not None:
        return results, lent
    return results, Calibration(n, depth, horizon, pooled, young)


def _chosen_backtest(bt: _Backtest, chosen: np.ndarray) -> np.ndarray:
    """(K, n, h) each series' backtest points by the method chosen for it."""
    out = np.empty_like(bt.actual)
    for name in np.unique(chosen):
        rows = chosen == name
        out[:, rows] = bt.points[name][:-1][:, rows]
    return out


def _seed_bounds(bt: _Backtest, level: float, nonneg: bool) -> tuple[np.ndarray, np.ndarray]:
    """The seed's own EMA interval (kept for the `ema` baseline; `auto` uses calibrated bounds)."""
    p = bt.points["ema"][-1]
    half = bt.ema_half * tails.norm_isf(0.5 - level / 2) / Z95
    lo, hi = p - half, p + half
    return (np.clip(lo, 0.0, None), np.clip(hi, 0.0, None)) if nonneg else (lo, hi)


def forecast_matrix_all(
    Y: np.ndarray,
    horizon: int = 7,
    methods: Sequence[str] = ("auto",),
    *,
    nonneg: bool = True,
    level: float = LEVEL,
    n_backtest: int = N_BACKTEST,
    candidates: Sequence[str] = AUTO_CANDIDATES,
) -> dict[str, MatrixForecast]:
    """`forecast_matrix_levels` at a single level, keyed by method."""
    res = forecast_matrix_levels(
        Y, horizon, methods, (level,), nonneg=nonneg, n_backtest=n_backtest, candidates=candidates
    )
    return {m: res[(m, level)] for m in methods}


def forecast_matrix(
    Y: np.ndarray,
    horizon: int = 7,
    method: str = "auto",
    *,
    nonneg: bool = True,
    level: float = LEVEL,
    n_backtest: int = N_BACKTEST,
) -> MatrixForecast:
    """Forecast every series (row) of `Y` (series x days, NaN before each series' start)."""
    return forecast_matrix_all(Y, horizon, (method,), nonneg=nonneg, level=level, n_backtest=n_backtest)[
        method
    ]
