"""Issue 13 item 4: point-forecast variants tried against `combo` (production `auto`), per series.

    .venv/bin/python benchmarks/forecast_variants.py [--nab ../shared/data/nab] [--demo] [--autoets]

Same protocol as `famachat-ml evaluate forecasts --nab-daily` (the 16 NAB series >= 50 days as daily
means, forecast together, each scored at every origin after its first 28 days; MASE at h=1..7 scaled by
the in-sample weekly-naive MAE) and, with --demo, the demo fleet (50 accounts, 28 daily origins). The
variants are defined here, not in the package: none of them beat `combo` across the board (see
benchmarks/README.md). With --autoets, statsforecast's AutoETS too, and per series a moving-block
bootstrap (blocks of 7 origins) of the MASE difference ours - the better of AutoETS and seasonal naive:
a 95 % interval that contains 0 means that series' "loss" or "win" is not distinguishable from noise.
"""

from __future__ import annotations

import argparse

import numpy as np

import famachat_ml_pipeline.core.forecasting.matrix as M
from famachat_ml_pipeline.core.forecasting.common import COMBO_MEMBERS, MAX_HISTORY, SEASON, nanmean
from famachat_ml_pipeline.core.forecasting.ets import HW_GRID, SES_GRID, EtsGrid, ets_forecasts
from famachat_ml_pipeline.core.forecasting.point_methods import (
    POINT_METHODS,
    combine,
    seasonal_mean_forecasts,
)
from famachat_ml_pipeline.evaluation import forecasts as F


def seasonal_level(Y: np.ndarray, origins: np.ndarray, h: int, weeks: int = 4) -> np.ndarray:
    """The last 7 days' mean plus each weekday's deviation over the last `weeks` weeks (level shifts)."""
    prof = seasonal_mean_forecasts(Y, origins, h, weeks)
    out = np.full_like(prof, np.nan)
    for k, o in enumerate(origins):
        base = nanmean(Y[:, max(o - SEASON * weeks, 0) : o], axis=1)
        out[k] = prof[k] - base[:, None] + nanmean(Y[:, max(o - SEASON, 0) : o], axis=1)[:, None]
    return out


def weighted(
    Y, origins, h, members=("hw", "ses", "seasonal_mean", "snaive"), window=28, power=1.0, select=False
):
    """Per series and origin: members weighted by 1 / MAE^power over their last `window` origins whose
    horizon had passed (o' + h <= o), or (select) the best of them; equal weights before that."""
    T, n = Y.shape[1], Y.shape[0]
    allo = np.arange(1, T + 1)
    P = np.stack([np.clip(POINT_METHODS[m](Y, allo, h), 0.0, None) for m in members])  # (M, T, n, h)
    Ypad = np.concatenate([Y, np.full((n, h), np.nan)], axis=1)
    act = np.transpose(Ypad[:, allo[:, None] - 1 + np.arange(h)[None, :]], (1, 0, 2))
    e = np.abs(P - act[None]).mean(axis=3)
    ok = np.isfinite(e)
    zero = np.zeros((len(members), 1, n))
    cs = np.concatenate([zero, np.cumsum(np.where(ok, e, 0.0), axis=1)], axis=1)
    cn = np.concatenate([zero, np.cumsum(ok, axis=1)], axis=1)
    out = np.full((len(origins), n, h), np.nan)
    for k, o in enumerate(origins):
        hi = max(o - h, 0)
        lo = max(hi - window, 0)
        s, c = cs[:, hi] - cs[:, lo], cn[:, hi] - cn[:, lo]
        mae = np.where(c > 0, s / np.maximum(c, 1), np.nan)
        f = P[:, o - 1]
        have = (np.isfinite(mae) & (mae > 0)).all(axis=0)
        if select:
            best = np.argmin(np.where(np.isfinite(mae), mae, np.inf), axis=0)
            out[k] = np.where(have[:, None], f[best, np.arange(n)], np.median(f, axis=0))
            continue
        w = np.where(have[None], 1.0 / np.where(have[None], mae, 1.0) ** power, 1.0)
        out[k] = ((w / w.sum(axis=0))[:, :, None] * f).sum(axis=0)
    return out


def _grid(**kw) -> EtsGrid:
    base = {"alphas": HW_GRID.alphas, "betas": HW_GRID.betas, "gammas": HW_GRID.gammas, "phi": HW_GRID.phi}
    return EtsGrid(**(base | kw), seasonal=True)


def _combo_with(hw_grid: EtsGrid):
    def fn(Y, o, h):
        members = [
            ets_forecasts(Y, o, h, hw_grid),
            ets_forecasts(Y, o, h, SES_GRID),
            seasonal_mean_forecasts(Y, o, h),
        ]
        return combine(members, Y, o)

    return fn


VARIANTS = {
    "combo4": lambda Y, o, h: combine([POINT_METHODS[m](Y, o, h) for m in (*COMBO_MEMBERS, "snaive")], Y, o),
    "combo_sl": lambda Y, o, h: combine(
        [POINT_METHODS["hw"](Y, o, h), POINT_METHODS["ses"](Y, o, h), seasonal_level(Y, o, h)], Y, o
    ),
    "mean3": lambda Y, o, h: np.mean([POINT_METHODS[m](Y, o, h) for m in COMBO_MEMBERS], axis=0),
    "w3": lambda Y, o, h: weighted(Y, o, h, members=COMBO_MEMBERS),
    "w4": weighted,
    "w4sq": lambda Y, o, h: weighted(Y, o, h, power=2.0),
    "sel4": lambda Y, o, h: weighted(Y, o, h, select=True),
    "combo_a09": _combo_with(_grid(alphas=(*HW_GRID.alphas, 0.9))),
    "combo_phi08": _combo_with(_grid(phi=0.8)),
    "combo_g0": _combo_with(_grid(gammas=(0.0, *HW_GRID.gammas))),
}


def register() -> None:
    """Make the variants known to `forecast_matrix_levels` (this process only)."""
    POINT_METHODS.update(VARIANTS)
    M.METHODS = (*M.METHODS, *VARIANTS)


def per_origin(Y, methods, min_history, origins, autoets_rows):
    """{method: (n, K) MASE per series and origin} (NaN where not scored)."""
    start = F.first_valid(Y)
    out = {m: np.full((Y.shape[0], len(origins)), np.nan) for m in [*methods, "autoets"]}
    for k, o in enumerate(origins):
        live = (o - start) >= min_history
        window = Y[:, max(o - MAX_HISTORY, 0) : o]  # the days production reads
        res = M.forecast_matrix_levels(window, 7, methods, (0.95,))
        fcs = {m: res[(m, 0.95)].point for m in methods}
        if autoets_rows is not None:
            fcs["autoets"] = F.autoets_forecast(
                Y[:, :o], 7, 0.95, True, autoets_rows[live[autoets_rows]]
            ).point
        scale = F.mase_scale(Y[:, :o])
        actual = Y[:, o : o + 7]
        for m, p in fcs.items():
            v = np.abs(p - actual).mean(axis=1) / scale
            out[m][:, k] = np.where(live, v, np.nan)
    return out


def report(names, per, methods, autoets: bool) -> None:
    cols = [*methods, "snaive", *(["autoets"] if autoets else [])]
    print(
        f"{'series':<24}"
        + "".join(f"{m[:11]:>12}" for m in cols)
        + ("   ours-best base [95% block CI]" if autoets else "")
    )
    for i, name in enumerate(names):
        cells = "".join(f"{np.nanmean(per[m][i]):12.3f}" for m in cols)
        extra = ""
        if autoets:
            ok = np.isfinite(per["autoets"][i]) & np.isfinite(per["combo"][i])
            base = min(("autoets", "snaive"), key=lambda m: np.nanmean(np.where(ok, per[m][i], np.nan)))
            d = np.where(ok, per["combo"][i] - per[base][i], np.nan)
            lo, hi = F.block_bootstrap(d)
            extra = f"   {np.nanmean(d):+.3f} vs {base} [{lo:+.3f}, {hi:+.3f}]"
        print(f"{name[:23]:<24}" + cells + extra)
    allv = {m: np.concatenate([per[m][i][np.isfinite(per[m][i])] for i in range(len(names))]) for m in cols}
    print(f"{'pooled':<24}" + "".join(f"{allv[m].mean():12.3f}" for m in cols))
    print(
        f"{'mean over series':<24}"
        + "".join(f"{np.mean([np.nanmean(per[m][i]) for i in range(len(names))]):12.3f}" for m in cols)
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--nab", default="/work/shared/data/nab")
    p.add_argument("--demo", action="store_true", help="the demo fleet too (AutoETS on 100 sampled series)")
    p.add_argument("--autoets", action="store_true", help="fit AutoETS at every origin (slow)")
    p.add_argument("--methods", default="combo," + ",".join(VARIANTS))
    a = p.parse_args()
    register()
    methods = a.methods.split(",")
    kept, _ = F.read_nab_daily(a.nab)
    Y = F.right_aligned(kept)
    origins = F.evaluation_origins(Y.shape[1], 7, 10_000, 1)
    rows = np.arange(Y.shape[0]) if a.autoets else None
    per = per_origin(Y, [*methods, "snaive"], F.MIN_TRAIN, origins, rows)
    print(f"NAB-daily, {len(kept)} series, MASE (h=7, weekly-naive scale)")
    report([s.name.split("/")[-1] for s in kept], per, methods, a.autoets)
    if a.demo:
        from famachat_ml_pipeline.core.forecasting import fleet_matrix
        from famachat_ml_pipeline.demo.generator import clean_demo, generate_demo

        data = generate_demo(n_accounts=50, seed=7)
        _, _, mats = fleet_matrix(clean_demo(data).daily, data.end_date, ["spend", "leads"])
        for metric in ("spend", "leads"):
            Yd = mats[metric]
            sample = F.autoets_rows(Yd.shape[0], F.AUTOETS_FLEET_SAMPLE)
            o = F.evaluation_origins(Yd.shape[1], 7, F.DEMO_ORIGINS, 1)
            per = per_origin(Yd, [*methods, "snaive"], 2 * SEASON, o, sample if a.autoets else None)
            per = {m: v[sample] for m, v in per.items()}  # AutoETS's sample, series with >= 14 days
            print(f"\ndemo {metric}: {len(sample)} sampled series x {len(o)} origins, pooled MASE")
            allv = {m: v[np.isfinite(v)] for m, v in per.items() if np.isfinite(v).any()}
            print("".join(f"{m[:11]:>12}" for m in allv))
            print("".join(f"{v.mean():12.3f}" for v in allv.values()))


if __name__ == "__main__":
    main()
