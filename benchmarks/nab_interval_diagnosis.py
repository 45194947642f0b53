"""Why short NAB-daily series over-cover: where their 95 % bounds come from, and how wide they needed to be.

    .venv/bin/python benchmarks/nab_interval_diagnosis.py [--nab /work/shared/data/nab]

The protocol of `famachat-ml evaluate forecasts --nab-daily` (the series forecast together, `auto`, every
origin after a series' first 28 days), through the production backtest (`_run_backtest`); only the
bounds are recomputed. Per series:
- cov: the production bounds (`calibrate_series`: own quantile blended with the pool);
- pool only / own only: the pooled quantile alone (weight 0 on the series' own), and the series' own
  errors alone at the plain level 0.975 (no finite-sample correction, no pool);
- need: the 95th percentile of |actual - point| / (the production half-width on that side): the factor
  the production bounds could have been multiplied by and still covered 95 % of the scored forecasts
  (1.0 = right on average; 0.5 = twice as wide as needed);
- |z| early / late: the mean |backtest error| / scale of the series' origins at ages 14-27 and >= 35 days
  (its young errors are what its own quantile and the pool hold of it).
A series whose own past errors at the plain level still over-cover, with `need` well under 1, had a
scored period calmer than any of its past: no calibration from the past can give it 0.95.
"""

from __future__ import annotations

import argparse

import numpy as np

from famachat_ml_pipeline.core.forecasting.calibration import _own_quantiles, calibrate, calibrate_series
from famachat_ml_pipeline.core.forecasting.matrix import _run_backtest, calibration_depth
from famachat_ml_pipeline.evaluation.forecasts import (
    MIN_TRAIN,
    evaluation_origins,
    first_valid,
    right_aligned,
)
from famachat_ml_pipeline.evaluation.series_io import read_nab_daily

H, LEVEL, Q = 7, 0.95, 0.975


def bounds(bt, how: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Point, lower, upper (n, h) at the final origin of one backtest, the bounds as `how` says."""
    point = bt.points["combo"][-1]
    err = np.where(bt.evaluable[:, :, None], bt.actual - bt.points["combo"][:-1], np.nan)
    scale = bt.scale[:-1]
    if how == "production":
        lo, hi = calibrate_series(err, scale, LEVEL)
    elif how == "pool":
        plo, phi = calibrate(err, scale, LEVEL)
        lo, hi = np.tile(plo, (err.shape[1], 1)), np.tile(phi, (err.shape[1], 1))
    else:  # own errors only, plain level, the pooled per-day shape
        plo, phi = calibrate(err, scale, LEVEL)
        shape = (phi - plo) / 2.0
        with np.errstate(invalid="ignore", divide="ignore"):
            z = err / scale[:, :, None] / shape
        z = np.where(np.isfinite(z) & (scale[:, :, None] > 0), z, np.nan)
        flat = np.transpose(z, (1, 0, 2)).reshape(z.shape[1], -1)
        olo, ohi, _ = _own_quantiles(flat, np.full(flat.shape[0], Q))
        lo = np.nan_to_num(np.minimum(olo, 0.0))[:, None] * shape
        hi = np.nan_to_num(np.maximum(ohi, 0.0))[:, None] * shape
    s = bt.scale[-1][:, None]
    lower, upper = np.clip(point + lo * s, 0.0, None), np.clip(point + hi * s, 0.0, None)
    return point, np.minimum(lower, point), np.maximum(upper, point)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--nab", default="/work/shared/data/nab")
    args = parser.parse_args()
    kept, _ = read_nab_daily(args.nab)
    Y = right_aligned(kept)
    start = first_valid(Y)
    hows = ("production", "pool", "own")
    covered = {(how, i): [] for how in hows for i in range(len(kept))}
    ratio = {i: [] for i in range(len(kept))}
    bt = None
    for o in evaluation_origins(Y.shape[1], H, 10_000, 1):
        bt = _run_backtest(Y[:, :o], H, ["combo"], True, calibration_depth(Y.shape[0]))
        actual = Y[:, o : o + H]
        scored = ((o - start) >= MIN_TRAIN) & np.isfinite(actual).all(axis=1)
        for how in hows:
            point, lower, upper = bounds(bt, how)
            inside = (actual >= lower - 1e-9) & (actual <= upper + 1e-9)
            for i in np.flatnonzero(scored):
                covered[(how, i)].append(inside[i])
                if how == "production":
                    e = actual[i] - point[i]
                    half = np.where(e >= 0, upper[i] - point[i], point[i] - lower[i])
                    ratio[i].append(np.abs(e) / np.maximum(half, 1e-12))
    # the last backtest holds every origin's errors: |z| by the series' age at the origin
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.abs(bt.actual - bt.points["combo"][:-1]) / bt.scale[:-1][:, :, None]
    age = bt.origins[:, None] - start[None, :]
    print(f"{'series':<36}{'cov':>7}{'pool only':>10}{'own only':>9}{'need':>6}{'|z| early':>10}{'late':>6}")
    for i, s in enumerate(kept):
        cov = [float(np.concatenate(covered[(how, i)]).mean()) for how in hows]
        need = float(np.quantile(np.concatenate(ratio[i]), 0.95))
        zi = z[:, i][np.isfinite(z[:, i]).all(axis=1)]
        ai = age[:, i][np.isfinite(z[:, i]).all(axis=1)]
        early, late = (zi[(ai >= 14) & (ai < 28)], zi[ai >= 35])
        fmt = lambda a: f"{a.mean():.2f}" if a.size else "-"  # noqa: E731
        print(
            f"{s.name.split('/')[-1][:35]:<36}{cov[0]:>7.3f}{cov[1]:>10.3f}{cov[2]:>9.3f}{need:>6.2f}"
            f"{fmt(early):>10}{fmt(late):>6}"
        )


if __name__ == "__main__":
    main()
