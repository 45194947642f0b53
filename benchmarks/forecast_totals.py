"""Issue 13 experiment, not adopted: a 95 % interval for a total (an account's or a campaign's next 7 days of
leads or spend) from the forecaster's own backtest, against the sum of the daily 95 % bounds the agent
states (with a warning that it is no interval of the total).

    .venv/bin/python benchmarks/forecast_totals.py [--accounts 50] [--weeks 12] [--nab ../shared/data/nab]
    (about 2 minutes; --stationary: a stationary Poisson fleet instead, 15 s)

The candidate: at each past daily origin of the production backtest (`MatrixForecast.backtest_point/
actual`, `TOTAL_ORIGINS` of them), the ratio (actual + 1) / (forecast + 1) of the same sum (same series,
same horizon days); the finite-sample conformal quantiles of those ratios, times (point + 1), minus 1.

Demo fleet (the generator, seeds 7 and 11, 300 days): each account forecast alone at `--weeks` weekly
as-of days before its last week, as the agent would compute the record of one account; the total of the
next 7 days of the campaigns forecast, against each interval. NAB-daily: each series alone, one as-of a
week from its 120th day. Only as-of days with a record long enough for both tails count.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from dataclasses import dataclass

import numpy as np

from famachat_ml_pipeline.core.forecasting import LEVEL, MatrixForecast, fleet_matrix, forecast_matrix
from famachat_ml_pipeline.demo.generator import clean_demo, generate_demo
from famachat_ml_pipeline.evaluation.forecasts import right_aligned
from famachat_ml_pipeline.evaluation.series_io import read_nab_daily

H = 7
SMOOTHING = 1.0  # one unit (a lead, a real) added to both sides of the ratio
# The record's depth: 13 weeks of daily origins, so that the 2.5 % tails are order statistics inside the
# sample (ceil(92 * 0.975) = 90 of 91) and a quarter's changes of pace are in it.
TOTAL_ORIGINS = 91


@dataclass(frozen=True)
class TotalRecord:
    """The ratios (actual + 1) / (forecast + 1) of the same sum at past origins, oldest first."""

    ratios: np.ndarray

    @property
    def origins(self) -> int:
        return int(self.ratios.size)

    def bounds(self, point: float, level: float = LEVEL) -> tuple[float, float] | None:
        """The `level` interval of a total forecast as `point`; None when the record is too short for its
        upper tail (fewer than about 2 / (1 - level) origins)."""
        k = self.origins
        alpha = 1.0 - level
        hi_rank = int(np.ceil((k + 1) * (1.0 - alpha / 2)))
        if k == 0 or hi_rank > k:
            return None
        lo_rank = int(np.floor((k + 1) * (alpha / 2)))
        ordered = np.sort(self.ratios)
        lo_ratio = ordered[lo_rank - 1] if lo_rank >= 1 else 0.0
        base = max(point, 0.0) + SMOOTHING
        return max(base * lo_ratio - SMOOTHING, 0.0), max(base * ordered[hi_rank - 1] - SMOOTHING, 0.0)

    def chance_at_least(self, point: float, target: float) -> float | None:
        """The share of past origins whose error, applied to `point`, reaches `target` (None: no record)."""
        if self.origins == 0:
            return None
        reached = (max(point, 0.0) + SMOOTHING) * self.ratios - SMOOTHING >= target
        return float(reached.mean())


def total_record(fc: MatrixForecast, rows: np.ndarray | None = None, days: int | None = None) -> TotalRecord:
    """The record of the sum over `rows` (every series when None) of the first `days` horizon days (all when
    None). At each origin only the series that had a forecast there count, on both sides (a campaign that
    started later was not forecast then); an origin where none had one is left out."""
    if fc.backtest_point is None or fc.backtest_actual is None:
        return TotalRecord(np.empty(0))
    point, actual = fc.backtest_point, fc.backtest_actual
    if rows is not None:
        point, actual = point[:, rows], actual[:, rows]
    point, actual = point[:, :, :days], actual[:, :, :days]
    forecast = np.isfinite(point).all(axis=2) & np.isfinite(actual).all(axis=2)  # (origins, series)
    p = np.where(forecast[:, :, None], point, 0.0).sum(axis=(1, 2))
    a = np.where(forecast[:, :, None], actual, 0.0).sum(axis=(1, 2))
    keep = forecast.any(axis=1)
    return TotalRecord((a[keep] + SMOOTHING) / (np.clip(p[keep], 0.0, None) + SMOOTHING))


class Tally:
    def __init__(self) -> None:
        self.ratio = self.summed = self.n = self.short = 0
        self.width_ratio: list[float] = []
        self.width_summed: list[float] = []

    def add(self, Y: np.ndarray, actual: np.ndarray, rows: np.ndarray, fc) -> None:
        """`actual`: (series, H) the days after the as-of; `rows`: the group's series."""
        ok = rows[np.isfinite(fc.point[rows]).all(axis=1) & np.isfinite(actual[rows]).all(axis=1)]
        if ok.size == 0:
            return
        point, truth = float(fc.point[ok].sum()), float(actual[ok].sum())
        b = total_record(fc, ok).bounds(point)
        if b is None:
            self.short += 1
            return
        lo, hi = float(fc.lower[ok].sum()), float(fc.upper[ok].sum())
        self.n += 1
        self.ratio += b[0] <= truth <= b[1]
        self.summed += lo <= truth <= hi
        scale = max(point, 1.0)
        self.width_ratio.append((b[1] - b[0]) / scale)
        self.width_summed.append((hi - lo) / scale)

    def line(self, name: str) -> str:
        if not self.n:
            return f"{name:<34} no as-of day with a long enough record ({self.short} too short)"
        return (
            f"{name:<34} {self.n:>5} totals  ratio interval {self.ratio / self.n:.3f} "
            f"(median width {np.median(self.width_ratio):.2f} x point)  summed daily bounds "
            f"{self.summed / self.n:.3f} ({np.median(self.width_summed):.2f} x)  too short: {self.short}"
        )


def demo(accounts: int, weeks: int, seed: int) -> dict[str, Tally]:
    data = generate_demo(n_accounts=accounts, days=300, seed=seed)
    daily, end = clean_demo(data, lookback_days=300).daily, data.end_date
    keys, dates, full = fleet_matrix(daily, end, ["spend", "leads"], max_history=300)
    tallies = {f"{scope} {m}": Tally() for scope in ("account", "campaign") for m in ("leads", "spend")}
    accounts_of = keys["config_id"].to_numpy()
    for w in range(1, weeks + 1):
        cut = len(dates) - H * w  # columns < cut are known at the as-of day
        for cid in np.unique(accounts_of):
            mine = np.flatnonzero(accounts_of == cid)
            for m in ("leads", "spend"):
                Y = full[m][mine, :cut]
                seen = np.isfinite(Y).any(axis=1)
                Y, rows = Y[seen], mine[seen]
                if not len(rows):
                    continue
                fc = forecast_matrix(Y, H, n_backtest=TOTAL_ORIGINS)
                actual = full[m][rows, cut : cut + H]
                tallies[f"account {m}"].add(Y, actual, np.arange(len(rows)), fc)
                for i in range(len(rows)):
                    tallies[f"campaign {m}"].add(Y, actual, np.array([i]), fc)
    return tallies


def nab(folder: str) -> Tally:
    kept, _ = read_nab_daily(folder)
    t = Tally()
    for s in kept:
        Y = right_aligned([s])
        for cut in range(120, Y.shape[1] - H + 1, H):
            fc = forecast_matrix(Y[:, :cut], H, n_backtest=TOTAL_ORIGINS, nonneg=bool(np.nanmin(Y) >= 0))
            t.add(Y[:, :cut], Y[:, cut : cut + H], np.array([0]), fc)
    return t


def stationary(accounts: int = 40, weeks: int = 8, seed: int = 0) -> dict[str, Tally]:
    """Accounts of 12 campaigns with Poisson daily leads around a fixed weekly pattern (nothing changes):
    whether the method holds its level when the past is exchangeable with the future."""
    rng = np.random.default_rng(seed)
    days = 300
    weekday = np.array([1.0, 1.1, 1.05, 1.0, 0.9, 0.6, 0.7])[np.arange(days) % 7]
    tallies = {"account leads": Tally(), "campaign leads": Tally()}
    for _ in range(accounts):
        Y = rng.poisson(rng.uniform(2, 15, 12)[:, None] * weekday[None, :]).astype(float)
        for w in range(1, weeks + 1):
            cut = days - H * w
            fc = forecast_matrix(Y[:, :cut], H, n_backtest=TOTAL_ORIGINS)
            actual = Y[:, cut : cut + H]
            tallies["account leads"].add(Y, actual, np.arange(12), fc)
            for i in range(12):
                tallies["campaign leads"].add(Y, actual, np.array([i]), fc)
    return tallies


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--accounts", type=int, default=50)
    p.add_argument("--weeks", type=int, default=12)
    p.add_argument("--nab", help="a NAB folder (e.g. ../shared/data/nab): its series aggregated to daily")
    p.add_argument("--stationary", action="store_true", help="a stationary Poisson fleet only")
    a = p.parse_args()
    if a.stationary:
        print("stationary Poisson fleet, 40 accounts x 12 campaigns, 8 weekly as-of days")
        for name, t in stationary().items():
            print("  " + t.line(name))
        return
    print(f"95 % intervals of 7-day totals; record: {TOTAL_ORIGINS} daily origins ({dt.date.today()})")
    for seed in (7, 11):
        start = time.perf_counter()
        tallies = demo(a.accounts, a.weeks, seed)
        took = time.perf_counter() - start
        print(f"demo seed {seed}, {a.accounts} accounts, {a.weeks} weekly as-of days ({took:.0f} s)")
        for name, t in tallies.items():
            print("  " + t.line(name))
    if a.nab:
        start = time.perf_counter()
        t = nab(a.nab)
        print(f"NAB-daily, each series alone, weekly as-of days ({time.perf_counter() - start:.0f} s)")
        print("  " + t.line("series 7-day total"))


if __name__ == "__main__":
    main()
