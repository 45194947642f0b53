"""Issue 13 item 4, gap 3: `combo` with a trend-following third member on series >= SEASONAL_SES_DAYS old.

    .venv/bin/python benchmarks/forecast_trend_member.py long [--autoets]
    .venv/bin/python benchmarks/forecast_trend_member.py members [--autoets]
    .venv/bin/python benchmarks/forecast_trend_member.py check
    .venv/bin/python benchmarks/forecast_trend_member.py cli VARIANT -- evaluate forecasts ...
    .venv/bin/python benchmarks/forecast_trend_member.py bench VARIANT -- --skip-accuracy ...

`long`: the four 2,167-day synthetic series of `forecast_long_series.py` (52 weekly origins, the 182 days
production reads), `combo` and each variant in the same run; with --autoets, per series each one minus
AutoETS with its 95 % block-bootstrap interval. `members`: each member alone at the same origins, and
AutoETS fitted on the same 182 days as ours as well as on the whole past. `check`: each member on a
noise-free trend and a flat noisy series (asserts the trend members follow one, not the other).
`cli`: runs `famachat-ml ARGS...` with production `combo` replaced by VARIANT (one below, or `combo`
itself), so the CLI's evaluations score it; `bench`: the same for `bench_forecasting.py` (the cost).
Variants (`combo_forecasts_with`): the 4-week seasonal mean replaced, once a series has
SEASONAL_SES_DAYS of history, by
- `combo_theta`: the Theta method on the seasonally adjusted series (the adjusted SES plus half the OLS
  slope, Hyndman & Billah's form), the weekday profile added back;
- `combo_holt`: damped Holt (Holt-Winters' alpha, beta and phi grid, no season) on the adjusted series;
- `combo_theta_s`, `combo_holt_s`: the same members in the adjusted SES's place, the seasonal mean kept;
- `combo_theta_c`, `combo_holt_c`: as the first two, the profile added back being last week's adjustment.
None is kept (benchmarks/README.md, "a trend-following member on long series").
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

import numpy as np
from forecast_long_series import DAYS, additive, website
from forecast_variants import per_origin

import famachat_ml_pipeline.core.forecasting.matrix as M
import famachat_ml_pipeline.core.forecasting.point_methods as P
from famachat_ml_pipeline.core.forecasting.common import MAX_HISTORY, SEASON, SEASONAL_SES_DAYS
from famachat_ml_pipeline.core.forecasting.ets import HW_GRID, SES_GRID, EtsGrid, ets_forecasts
from famachat_ml_pipeline.core.forecasting.point_methods import POINT_METHODS
from famachat_ml_pipeline.evaluation import forecasts as F
from famachat_ml_pipeline.evaluation.autoets import autoets_forecast
from famachat_ml_pipeline.evaluation.forecasts import MIN_TRAIN


def theta_drift(A: np.ndarray, origins: np.ndarray, h: int, alphas: np.ndarray) -> np.ndarray:
    """(K, n, h) what the Theta method adds to an SES forecast (Assimakopoulos & Nikolopoulos 2000, in
    Hyndman & Billah's form): half the OLS slope of the history, b/2 * (j - 1 + 1/a - (1 - a)^m / a) at
    horizon day j, `a` the SES's alpha and m the observed days. SES lags a line by b (1 - a) / a; this
    puts it back on half the line's slope."""
    _, _, slope = P._ols_fits(A, origins)
    o = np.asarray(origins, dtype=int)
    seen = np.concatenate([np.zeros((A.shape[0], 1)), np.cumsum(~np.isnan(A), axis=1)], axis=1)[:, o].T
    lag = (1.0 - (1.0 - alphas) ** seen) / alphas  # (K, n)
    return 0.5 * slope[:, :, None] * (np.arange(h, dtype=float)[None, None, :] + lag[:, :, None])


def combo_forecasts_with(Y: np.ndarray, origins: np.ndarray, h: int, long_member: str) -> np.ndarray:
    """`combo` with, once a series has SEASONAL_SES_DAYS, a trend-following member on the seasonally
    adjusted series: `long_member` "theta" (adjusted SES + theta_drift) or "holt" (damped Holt), in the
    seasonal mean's place, or with "_ses" in the adjusted SES's place; "seasonal_mean": `combo` itself.
    "_c": the profile added back is the one the adjustment took off the same weekday last week
    (`_daily_profile` at o + j - 7), not `weekday_profile` at the origin: on a trend the latter carries
    (j - 3) x the slope over its 8 weeks (the target weekday's 8 past values are j days later than the
    trailing mean's), so the adjusted SES already follows the slope, and a trend member would count it twice.
    """
    observed = ~np.isnan(Y)
    logged = (observed.any(axis=1) & ~(observed & (np.nan_to_num(Y) <= 0)).any(axis=1))[:, None]
    on_log = logged & observed
    Z = np.where(on_log, np.log(np.where(on_log, Y, 1.0)), Y)
    ses = ets_forecasts(Z, origins, h, SES_GRID)
    third = P.seasonal_mean_forecasts(Z, origins, h)
    age = np.asarray(origins, dtype=int)[:, None] - P.first_valid(Y)[None, :]
    seasonal = (age >= SEASONAL_SES_DAYS)[:, :, None]  # (K, n, 1)
    if seasonal.any():
        D = P._daily_profile(Z)
        A = Z - D
        profile = P.weekday_profile(Z, origins, h)
        alphas = np.ones((len(origins), Y.shape[0]))
        adj = ets_forecasts(A, origins, h, SES_GRID, alphas)
        ses = np.where(seasonal, adj + profile, ses)
        back = profile
        if long_member.endswith("_c"):
            idx = np.asarray(origins, dtype=int)[:, None] - SEASON + (np.arange(h) % SEASON)[None, :]
            back = np.transpose(D[:, np.clip(idx, 0, None)], (1, 0, 2))  # (K, n, h)
        if long_member.startswith("theta"):
            trend = adj + theta_drift(A, origins, h, alphas) + back
        elif long_member.startswith("holt"):
            grid = EtsGrid(alphas=HW_GRID.alphas, betas=HW_GRID.betas, phi=HW_GRID.phi)
            trend = ets_forecasts(A, origins, h, grid) + back
        if long_member in ("theta", "holt", "theta_c", "holt_c"):  # in the seasonal mean's place
            third = np.where(seasonal, trend, third)
        elif long_member in ("theta_ses", "holt_ses"):  # in the adjusted SES's place
            ses = np.where(seasonal, trend, ses)
    members = [ets_forecasts(Z, origins, h, HW_GRID), ses, third]
    return P.combine(
        [np.where(logged[None], np.exp(np.where(logged[None], m, 0.0)), m) for m in members], Y, origins
    )


VARIANTS = {
    "combo_theta": lambda Y, o, h: combo_forecasts_with(Y, o, h, "theta"),
    "combo_holt": lambda Y, o, h: combo_forecasts_with(Y, o, h, "holt"),
    "combo_theta_s": lambda Y, o, h: combo_forecasts_with(Y, o, h, "theta_ses"),
    "combo_holt_s": lambda Y, o, h: combo_forecasts_with(Y, o, h, "holt_ses"),
    "combo_theta_c": lambda Y, o, h: combo_forecasts_with(Y, o, h, "theta_c"),
    "combo_holt_c": lambda Y, o, h: combo_forecasts_with(Y, o, h, "holt_c"),
}


def long_series(autoets: bool) -> None:
    POINT_METHODS.update(VARIANTS)
    M.METHODS = (*M.METHODS, *VARIANTS)
    names = ["website0", "website1", "website2", "additive"]
    Y = np.array([website(0), website(1), website(2), additive(0)])
    origins = np.arange(DAYS - 7 - 7 * 51, DAYS - 6, 7)
    methods = ["combo", *VARIANTS, "hw"]
    per = per_origin(Y, [*methods, "snaive"], MIN_TRAIN, origins, np.arange(len(names)) if autoets else None)
    cols = [*methods, "snaive", *(["autoets"] if autoets else [])]
    print(f"{len(names)} synthetic series x {DAYS} days, {len(origins)} weekly origins, MASE (h=7)")
    print(f"{'series':<12}" + "".join(f"{m:>13}" for m in cols))
    for i, name in enumerate(names):
        print(f"{name:<12}" + "".join(f"{np.nanmean(per[m][i]):13.3f}" for m in cols))
    pooled = {m: np.concatenate([v[np.isfinite(v)] for v in per[m]]) for m in cols}
    print(f"{'pooled':<12}" + "".join(f"{pooled[m].mean():13.3f}" for m in cols))
    if not autoets:
        return
    print("\nper series, method minus AutoETS [95 % block-bootstrap CI]")
    for m in ["combo", *VARIANTS]:
        cells = []
        for i in range(len(names)):
            d = per[m][i] - per["autoets"][i]
            lo, hi = F.block_bootstrap(d[np.isfinite(d)])
            cells.append(f"{names[i]} {np.nanmean(d):+.3f} [{lo:+.3f}, {hi:+.3f}]")
        print(f"{m:<12} " + "; ".join(cells))


def members_alone(autoets: bool) -> None:
    """Each member alone (log scale, the 182 days production reads) at the long series' 52 origins, and
    AutoETS fitted on those same 182 days: how much of the gap to AutoETS is the history it is given."""
    names = ["website0", "website1", "website2", "additive"]
    Y = np.array([website(0), website(1), website(2), additive(0)])
    origins = np.arange(DAYS - 7 - 7 * 51, DAYS - 6, 7)
    h, res = 7, {}
    for o in origins:
        W = Y[:, o - MAX_HISTORY : o]
        last = np.array([W.shape[1]])
        Z = np.log(W)
        A = Z - P._daily_profile(Z)
        prof = P.weekday_profile(Z, last, h)
        alphas = np.ones((1, W.shape[0]))
        adj = ets_forecasts(A, last, h, SES_GRID, alphas)
        holt = EtsGrid(alphas=HW_GRID.alphas, betas=HW_GRID.betas, phi=HW_GRID.phi)
        fc = {
            "hw": ets_forecasts(Z, last, h, HW_GRID),
            "adj_ses": adj + prof,
            "theta_adj": adj + theta_drift(A, last, h, alphas) + prof,
            "holt_adj": ets_forecasts(A, last, h, holt) + prof,
            "smean4": P.seasonal_mean_forecasts(Z, last, h),
        }
        fc = {k: np.exp(v[0]) for k, v in fc.items()}
        fc["combo"] = P.combo_forecasts(W, last, h)[0]
        if autoets:
            fc["autoets_182"] = autoets_forecast(W, h, 0.95, True).point
            fc["autoets_all"] = autoets_forecast(Y[:, :o], h, 0.95, True).point
        scale, actual = F.mase_scale(Y[:, :o]), Y[:, o : o + h]
        for k, p in fc.items():
            res.setdefault(k, []).append(np.abs(p - actual).mean(axis=1) / scale)
    print(f"{len(origins)} weekly origins, MASE (h=7); members on the log scale, last {MAX_HISTORY} days")
    print(f"{'member':<12}" + "".join(f"{n:>10}" for n in names) + f"{'pooled':>10}")
    per = {k: np.array(v).T for k, v in res.items()}  # (series, origins)
    for k, v in per.items():
        print(f"{k:<12}" + "".join(f"{x:10.3f}" for x in v.mean(axis=1)) + f"{v.mean():10.3f}")
    if autoets:
        for base in ("autoets_182", "autoets_all"):
            cells = []
            for i, name in enumerate(names):
                d = per["combo"][i] - per[base][i]
                lo, hi = F.block_bootstrap(d)
                cells.append(f"{name} {d.mean():+.3f} [{lo:+.3f}, {hi:+.3f}]")
            print(f"combo - {base}: " + "; ".join(cells))


def check() -> None:
    """Each member on its own (log scale) on a noise-free series rising 1 % a day with a weekly pattern
    and on a flat one with 8 % noise: its mean error over the next 7 days (forecast - truth, log scale) and
    its weekly drift (mean of days 8-14 minus days 1-7, the same weekdays: 0.07 on the first series, 0 on
    the second). The trend members must follow the first (damped Holt, phi 0.9, only a little) and not
    invent a slope on the second."""
    T, h = MAX_HISTORY, 2 * SEASON
    t = np.arange(T + h, dtype=float)
    week = np.log([1.0, 1.08, 1.05, 1.0, 0.85, 0.5, 0.6])[t.astype(int) % 7]
    noise = np.random.default_rng(3).normal(0.0, 0.08, T + h)
    o = np.array([T])
    idx = T - SEASON + np.arange(h) % SEASON
    for name, slope, z in (("1 %/day", 0.01, 7.0 + 0.01 * t + week), ("flat", 0.0, 7.0 + week + noise)):
        truth = (7.0 + slope * t + week)[T:]
        Z = z[None, :T]
        D = P._daily_profile(Z)
        A, back, prof = Z - D, D[:, idx], P.weekday_profile(Z, o, h)[0]
        alphas = np.ones((1, 1))
        adj = ets_forecasts(A, o, h, SES_GRID, alphas)[0]
        holt = ets_forecasts(A, o, h, EtsGrid(alphas=HW_GRID.alphas, betas=HW_GRID.betas, phi=HW_GRID.phi))[0]
        drift = theta_drift(A, o, h, alphas)[0]
        members = {
            "hw": ets_forecasts(Z, o, h, HW_GRID)[0],
            "smean4": P.seasonal_mean_forecasts(Z, o, h)[0],
            "adj_ses": adj + prof,
            "theta": adj + drift + prof,
            "holt": holt + prof,
            "theta_c": adj + drift + back,
            "holt_c": holt + back,
        }
        weekly = {}
        for k, f in members.items():
            err, weekly[k] = np.mean(f[0, :SEASON] - truth[:SEASON]), np.mean(f[0, SEASON:] - f[0, :SEASON])
            print(f"{name:<8} {k:<8} mean error days 1-7 {err:+.3f}, weekly drift {weekly[k]:+.3f}")
        for k in ("theta", "holt", "theta_c", "holt_c"):
            assert (weekly[k] > 0.005) if slope else (abs(weekly[k]) < 0.01), (name, k)


def cli(variant: str, args: list[str]) -> int:
    from famachat_ml_pipeline import cli as C

    if variant != "combo":
        POINT_METHODS["combo"] = VARIANTS[variant]
    sys.argv = ["famachat-ml", *args]
    return C.main()


def main() -> None:
    argv = sys.argv[1:]
    if argv[:1] == ["long"]:
        long_series("--autoets" in argv)
    elif argv[:1] == ["check"]:
        check()
    elif argv[:1] == ["members"]:
        members_alone("--autoets" in argv)
    elif argv[:1] == ["cli"] and len(argv) >= 3 and argv[2] == "--":
        sys.exit(cli(argv[1], argv[3:]))
    elif argv[:1] == ["bench"] and len(argv) >= 3 and argv[2] == "--":
        if argv[1] != "combo":
            POINT_METHODS["combo"] = VARIANTS[argv[1]]
        sys.argv = ["bench_forecasting.py", *argv[3:]]
        runpy.run_path(str(Path(__file__).with_name("bench_forecasting.py")), run_name="__main__")
    else:
        print(__doc__)
        sys.exit(2)


if __name__ == "__main__":
    main()
