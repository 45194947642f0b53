"""Rolling-origin evaluation of the forecasting methods, on a fleet or on any real daily series.

For each origin `o` (a day of the past), every method forecasts the next `horizon` days with the days
before `o` only, through the same code path as production (`forecast_matrix_levels`), including the
auto selection and the interval calibration, which therefore only ever see the past of `o`.

Metrics, per method, over every (series, origin, horizon day) forecast:
- MASE: |actual - forecast| divided by the in-sample MAE of the seasonal naive (m = 7) on the series'
  history before the origin, averaged per (series, origin) and then over them. Weekly seasonality is
  the natural benchmark for daily ad data, hence m = 7. When that scale is 0 (constant history) the
  lag-1 MAE is used; when that is 0 too, the (series, origin) is left out and counted in `n_skipped`.
- sMAPE: 200 * |F - A| / (|F| + |A|) in percent, with 0/0 (both zero) counted as 0.
- coverage: the share of actuals inside [lower, upper] of the 95 % interval.

The seed's EMA and the seasonal naive are always part of the run: they are the baselines.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from famachat_ml_pipeline.core.forecasting import (
    AUTO_CANDIDATES,
    BASELINES,
    LEVEL,
    METHODS,
    SEASON,
    MatrixForecast,
    derive_cpl,
    forecast_matrix_levels,
    nanmean,
)

DEFAULT_METHODS = (*METHODS, "auto")
MIN_TRAIN = 28  # days of history an evaluation origin needs


# --------------------------------------------------------------------------------------------------
# metrics


def mase_scale(Y: np.ndarray) -> np.ndarray:
    """(n,) in-sample MAE of the seasonal naive (m = 7), lag-1 when that is 0; NaN when both are 0."""
    out = np.full(Y.shape[0], np.nan)
    for lag in (SEASON, 1):
        d = np.abs(Y[:, lag:] - Y[:, :-lag])
        s = nanmean(d, axis=1)
        out = np.where(np.isnan(out) | (out == 0), s, out)
    return np.where(out > 0, out, np.nan)


def smape(forecast: np.ndarray, actual: np.ndarray) -> np.ndarray:
    """Elementwise sMAPE in percent; 0 when forecast and actual are both 0."""
    den = np.abs(forecast) + np.abs(actual)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, 200.0 * np.abs(forecast - actual) / den, 0.0)


@dataclass
class _Acc:
    """Accumulates one method's errors over origins."""

    scaled: list[np.ndarray]
    smape: list[np.ndarray]
    covered: list[np.ndarray]
    width: list[np.ndarray]
    skipped: int = 0

    @classmethod
    def empty(cls) -> _Acc:
        return cls([], [], [], [])

    def add(self, fc: MatrixForecast, actual: np.ndarray, scale: np.ndarray) -> None:
        ok = np.isfinite(actual).all(axis=1) & np.isfinite(fc.point).all(axis=1)
        has_scale = ok & np.isfinite(scale)
        self.skipped += int((ok & ~has_scale).sum())
        mae = np.abs(fc.point - actual).mean(axis=1)
        self.scaled.append((mae / scale)[has_scale])
        self.smape.append(smape(fc.point, actual)[ok].ravel())
        inside = (actual >= fc.lower - 1e-9) & (actual <= fc.upper + 1e-9)
        self.covered.append(inside[ok].ravel())
        self.width.append(((fc.upper - fc.lower) / scale[:, None])[has_scale].ravel())

    def summary(self) -> dict[str, float]:
        scaled = np.concatenate(self.scaled) if self.scaled else np.array([])
        cov = np.concatenate(self.covered) if self.covered else np.array([])
        return {
            "mase": float(np.mean(scaled)) if scaled.size else np.nan,
            "mase_median": float(np.median(scaled)) if scaled.size else np.nan,
            "smape": float(np.mean(np.concatenate(self.smape))) if self.smape else np.nan,
            "coverage": float(np.mean(cov)) if cov.size else np.nan,
            "scaled_width": float(np.median(np.concatenate(self.width))) if self.width else np.nan,
            "n_series_origins": int(scaled.size),
            "n_skipped": self.skipped,
        }


# --------------------------------------------------------------------------------------------------
# the rolling-origin backtest


def evaluation_origins(
    T: int, horizon: int, n_origins: int, step: int, min_train: int = MIN_TRAIN
) -> list[int]:
    """The last `n_origins` origins, `step` days apart, with a full horizon of actuals after each."""
    last = T - horizon
    return sorted(o for o in range(last, min_train - 1, -step)[:n_origins])


def backtest_methods(
    Y: np.ndarray,
    horizon: int = 7,
    methods: Sequence[str] = DEFAULT_METHODS,
    *,
    n_origins: int = 4,
    step: int = 7,
    nonneg: bool = True,
    level: float = LEVEL,
    candidates: Sequence[str] = AUTO_CANDIDATES,
) -> pl.DataFrame:
    """MASE, sMAPE and coverage per method over rolling origins. `Y` is (series x days), NaN-padded."""
    methods = list(dict.fromkeys([*BASELINES, *methods]))
    Y = np.asarray(Y, dtype=float)
    origins = evaluation_origins(Y.shape[1], horizon, n_origins, step)
    if not origins:
        raise ValueError(f"need at least {MIN_TRAIN + horizon} days to evaluate, got {Y.shape[1]}")
    acc = {m: _Acc.empty() for m in methods}
    for o in origins:
        res = forecast_matrix_levels(
            Y[:, :o], horizon, methods, (level,), nonneg=nonneg, candidates=candidates
        )
        actual = Y[:, o : o + horizon]
        scale = mase_scale(Y[:, :o])
        for m in methods:
            acc[m].add(res[(m, level)], actual, scale)
    rows = [{"method": m, **acc[m].summary(), "n_origins": len(origins)} for m in methods]
    return pl.DataFrame(rows).sort("mase")


def backtest_cpl(
    spend: np.ndarray,
    leads: np.ndarray,
    horizon: int = 7,
    method: str = "auto",
    *,
    n_origins: int = 4,
    step: int = 7,
    level: float = LEVEL,
) -> dict[str, float]:
    """Coverage and sMAPE of the derived daily CPL, on the days that had at least one lead."""
    wide = 1.0 - (1.0 - level) / 2.0
    covered, errs, finite = [], [], True
    for o in evaluation_origins(spend.shape[1], horizon, n_origins, step):
        s = forecast_matrix_levels(spend[:, :o], horizon, (method,), (level, wide))
        ld = forecast_matrix_levels(leads[:, :o], horizon, (method,), (level, wide))
        cpl = derive_cpl(s[(method, level)], ld[(method, level)], s[(method, wide)], ld[(method, wide)])
        live = ~np.isnan(spend[:, o - 1])  # series that had started by the origin
        finite &= bool(np.isfinite(cpl.point[live]).all() and np.isfinite(cpl.upper[live]).all())
        a_spend, a_leads = spend[:, o : o + horizon], leads[:, o : o + horizon]
        ok = (a_leads >= 1) & cpl.defined & np.isfinite(a_spend)
        actual = np.where(ok, a_spend / np.where(ok, a_leads, 1.0), np.nan)
        covered.append(((actual >= cpl.lower - 1e-9) & (actual <= cpl.upper + 1e-9))[ok])
        errs.append(smape(cpl.point, actual)[ok])
    cov = np.concatenate(covered)
    return {
        "cpl_coverage": float(cov.mean()),
        "cpl_smape": float(np.concatenate(errs).mean()),
        "cpl_days": int(cov.size),
        "cpl_all_finite": finite,
    }


# --------------------------------------------------------------------------------------------------
# inputs: a real daily series from a CSV, or a synthetic ad-like fleet


def load_daily_csv(path: str | Path, date_col: str, value_col: str, agg: str = "sum") -> pl.DataFrame:
    """Read any dated CSV into a regular daily series (`date`, `value`).

    - Timestamps are truncated to the day and aggregated with `agg` ("sum" for flows such as spend,
      leads or rides; "mean" for levels such as a temperature).
    - When the data is sub-daily, a first or last day with fewer rows than the typical (median) day is
      partial and is dropped, so that a half day is not read as a collapse.
    - The series is reindexed to every calendar day. A missing day is treated as missing data, not as
      a zero (unlike the ad source, a generic CSV gives no reason to believe nothing happened), and is
      forward-filled from the previous day; the `filled` column marks those days. A day whose values
      are all null or unparsable is treated the same way.
    """
    raw = pl.read_csv(path, columns=[date_col, value_col], infer_schema_length=10_000)
    d = raw[date_col]
    if d.dtype == pl.String:
        d = d.str.strip_chars().str.to_datetime(strict=False)
        if d.null_count() == d.len():
            d = raw[date_col].str.to_date(strict=False)
    frame = pl.DataFrame({"date": d.cast(pl.Date), "value": raw[value_col].cast(pl.Float64, strict=False)})
    frame = frame.drop_nulls("date")
    if frame.height == 0:
        raise ValueError(f"no parsable dates in column {date_col!r} of {path}")
    agg_expr = pl.col("value").mean() if agg == "mean" else pl.col("value").sum()
    daily = (
        frame.group_by("date")
        .agg(agg_expr.alias("value"), pl.len().alias("_n"), pl.col("value").is_not_null().sum().alias("_ok"))
        .sort("date")
    )
    daily = daily.with_columns(pl.when(pl.col("_ok") > 0).then(pl.col("value")).alias("value"))
    typical = daily["_n"].median()
    if typical is not None and typical > 1 and daily.height > 2:
        edges = [daily["date"][0], daily["date"][-1]]
        partial = daily.filter(pl.col("date").is_in(edges) & (pl.col("_n") < typical))["date"]
        daily = daily.filter(~pl.col("date").is_in(partial.implode()))
    full = pl.DataFrame({"date": pl.date_range(daily["date"].min(), daily["date"].max(), "1d", eager=True)})
    out = full.join(daily.select("date", "value"), on="date", how="left")
    return out.with_columns(
        pl.col("value").is_null().alias("filled"), pl.col("value").forward_fill().backward_fill()
    )


@dataclass(frozen=True)
class SyntheticFleet:
    spend: np.ndarray  # (n, days), NaN before each campaign's start
    leads: np.ndarray
    budget: np.ndarray  # (n,) daily budget at the last day
    start: dt.date


def synthetic_ad_fleet(n: int = 2000, days: int = 120, seed: int = 7) -> SyntheticFleet:
    """A fleet that looks like Meta lead campaigns, for benchmarks and acceptance figures.

    Per campaign: a budget with occasional step changes; spend = budget x pacing x a weekly pattern x
    lognormal noise, capped at 1.25 x budget; a slow drift in pacing; 0-2 paused stretches of 3-20 days,
    and 10 % of campaigns stopped before the end; leads ~ Poisson(spend / CPL) with a CPL that has its
    own weekly pattern and random walk; a quarter of the campaigns start late (shorter histories).
    """
    rng = np.random.default_rng(seed)
    t = np.arange(days)
    budget0 = np.exp(rng.normal(np.log(60), 0.8, n))
    budget = np.repeat(budget0[:, None], days, axis=1)
    for i in np.flatnonzero(rng.random(n) < 0.5):
        for day in rng.integers(10, days, rng.integers(1, 3)):
            budget[i, day:] *= rng.uniform(0.6, 1.6)
    dow = (t % SEASON)[None, :]
    shape = np.array([0.08, 0.1, 0.06, 0.02, -0.04, -0.14, -0.08])
    amp = rng.uniform(0.0, 1.5, (n, 1))
    weekly = 1.0 + amp * shape[dow]
    pacing = rng.uniform(0.65, 1.0, (n, 1)) * np.exp(rng.normal(0, 0.004, (n, 1)) * t[None, :])
    spend = budget * np.clip(pacing, 0.2, 1.2) * weekly * np.exp(rng.normal(0, 0.12, (n, days)))
    spend = np.minimum(spend, 1.25 * budget)
    active = np.ones((n, days), dtype=bool)
    for i in range(n):
        for _ in range(rng.choice(3, p=[0.55, 0.3, 0.15])):
            a = int(rng.integers(0, days - 3))
            active[i, a : a + int(rng.integers(3, 21))] = False
    stopped = rng.random(n) < 0.1
    active[stopped] &= t[None, :] < rng.integers(days // 2, days, stopped.sum())[:, None]
    spend = np.round(np.where(active, spend, 0.0), 2)
    cpl0 = np.exp(rng.normal(np.log(25), 0.7, (n, 1)))
    lead_shape = np.array([-0.05, -0.08, -0.05, 0.0, 0.05, 0.15, 0.1])
    cpl = cpl0 * np.exp(np.cumsum(rng.normal(0, 0.02, (n, days)), axis=1)) * (1 + amp * lead_shape[dow])
    leads = rng.poisson(spend / cpl).astype(float)
    start = np.where(rng.random(n) < 0.25, rng.integers(0, days - 21, n), 0)
    pad = t[None, :] < start[:, None]
    spend[pad], leads[pad] = np.nan, np.nan
    return SyntheticFleet(spend, leads, budget[:, -1], dt.date(2026, 1, 1))


def fleet_to_daily(fleet: SyntheticFleet, accounts: int = 100) -> pl.DataFrame:
    """The synthetic fleet as a DAILY_SCHEMA-like frame (the columns `forecast_fleet` reads)."""
    n, days = fleet.spend.shape
    rows, cols = np.nonzero(~np.isnan(fleet.spend))
    dates = pl.date_range(fleet.start, fleet.start + dt.timedelta(days=days - 1), "1d", eager=True)
    return pl.DataFrame(
        {
            "config_id": (rows % accounts + 1).astype(np.int64),
            "campaign_id": pl.Series((rows + 120_000_000_000).astype(str)),
            "date": dates.gather(cols),
            "spend": fleet.spend[rows, cols],
            "leads": fleet.leads[rows, cols].astype(np.int64),
            "status": "ACTIVE",
            "daily_budget": fleet.budget[rows],
        }
    )


# --------------------------------------------------------------------------------------------------
# entry points for the CLI


@dataclass(frozen=True)
class EvaluationResult:
    title: str
    horizon: int
    tables: dict[str, pl.DataFrame]  # metric (or series name) -> per-method metrics
    notes: list[str]


def evaluate_csv(
    path: str | Path,
    date_col: str,
    value_col: str,
    horizon: int = 7,
    *,
    agg: str = "sum",
    n_origins: int = 30,
    step: int = 1,
) -> EvaluationResult:
    """Backtest every method on one real daily series (origins one day apart by default)."""
    series = load_daily_csv(path, date_col, value_col, agg)
    Y = series["value"].to_numpy().astype(float)[None, :]
    nonneg = bool(np.nanmin(Y) >= 0)
    table = backtest_methods(Y, horizon, n_origins=n_origins, step=step, nonneg=nonneg)
    notes = [
        f"{Path(path).name}: {series.height} days {series['date'].min()}..{series['date'].max()}, "
        f"{int(series['filled'].sum())} missing days forward-filled, aggregated with {agg}",
        f"non-negative clipping: {'on' if nonneg else 'off (series has negative values)'}",
    ]
    return EvaluationResult(
        f"forecast backtest: {Path(path).name}:{value_col}", horizon, {value_col: table}, notes
    )


def evaluate_matrices(
    series: dict[str, np.ndarray],
    horizon: int = 7,
    *,
    n_origins: int = 4,
    step: int = 7,
    title: str = "fleet",
) -> EvaluationResult:
    """Backtest every method on each metric matrix of a fleet, plus the derived CPL when possible."""
    tables = {k: backtest_methods(Y, horizon, n_origins=n_origins, step=step) for k, Y in series.items()}
    notes = [f"{next(iter(series.values())).shape[0]} series, {n_origins} origins {step} days apart"]
    if {"spend", "leads"} <= series.keys():
        c = backtest_cpl(series["spend"], series["leads"], horizon, n_origins=n_origins, step=step)
        notes.append(
            f"CPL (auto, derived; days with >= 1 lead): coverage {c['cpl_coverage']:.3f}, "
            f"sMAPE {c['cpl_smape']:.1f}, {c['cpl_days']} days, all finite: {c['cpl_all_finite']}"
        )
    return EvaluationResult(title, horizon, tables, notes)


def evaluate_synthetic(n: int = 2000, days: int = 120, horizon: int = 7, seed: int = 7) -> EvaluationResult:
    fleet = synthetic_ad_fleet(n, days, seed)
    return evaluate_matrices(
        {"spend": fleet.spend, "leads": fleet.leads}, horizon, title=f"synthetic ad fleet (seed {seed})"
    )


def format_report(result: EvaluationResult) -> str:
    """A plain-text table per metric: MASE (mean, median), sMAPE, 95 % coverage, scaled width."""
    lines = [f"{result.title}  (horizon {result.horizon} days)", *[f"  {n}" for n in result.notes]]
    for name, table in result.tables.items():
        base = {r["method"]: r["mase"] for r in table.iter_rows(named=True)}
        lines += [
            "",
            f"[{name}]",
            f"{'method':<15}{'MASE':>8}{'MASE med':>10}{'sMAPE':>8}{'cov95':>8}"
            f"{'width':>8}{'vs ema':>8}{'n':>8}",
        ]
        for r in table.iter_rows(named=True):
            rel = r["mase"] / base["ema"] if base.get("ema") else np.nan
            tag = " (baseline)" if r["method"] in BASELINES else ""
            lines.append(
                f"{r['method']:<15}{r['mase']:>8.3f}{r['mase_median']:>10.3f}{r['smape']:>8.1f}"
                f"{r['coverage']:>8.3f}{r['scaled_width']:>8.2f}{rel:>8.3f}{r['n_series_origins']:>8}{tag}"
            )
    lines += ["", "MASE: seasonal-naive (m=7) in-sample scale; width: median interval width / that scale."]
    return "\n".join(lines)


def evaluate_demo(n_accounts: int = 50, seed: int = 7, horizon: int = 7) -> EvaluationResult:
    """Backtest every method on the demo generator's fleet (spend and leads per campaign)."""
    from famachat_ml_pipeline.core.forecasting import fleet_matrix
    from famachat_ml_pipeline.demo.generator import clean_demo, generate_demo

    data = generate_demo(n_accounts=n_accounts, seed=seed)
    daily, as_of = clean_demo(data).daily, data.end_date
    _, _, mats = fleet_matrix(daily, as_of, ["spend", "leads"])
    return evaluate_matrices(
        {"spend": mats["spend"], "leads": mats["leads"]}, horizon, title=f"demo fleet ({n_accounts} accounts)"
    )
