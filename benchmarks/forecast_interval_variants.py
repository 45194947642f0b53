"""Issue 13 ("Calibrated intervals"): two changes to the 95 % interval (not the points), measured against
production in the same process, production untouched.

    .venv/bin/python benchmarks/forecast_interval_variants.py VARIANT [DATASET ...] [--csv site.csv]
        [--nab ../shared/data/nab]

VARIANT: `prod` (the code as it is), `local` or `recency`. DATASET: `csv` (`evaluate forecasts --csv`
on the website-like file of `forecast_long_series.py --csv site.csv --seed 1`, ours only), `long` (the four
2,167-day synthetic series, each alone, at 52 weekly origins), `nab` (`evaluate forecasts --nab-daily`),
`demo` (`evaluate forecasts`, 50 accounts, spend, leads and the derived CPL). AutoETS is not run.
`tails`: which backtest origins set the website series' day-7 quantile (`run_tails`); `hindsight`: the
website series with fixed multipliers chosen with hindsight (`run_hindsight`); `cost`:
`forecast_fleet`'s CPU on the demo fleet, production and VARIANT alternating.

How production scales a backtest error (`matrix._interval`): error / `recent_scale` at that error's own
origin (`bt.scale[:-1]`, the median |y_t - y_{t-7}| of the 28 days before each origin); the final bounds
are point + multiplier x the final origin's recent_scale. So "each origin's own scale" is already there.

- `local`: a locally adaptive *error* scale instead of recent_scale, for the errors and for the final
  bounds: the median |1-step backtest error| of the method over the 28 origins whose 1-step target is at
  least h days before the origin (the same delay at the final origin, whose last backtest origin is T - h);
  needs >= 14 such errors, else the error is not used. The backtest is extended by 28 + h - 1 origins so
  that a fleet's 28 calibrating origins have their window (the extra origins do not calibrate).
- `recency`: production's scale, the conformal quantiles weighted by origin recency, weights halving every
  HALF_LIFE days (Barber et al. 2023's weighted conformal; the finite-sample level at the Kish effective
  size, which is production's rule when the weights are equal). With a fleet's 28 origins the weights
  span 0.81-1: it is a lone long series' change.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

import famachat_ml_pipeline.core.forecasting.matrix as matrix
from famachat_ml_pipeline.core.forecasting import calibration as cal
from famachat_ml_pipeline.core.forecasting.common import MIN_PER_HORIZON, SHRINK_PRIOR

sys.path.insert(0, str(Path(__file__).parent))

LOCAL_WINDOW = 28  # origins whose 1-step errors give the local error scale (SCALE_WINDOW's length)
LOCAL_MIN = 14
HALF_LIFE = 91.0  # days: half of the MAX_HISTORY days a series is read over
VARIANT = "prod"

_orig_run_backtest = matrix._run_backtest
_orig_interval = matrix._interval
_orig_pooled = matrix._pooled


# --------------------------------------------------------------------------------------------------
# local: the error scale


def local_error_scale(bt: matrix._Backtest, method: str, h: int) -> np.ndarray:
    """(K + 1, n) median |1-step error| over the LOCAL_WINDOW origins ending h origins before each."""
    e1 = np.abs(bt.actual[:, :, 0] - bt.points[method][:-1, :, 0])  # (K, n)
    e1 = np.where(bt.evaluable, e1, np.nan)
    K, n = e1.shape
    pad = np.concatenate([np.full((LOCAL_WINDOW + h, n), np.nan), e1], axis=0)
    # origin k (K: the final one) uses e1[k - h - LOCAL_WINDOW + 1 .. k - h]: pad index + LOCAL_WINDOW + h
    k = np.arange(K + 1)
    idx = (k - h - LOCAL_WINDOW + 1)[:, None] + np.arange(LOCAL_WINDOW)[None, :] + LOCAL_WINDOW + h
    win = np.transpose(pad[idx], (0, 2, 1))  # (K + 1, n, W)
    med = cal._nanmedian_last(win)
    mean = cal.nanmean(win, axis=2)
    cnt = np.isfinite(win).sum(axis=2)
    s = np.where(med > 0, med, mean)
    return np.where(cnt >= LOCAL_MIN, s, np.nan)


# --------------------------------------------------------------------------------------------------
# recency: weighted conformal quantiles


def recency_weights(bt: matrix._Backtest, T: int) -> np.ndarray:
    return 0.5 ** ((T - bt.origins) / HALF_LIFE)


def weighted_level(q: float, w: np.ndarray) -> float:
    """ceil((n + 1) q) / n at the Kish effective size n of weights `w` (capped at 1)."""
    n = w.sum() ** 2 / max((w**2).sum(), 1e-300)
    return min(np.ceil((n + 1) * q - 1e-9) / n, 1.0)


def weighted_hi(z: np.ndarray, w: np.ndarray, level: float) -> float:
    """The smallest z whose cumulative weight (ascending) reaches `level` of the total."""
    o = np.argsort(z)
    c = np.cumsum(w[o])
    i = int(np.searchsorted(c, level * c[-1] * (1 - 1e-12), side="left"))
    return float(z[o[min(i, z.size - 1)]])


def weighted_bounds(z: np.ndarray, w: np.ndarray, q: float, wl: np.ndarray) -> tuple[float, float]:
    """Weighted conformal lower and upper quantiles; `wl`: the weights the finite-sample level counts."""
    if z.size == 0:
        return np.nan, np.nan
    lv = weighted_level(q, wl)
    return -weighted_hi(-z, w, lv), weighted_hi(z, w, lv)


def calibrate_recency(
    errors: np.ndarray, scale: np.ndarray, level: float, rw: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """`calibration.calibrate` with each error weighted by its origin's recency weight `rw` (K,) times the
    series weight production gives unequal histories."""
    h = errors.shape[2]
    q = 1 - (1.0 - level) / 2
    with np.errstate(invalid="ignore", divide="ignore"):
        z = errors / scale[:, :, None]
    usable = np.isfinite(z) & (scale[:, :, None] > 0)
    counts = usable.reshape(-1, h).sum(axis=0)
    sw = cal.series_weights(usable)
    W = np.broadcast_to(rw[:, None] * (1.0 if sw is None else sw[None, :]), z.shape[:2])  # (K, n)
    # the finite-sample level counts origins (recency) per series, as production counts errors
    if counts.min() >= MIN_PER_HORIZON:
        lo, hi = np.full(h, np.nan), np.full(h, np.nan)
        for j in range(h):
            ok = usable[:, :, j]
            lo[j], hi[j] = weighted_bounds(z[:, :, j][ok], W[ok], q, W[ok])
        return np.minimum.accumulate(np.minimum(lo, 0.0)), np.maximum.accumulate(np.maximum(hi, 0.0))
    root = np.sqrt(np.arange(1, h + 1))
    pooled = (z / root[None, None, :])[usable]
    if pooled.size < 20:
        return -3.0 * root, 3.0 * root
    Wf = np.broadcast_to(W[:, :, None], usable.shape)[usable]
    plo, phi = weighted_bounds(pooled, Wf, q, Wf)
    return min(plo, 0.0) * root, max(phi, 0.0) * root


def calibrate_series_recency(
    errors: np.ndarray,
    scale: np.ndarray,
    level: float,
    rw: np.ndarray,
    rows: np.ndarray | None,
    pooled: tuple[np.ndarray, np.ndarray],
) -> tuple[np.ndarray, np.ndarray]:
    """`calibration.calibrate_series` with recency weights: each series' own quantile is the weighted one
    at the finite-sample level of its Kish effective number of origins k, shrunk with k / (k + prior)."""
    K, n, h = errors.shape
    plo, phi = pooled
    q = 1 - (1.0 - level) / 2
    shape = (phi - plo) / 2.0
    shape = np.where(shape > 0, shape, np.sqrt(np.arange(1, h + 1)))
    sel = np.arange(n) if rows is None else np.flatnonzero(rows)
    lo, hi = np.full((n, h), np.nan), np.full((n, h), np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = errors / scale[:, :, None] / shape[None, None, :]
    z = np.where(np.isfinite(z) & (scale[:, :, None] > 0), z, np.nan)
    for i in sel:
        zi = z[:, i, :]
        has = np.isfinite(zi).any(axis=1)
        ok = np.isfinite(zi)
        if not has.any():
            lo[i], hi[i] = plo, phi
            continue
        wo = rw[has]
        k = wo.sum() ** 2 / (wo**2).sum()
        wz = np.broadcast_to(rw[:, None], zi.shape)[ok]
        olo, ohi = weighted_bounds(zi[ok], wz, q, wo)
        a = k / (k + SHRINK_PRIOR)
        lo[i] = a * min(olo, 0.0) * shape + (1 - a) * plo
        hi[i] = a * max(ohi, 0.0) * shape + (1 - a) * phi
    if rows is None:
        return lo, hi
    return np.where(rows[:, None], lo, np.nan), np.where(rows[:, None], hi, np.nan)


# --------------------------------------------------------------------------------------------------
# the patches of `matrix`

EXTRA = 0  # origins added to the backtest (local)


def run_backtest(Y, h, methods, nonneg, depth, borrowing=False):  # noqa: ANN001, ANN201
    bt = _orig_run_backtest(Y, h, methods, nonneg, depth + EXTRA, borrowing)
    if EXTRA:
        # the extra (oldest) origins give local scales only; the calibrating origins are production's
        keep = np.zeros(len(bt.origins), dtype=bool)
        if depth:
            keep[-depth:] = True
        object.__setattr__(bt, "calibrates", bt.calibrates & keep[:, None])
    return bt


def _scale(bt: matrix._Backtest, method: str) -> np.ndarray:
    if VARIANT == "local":
        h = bt.actual.shape[2] if bt.actual.size else 7
        return local_error_scale(bt, method, h)
    return bt.scale


def _err(bt: matrix._Backtest, method: str) -> np.ndarray:
    return np.where(bt.calibrates[:, :, None], bt.actual - bt.points[method][:-1], np.nan)


def pooled(bt, method, levels):  # noqa: ANN001, ANN201
    if VARIANT == "prod":
        return _orig_pooled(bt, method, levels)
    s = _scale(bt, method)[:-1]
    if VARIANT == "local":
        return cal.calibrate_levels(_err(bt, method), s, levels)
    T = int(bt.origins[-1]) + bt.actual.shape[2] if len(bt.origins) else 0
    rw = recency_weights(bt, T)
    return [calibrate_recency(_err(bt, method), s, lv, rw) for lv in levels]


def interval(bt, method, nonneg, level, young=None, rows=None, pooled=None, young_rel=None):  # noqa: ANN001, ANN201
    if VARIANT == "prod":
        return _orig_interval(bt, method, nonneg, level, young, rows, pooled, young_rel)
    s_all = _scale(bt, method)
    err = _err(bt, method)
    if VARIANT == "local":
        lo, hi = cal.calibrate_series(err, s_all[:-1], level, rows=rows, pooled=pooled)
    else:
        T = int(bt.origins[-1]) + bt.actual.shape[2] if len(bt.origins) else 0
        lo, hi = calibrate_series_recency(err, s_all[:-1], level, recency_weights(bt, T), rows, pooled)
    point = bt.points[method][-1]
    # a series without a local scale at the final origin (too few 1-step errors) keeps recent_scale
    s = np.where(np.isfinite(s_all[-1]), s_all[-1], bt.scale[-1])[:, None]
    lower, upper = point + lo * s, point + hi * s
    rel = young_rel if young is not None and young.any() else None
    if rel is not None:
        lvl = bt.level[-1][:, None]
        yr = young[:, None] & np.isfinite(lvl)
        lower = np.where(yr, point + rel[0][None, :] * lvl, lower)
        upper = np.where(yr, point + rel[1][None, :] * lvl, upper)
    if nonneg:
        lower, upper = np.clip(lower, 0.0, None), np.clip(upper, 0.0, None)
    return lower, upper


def install(variant: str, h: int = 7) -> None:
    global VARIANT, EXTRA
    VARIANT = variant
    EXTRA = LOCAL_WINDOW + h - 1 if variant == "local" else 0
    matrix._run_backtest = run_backtest
    matrix._pooled = pooled
    matrix._interval = interval


# --------------------------------------------------------------------------------------------------
# datasets


def ours(table) -> dict:  # noqa: ANN001
    r = table.filter(table["method"] == "auto").row(0, named=True)
    return {"coverage": r["coverage"], "width": r["scaled_width"], "points": r["n_points"]}


def per_series(tables: dict) -> dict:
    rows = {name: ours(t) for name, t in tables.items()}
    cov = np.array([r["coverage"] for r in rows.values()])
    pts = np.array([r["points"] for r in rows.values()])
    widths = [r["width"] for r in rows.values()]
    return {
        "pooled_coverage": float((cov * pts).sum() / pts.sum()),
        "median_width_of_series": float(np.median(widths)),
        "in_range": int(((cov >= 0.93) & (cov <= 0.97)).sum()),
        "series": len(rows),
        "each": {k: (round(v["coverage"], 3), round(v["width"], 2)) for k, v in rows.items()},
    }


def run_csv(path: str, level: float) -> dict:
    """`evaluate_csv`'s backtest (every origin of the last 1,000), ours and the baselines only, at `level`."""
    from famachat_ml_pipeline.evaluation.forecasts import backtest_methods
    from famachat_ml_pipeline.evaluation.series_io import read_daily_series

    s = read_daily_series(path, "Date", "Page.Loads", "sum", date_format="%m/%d/%Y")
    Y = s.frame["value"].to_numpy().astype(float)[None, :]
    known = ~s.frame["filled"].to_numpy()[None, :]
    t = backtest_methods(Y, 7, ("auto",), n_origins=1000, step=1, level=level, known=known)
    return ours(t)


def run_long(level: float) -> dict:
    from forecast_long_series import DAYS, additive, website

    from famachat_ml_pipeline.evaluation.forecasts import backtest_methods

    Y = {"website0": website(0), "website1": website(1), "website2": website(2), "additive": additive(0)}
    tables = {
        k: backtest_methods(y[None, :], 7, ("auto",), n_origins=52, step=7, level=level) for k, y in Y.items()
    }
    out = per_series(tables)
    # the pooled median width needs every interval: median of the series' medians is reported instead
    out["days"] = DAYS
    return out


def run_nab(folder: str, level: float) -> dict:
    """`evaluate forecasts --nab-daily`'s pooled backtest, ours and the baselines only, at `level`."""
    from famachat_ml_pipeline.evaluation.forecasts import (
        MIN_TRAIN,
        backtest_groups,
        known_days,
        right_aligned,
    )
    from famachat_ml_pipeline.evaluation.series_io import read_nab_daily

    kept, _ = read_nab_daily(folder)
    Y = right_aligned(kept)
    groups = {s.name: np.array([i]) for i, s in enumerate(kept)}
    tables = backtest_groups(
        Y,
        groups,
        7,
        ("auto",),
        nonneg=bool(np.nanmin(Y) >= 0),
        level=level,
        known=known_days(kept),
        n_origins=10_000,
        step=1,
        min_history=MIN_TRAIN,
    )
    return per_series(tables)


def run_demo(level: float, seed: int) -> dict:
    """`evaluate forecasts`' demo fleet (50 accounts), spend and leads at `level`; at the production level
    (0.95) and seed 7 `evaluate_demo` itself, with the derived CPL."""
    from famachat_ml_pipeline.core.forecasting import fleet_matrix
    from famachat_ml_pipeline.demo.generator import clean_demo, generate_demo
    from famachat_ml_pipeline.evaluation.forecasts import DEMO_ORIGINS, backtest_methods, evaluate_demo

    if level == 0.95:
        res = evaluate_demo(seed=seed, autoets_series=0)
        out = {k: ours(t) for k, t in res.tables.items()}
        out["cpl_note"] = [n for n in res.notes if n.startswith("CPL")]
        return out
    data = generate_demo(n_accounts=50, seed=seed)
    _, _, mats = fleet_matrix(clean_demo(data).daily, data.end_date, ["spend", "leads"])
    return {
        k: ours(backtest_methods(mats[k], 7, ("auto",), n_origins=DEMO_ORIGINS, step=1, level=level))
        for k in ("spend", "leads")
    }


def run_hindsight() -> dict:
    """Website series seed 1 (the CSV's values), the variant's intervals at the last 1,000 daily origins,
    against one fixed pair of multipliers of the final recent_scale per horizon day chosen with hindsight over
    all of them (not attainable: a bound on what a steadier quantile could give). Also the spread over
    origins of the variant's day-7 upper multiplier."""
    from forecast_long_series import website

    from famachat_ml_pipeline.evaluation.forecasts import _read_window, evaluation_origins, mase_scale

    y = website(1)[None, :].round()
    P, L, U, S, A, M = [], [], [], [], [], []
    for o in evaluation_origins(y.shape[1], 7, 1000, 1):
        W = _read_window(y, o)
        f = matrix.forecast_matrix_levels(W, 7, ("auto",), (0.95,))[("auto", 0.95)]
        P.append(f.point[0])
        L.append(f.lower[0])
        U.append(f.upper[0])
        S.append(cal.recent_scale(W, np.array([W.shape[1]]))[0, 0])
        A.append(y[0, o : o + 7])
        M.append(mase_scale(y[:, :o])[0])
    P, L, U, A, S, M = (np.array(v) for v in (P, L, U, A, S, M))
    out = {"coverage": float(((A >= L) & (A <= U)).mean()), "width": float(np.median((U - L) / M[:, None]))}
    z = (A - P) / S[:, None]
    for c in (0.95, round(out["coverage"], 3)):
        lo, hi = np.quantile(z, (1 - c) / 2, axis=0), np.quantile(z, (1 + c) / 2, axis=0)
        lw, up = np.clip(P + lo * S[:, None], 0, None), P + hi * S[:, None]
        out[f"fixed@{c}"] = [float(((lw <= A) & (up >= A)).mean()), float(np.median((up - lw) / M[:, None]))]
    out["day7_upper_over_scale_p10_p50_p90"] = (
        np.quantile((U - P)[:, 6] / S, [0.1, 0.5, 0.9]).round(2).tolist()
    )
    return out


def run_tails() -> dict:
    """Website series seed 1 at 11 origins 91 days apart (the last 1,000 days): the backtest production
    would run there (182 days read), the 97.5 % quantile of day 7's |error| / the variant's scale, and the
    day of year of the five origins with the largest."""
    from forecast_long_series import website

    y = website(1)
    out = {}
    for o in range(y.size - 1000, y.size - 7, 91):
        Y = y[None, max(o - 182, 0) : o]
        bt = matrix._run_backtest(Y, 7, ["combo"], True, 182)
        z = np.abs(_err(bt, "combo")[:, 0, 6] / _scale(bt, "combo")[:-1, 0])
        ok = np.isfinite(z)
        top = np.argsort(-np.where(ok, z, -1.0))[:5]
        start = o - Y.shape[1]
        doy = [int((start + bt.origins[k] + 250) % 365.25) for k in top]  # forecast_long_series' doy
        out[f"origin doy {int((o + 250) % 365.25)}"] = {
            "q97.5": round(float(np.quantile(z[ok], 0.975)), 2),
            "top doy": doy,
        }
    return out


def run_cost(variants: list[str], rounds: int = 3) -> dict:
    """CPU seconds of `forecast_fleet` on the demo fleet (50 accounts, seed 7), the variants alternating in
    this process; best and median per variant."""
    from famachat_ml_pipeline.core.forecasting import forecast_fleet
    from famachat_ml_pipeline.demo.generator import clean_demo, generate_demo

    data = generate_demo(n_accounts=50, seed=7)
    daily = clean_demo(data).daily
    times: dict[str, list[float]] = {v: [] for v in variants}
    for _ in range(rounds):
        for v in variants:
            install(v)
            t0 = time.process_time()
            forecast_fleet(daily, data.end_date)
            times[v].append(time.process_time() - t0)
    return {v: {"best": round(min(t), 3), "median": round(float(np.median(t)), 3)} for v, t in times.items()}


def main() -> None:
    global HALF_LIFE
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("variant", choices=["prod", "local", "recency"])
    p.add_argument("datasets", nargs="*", default=["csv", "long", "nab", "demo"])
    p.add_argument("--csv", default="site.csv")
    p.add_argument("--nab", default="../shared/data/nab")
    p.add_argument("--level", type=float, default=0.95, help="nominal level of the interval")
    p.add_argument(
        "--seed", type=int, default=7, help="demo fleet's seed (7: the one settings were tuned on)"
    )
    p.add_argument("--half-life", type=float, default=HALF_LIFE, help="recency: days")
    a = p.parse_args()
    HALF_LIFE = a.half_life
    install(a.variant)
    for d in a.datasets:
        t0 = time.process_time()
        run = {
            "csv": lambda: run_csv(a.csv, a.level),
            "long": lambda: run_long(a.level),
            "nab": lambda: run_nab(a.nab, a.level),
            "demo": lambda: run_demo(a.level, a.seed),
            "hindsight": run_hindsight,
            "tails": run_tails,
            "cost": lambda: run_cost(["prod", a.variant]),
        }
        out = run[d]()
        out["cpu_s"] = round(time.process_time() - t0, 1)
        print(json.dumps({"variant": a.variant, "level": a.level, "dataset": d, **out}), flush=True)


if __name__ == "__main__":
    main()
