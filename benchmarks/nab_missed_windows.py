"""Issue 13 diagnostic: why ours misses realTweets windows the seed hits, and where its extra false alerts at
matched hits on realTraffic are.

For one category, at our held-out setting (rank, young memory; chosen on the other four categories by
`evaluation.nab_loco`), each labelled window gets one row:
- `rows before`: the file's rows before the window's left edge (the history the detector had);
- `young`: whether the window's first row still uses the young bar (fewer period peaks than the memory);
- `our max`: our largest score in the window (|z| / max(z_floor, bar)); `max|z|`: our largest |z| there;
  `bar@max`: the bar at that row;
- `seed max|z|`: the seed's largest |z| in the window;
- `hit@held`, `hit@low`, `seed hit`: whether the window is hit (an alert's onset inside it) by ours at MARGIN,
  by ours at the grid's lowest margin (0.5), and by the seed at SEED_THR;
- `hit margins`: the lowest and highest margin of the grid at which the window is hit ("never": at none);
- `why`: the first cause that applies, for a window not hit at the grid's lowest margin:
  `no score` (|z| is 0 throughout: no history yet), `floor` (max |z| below z_floor x lowest margin),
  `bar` (|z| beats the floor at the lowest margin but not the bar), `held` (the score does beat the lowest
  margin inside the window, but the alert raised before the window is still held: no onset inside it).

Then every false alert (an onset after probation outside every window) of ours at MARGIN and of the seed at
SEED_THR (pass the matched points to see the extra ones): file, row, time, our |z|, the method's score, and
the nearest window.

Usage: .venv/bin/python benchmarks/nab_missed_windows.py FOLDER CATEGORY RANK YOUNG MARGIN SEED_THR
  e.g. ../shared/data/nab realTweets 2 2 1.0718 4   (our and the seed's held-out choices; about 1 CPU minute)
"""

from __future__ import annotations

import sys

import numpy as np

from famachat_ml_pipeline.core.anomalies import infer_period
from famachat_ml_pipeline.core.anomalies.series import (
    DEFAULT_SERIES,
    lagged_peaks,
    memory_periods,
    rank_bar,
    robust_abs_z,
)
from famachat_ml_pipeline.core.anomalies.time_grid import TimeGrid, time_grid
from famachat_ml_pipeline.evaluation.nab import load_nab, probation_rows
from famachat_ml_pipeline.evaluation.nab_methods import METHODS, alerts, hold_rows, seed_zscore_score


def window_rows(series, n: int) -> list[tuple[int, int]]:
    out = []
    for a, b in series.windows:
        lo = int(np.searchsorted(series.timestamps, a, "left"))
        hi = int(np.searchsorted(series.timestamps, b, "right")) - 1
        if hi >= lo and hi >= probation_rows(n):
            out.append((lo, hi))
    return out


def hits(on: np.ndarray, lo: int, hi: int) -> bool:
    return bool(((on >= lo) & (on <= hi)).any())


def onsets(g: TimeGrid, score: np.ndarray, thr: float, hold: int) -> np.ndarray:
    """The rows where an alert starts, the alert handling applied on the time grid."""
    return np.flatnonzero(g.rows(alerts(score, thr, hold)))


def main(folder: str, category: str, rank: int, young: int, margin: float, seed_thr: float) -> None:
    data = [s for s in load_nab(folder) if s.category == category]
    grid = next(m for m in METHODS if m.name == "robust").thresholds
    floor = DEFAULT_SERIES.z_floor
    label = f"r{rank}/{memory_periods(rank)} y{young}"
    print(f"{category}: ours {label}, margin {margin}; seed threshold {seed_thr}")
    head = (
        f"{'file':<22} {'window rows':>13} {'rows before':>11} {'young':>5} {'our max':>7} {'max|z|':>7}"
        f" {'bar@max':>7} {'seed max|z|':>11} {'hit@held':>8} {'hit@low':>7} {'seed hit':>8}"
        f" {'hit margins':>13}  why"
    )
    print(head)
    print("-" * len(head))
    false_rows = []
    for s in data:
        n = len(s.values)
        # as nab_loco scores: on the rows' time grid, read back at the rows
        g = time_grid(s.timestamps)
        period = infer_period(g.step_seconds)
        hold = hold_rows(period)
        az_g = robust_abs_z(g.place(s.values), period, DEFAULT_SERIES)
        bar_g = rank_bar(az_g, period, rank, young)
        score_g = az_g / np.maximum(floor, bar_g)
        seed_g = seed_zscore_score(g.place(s.values), period)
        peaks_g = lagged_peaks(az_g, period, memory_periods(rank))
        az, bar, score, seed = (g.rows(a) for a in (az_g, bar_g, score_g, seed_g))
        count = g.rows(np.isfinite(peaks_g).sum(axis=0))
        wins = window_rows(s, n)
        ours_on, seed_on = onsets(g, score_g, margin, hold), onsets(g, seed_g, seed_thr, hold)
        for lo, hi in wins:
            sl = slice(lo, hi + 1)
            young_at = bool(count[lo] < memory_periods(rank))
            k = lo + int(np.argmax(score[sl]))
            hit_margins = [t for t in grid if hits(onsets(g, score_g, t, hold), lo, hi)]
            held_hit = bool(((ours_on >= lo) & (ours_on <= hi)).any())
            low_on = onsets(g, score_g, grid[0], hold)
            low_hit = bool(((low_on >= lo) & (low_on <= hi)).any())
            span = f"{min(hit_margins):g}-{max(hit_margins):g}" if hit_margins else "never"
            seed_hit = bool(((seed_on >= lo) & (seed_on <= hi)).any())
            if low_hit:
                why = "-"
            elif az[sl].max() == 0:
                why = "no score"
            elif az[sl].max() <= floor * grid[0]:
                why = "floor"
            elif score[sl].max() <= grid[0]:
                peaks = peaks_g[:, g.slots[k]]
                top = np.argsort(-np.nan_to_num(peaks, nan=-1))[:rank]
                src = ", ".join(f"{peaks[j]:.1f} {j}d before" for j in top)
                why = f"bar (rank-{rank} of the period peaks; top: {src})"
            else:
                before = low_on[low_on <= lo]
                why = "held"
                if len(before):
                    why = f"held (alert raised at row {before[-1]}, {lo - before[-1]} rows before)"
            print(
                f"{s.name.split('/')[1][:22]:<22} {f'{lo}-{hi}':>13} {lo:>11} {str(young_at):>5}"
                f" {score[sl].max():>7.2f} {az[sl].max():>7.2f} {bar[k]:>7.2f} {seed[sl].max():>11.2f}"
                f" {str(held_hit):>8} {str(low_hit):>7} {str(seed_hit):>8} {span:>13}  {why}"
            )
        inside = np.zeros(n, dtype=bool)
        for lo, hi in wins:
            inside[lo : hi + 1] = True
        start = probation_rows(n)
        for who, on, sc in (("ours", ours_on, score), ("seed", seed_on, seed)):
            for t in on:
                if t >= start and not inside[t]:
                    near = min(wins, key=lambda w: min(abs(t - w[0]), abs(t - w[1]))) if wins else None
                    when = str(s.timestamps[t])[:16]
                    false_rows.append((who, s.name.split("/")[1], int(t), when, az[t], sc[t], near))
    print()
    print(f"False alerts (onsets after probation, outside every window) at ours {margin}, seed {seed_thr}:")
    for who in ("ours", "seed"):
        rows = [r for r in false_rows if r[0] == who]
        print(f"{who}: {len(rows)}")
        for _, f, t, ts, z, sc, near in rows:
            print(f"  {f:<22} row {t:>5} {ts}  our|z| {z:6.2f}  score {sc:6.2f}  nearest window {near}")


if __name__ == "__main__":
    folder, category = sys.argv[1], sys.argv[2]
    rank, young = int(sys.argv[3]), int(sys.argv[4])
    margin, seed_thr = float(sys.argv[5]), float(sys.argv[6])
    main(folder, category, rank, young, margin, seed_thr)
