"""Anomaly detection for campaigns: the seed's 12 types (section 4.2), on robust, count-aware statistics.

Pure functions: a dense daily frame (`core.frames.DAILY_SCHEMA`) in, an anomaly frame (`ANOMALY_SCHEMA`) out.
No Dagster and no database here.

How it works, and why:

- The frame is turned into one matrix per metric, `[campaign, day]`, by a single scatter. Every statistic is
  then a numpy operation over all campaigns of all accounts at once: there is no loop per campaign.
- The statistical core (`robust_seasonal_z`) is shared with the single-series detector that the NAB
  evaluation runs (`detect_series`):
  - a seasonal baseline, the median of the same phase over the last `seasonal_lags` periods (day of week for
    daily data), is used only where it makes the residual scale smaller than no adjustment at all;
  - median and MAD over the trailing history, so one past spike does not inflate the scale and hide the
    next one (the seed's mean/std does exactly that);
  - a level statistic (median of the last few residuals), the robust form of the seed's change point.
- Rates built on small counts (CPL from leads, CTR from clicks) must also pass a Poisson or binomial test,
  so 1 lead against an expected 2 never alerts however large the percentage looks.
- Known non-anomalies stay quiet: spend up to `budget_tolerance` x daily budget, drops and zero delivery of
  paused, archived or deleted campaigns, and zero delivery of campaigns that were not delivering anyway.

`deviation_score` is the number the severity was read from: a z score (z tests, count tests as their
z equivalent) or a percentage (change point, frequency, reach, zero delivery), as in the seed's table.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl
from numpy.lib.stride_tricks import sliding_window_view
from scipy import stats

from famachat_ml_pipeline.core.frames import KEY

ANOMALY_TYPES: tuple[str, ...] = (
    "SPEND_SPIKE",
    "SPEND_DROP",
    "CPL_SPIKE",
    "CPL_DROP",
    "CTR_SPIKE",
    "CTR_DROP",
    "PERFORMANCE_DROP",
    "PERFORMANCE_SPIKE",
    "FREQUENCY_ALERT",
    "REACH_SATURATION",
    "ZERO_SPEND",
    "ZERO_IMPRESSIONS",
)
SEVERITIES: tuple[str, ...] = ("LOW", "MEDIUM", "HIGH", "CRITICAL")

ANOMALY_SCHEMA: dict[str, pl.DataType] = {
    "config_id": pl.Int64(),
    "entity_type": pl.String(),
    "entity_id": pl.String(),
    "anomaly_type": pl.String(),
    "metric_name": pl.String(),
    "observed_value": pl.Float64(),
    "expected_value": pl.Float64(),
    "deviation_score": pl.Float64(),
    "severity": pl.String(),
    "anomaly_date": pl.Date(),
}
OUTPUT_KEY = ["config_id", "entity_id", "anomaly_type", "metric_name", "anomaly_date"]

# Statuses under which a campaign is not expected to deliver (status or effective_status).
INACTIVE_STATUSES = frozenset({"PAUSED", "ARCHIVED", "DELETED", "CAMPAIGN_PAUSED", "ADSET_PAUSED"})

_MAD_TO_SIGMA = 1.4826
_MAX_SCORE = 1e6  # keeps deviation_score finite when the history was perfectly flat
_CHUNK_ROWS = 2048  # rows of history windows per nanmedian call: bounds memory on long series


@dataclass(frozen=True)
class AnomalyConfig:
    # the seed's settings (section 4.2)
    z_threshold: float = 2.5  # the seed's plain z score (baseline)
    robust_z_threshold: float = 3.5  # MAD-based z: Iglewicz and Hoaglin's classic cut-off
    iqr_multiplier: float = 1.5
    change_pct: float = 30.0
    change_recent_days: int = 3
    change_previous_days: int = 7
    min_history_days: int = 7
    # robust core
    history_days: int = 28
    seasonal_lags: int = 4  # same weekday over the last 4 weeks
    scale_floor_std: float = 0.25  # where MAD is 0 (lumpy data), a quarter of the std is the scale
    min_relative_scale: float = 0.05  # campaign metrics: day-to-day jitter is at least 5 % of the level
    min_effect_pct: float = 20.0  # a z alert on a campaign metric also needs a material change
    # the pooled (multi-day) CTR test is a weaker signal than one striking day: it needs a bigger effect
    sustained_effect_pct: float = 50.0
    # count-aware tests for rates
    alpha: float = 0.001  # strict: a fleet run makes tens of thousands of tests a day
    min_count: int = 5  # a rate test needs this many observed or expected events
    # delivery and audience
    frequency_threshold: float = 3.5
    frequency_window_days: int = 7
    frequency_min_impressions: int = 1000
    saturation_min_frequency: float = 2.0
    saturation_frequency_growth_pct: float = 20.0
    saturation_reach_growth_pct: float = 5.0
    budget_tolerance: float = 1.25
    zero_recent_days: int = 7
    zero_min_delivery_days: int = 4  # delivered on 4 of the last 7 days: it should be delivering
    tracking_min_zero_days: int = 2
    # generic series (NAB evaluation): one setting for every file
    series_history_periods: int = 4
    series_point_z: float = 5.0
    series_level_z: float = 3.0
    series_level_fraction: float = 1 / 8  # level window: an eighth of a period, at least 3 samples
    series_hold_fraction: float = 0.25  # a raised alert holds a quarter period: no flapping


# ---------------------------------------------------------------- severity


def severity_from_z(z: np.ndarray) -> np.ndarray:
    """The seed's table: |z| < 3 LOW, 3-4 MEDIUM, 4-5 HIGH, > 5 CRITICAL."""
    a = np.abs(z)
    return np.select([a < 3.0, a < 4.0, a <= 5.0], ["LOW", "MEDIUM", "HIGH"], "CRITICAL")


def severity_from_pct(pct: np.ndarray) -> np.ndarray:
    """The seed's table: |change| < 30 % LOW, 30-50 MEDIUM, 50-80 HIGH, > 80 CRITICAL."""
    a = np.abs(pct)
    return np.select([a < 30.0, a < 50.0, a <= 80.0], ["LOW", "MEDIUM", "HIGH"], "CRITICAL")


# ---------------------------------------------------------------- statistical core (numpy, 2-D)


def _nan_median(a: np.ndarray, axis: int) -> np.ndarray:
    """NaN-ignoring median; NaN where a slice has no value."""
    if a.shape[axis] > 64:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN windows are expected early on
            return np.nanmedian(a, axis=axis)
    # short slices: a sort (NaN last) beats numpy's masked-array path by an order of magnitude
    s = np.sort(a, axis=axis)
    count = np.isfinite(s).sum(axis=axis, keepdims=True)
    lo = np.clip((count - 1) // 2, 0, None)
    hi = np.clip(count // 2, 0, a.shape[axis] - 1)
    med = (np.take_along_axis(s, lo, axis) + np.take_along_axis(s, hi, axis)) / 2.0
    med = np.where(count > 0, med, np.nan)
    return np.squeeze(med, axis=axis)


def _shift(x: np.ndarray, k: int) -> np.ndarray:
    """x[:, t - k], NaN where t < k."""
    out = np.full_like(x, np.nan)
    if k < x.shape[1]:
        out[:, k:] = x[:, : x.shape[1] - k]
    return out


def seasonal_lag_median(x: np.ndarray, period: int, lags: int) -> np.ndarray:
    """Median of x at t - period, ..., t - lags*period; NaN unless at least 2 of them exist."""
    stack = np.stack([_shift(x, k * period) for k in range(1, lags + 1)])
    out = _nan_median(stack, axis=0)
    out[np.isfinite(stack).sum(axis=0) < 2] = np.nan
    return out


def _history(x: np.ndarray, window: int, targets: np.ndarray) -> np.ndarray:
    """[series, target, window] view of x[:, t - window .. t - 1] for each target column t."""
    padded = np.concatenate([np.full((x.shape[0], window), np.nan), x], axis=1)
    return sliding_window_view(padded, window, axis=1)[:, targets, :]


def _window_stats(hist: np.ndarray, min_samples: int) -> tuple[np.ndarray, ...]:
    """Median, MAD (as a sigma), std and mean absolute deviation over the last axis, in chunks.

    NaN where a window has fewer than min_samples values.
    """
    s, t, w = hist.shape
    flat = hist.reshape(s * t, w)
    med, mad, sd, mean_abs = (np.full(s * t, np.nan) for _ in range(4))
    for i in range(0, s * t, _CHUNK_ROWS):
        block = flat[i : i + _CHUNK_ROWS]
        m = _nan_median(block, axis=1)
        dev = np.abs(block - m[:, None])
        sl = slice(i, i + len(block))
        med[sl] = m
        mad[sl] = _nan_median(dev, axis=1) * _MAD_TO_SIGMA
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            sd[sl] = np.nanstd(block, axis=1)
            mean_abs[sl] = np.nanmean(dev, axis=1)
    enough = (np.isfinite(flat).sum(axis=1) >= min_samples).reshape(s, t)
    return tuple(np.where(enough, a.reshape(s, t), np.nan) for a in (med, mad, sd, mean_abs))


@dataclass(frozen=True)
class RobustZ:
    expected: np.ndarray  # [series, target] expected value (seasonal baseline + residual median)
    scale: np.ndarray  # robust sigma of the residual
    z: np.ndarray  # (observed - expected) / scale
    level_z: np.ndarray  # (median of the last `level_len` residuals - residual median) / scale


def robust_seasonal_z(
    x: np.ndarray,
    targets: np.ndarray,
    *,
    periods: Sequence[int],
    window: int,
    min_samples: int,
    lags: int,
    scale_floor_std: float,
    min_relative_scale: float = 0.0,
    level_len: int = 3,
) -> RobustZ:
    """Robust z of x[:, targets] against its trailing `window`, with an optional seasonal baseline.

    Candidates are "no adjustment" and each period in `periods`; for each point the candidate whose
    residuals have the smallest mean absolute deviation wins, so a series without seasonality is never made
    noisier by adjusting it. (The MAD cannot choose: it ignores a minority pattern such as weekends, which
    is exactly what the adjustment is for.)
    """
    x = np.asarray(x, dtype=float)
    shape = (x.shape[0], len(targets))
    best = RobustZ(*(np.full(shape, np.nan) for _ in range(4)))
    best_fit = np.full(shape, np.inf)
    level_targets = np.asarray(targets) + 1  # windows ending at t inclusive
    for period in (0, *periods):
        baseline = np.zeros_like(x) if period == 0 else seasonal_lag_median(x, period, lags)
        resid = x - baseline
        med, mad, sd, fit = _window_stats(_history(resid, window, targets), min_samples)
        expected = baseline[:, targets] + med
        # the std is only a fallback where MAD is 0 (lumpy data): as a floor it would let one past spike
        # inflate the scale again, which is what the median/MAD is here to prevent
        scale = np.where(mad > 0, mad, scale_floor_std * sd)
        scale = np.fmax(scale, min_relative_scale * np.abs(expected))
        # a perfectly flat history: any move away from it is as strong as it gets, not a division by 0
        scale = np.where(scale > 0, scale, 1e-9 * (1.0 + np.abs(expected)))
        with np.errstate(invalid="ignore", divide="ignore"):
            z = np.clip((resid[:, targets] - med) / scale, -_MAX_SCORE, _MAX_SCORE)
            level = _nan_median(_history(resid, level_len, level_targets), axis=2)
            level_z = np.clip((level - med) / scale, -_MAX_SCORE, _MAX_SCORE)
        better = np.isfinite(z) & np.isfinite(fit) & (fit < best_fit)
        best_fit = np.where(better, fit, best_fit)
        for name, value in (("expected", expected), ("scale", scale), ("z", z), ("level_z", level_z)):
            target = getattr(best, name)
            target[better] = value[better]
    return best


def plain_z(x: np.ndarray, targets: np.ndarray, *, window: int, min_samples: int) -> tuple[np.ndarray, ...]:
    """The seed's z score against the trailing window's mean and std: (expected, z), z NaN if std is 0."""
    hist = _history(np.asarray(x, dtype=float), window, targets)
    count = np.isfinite(hist).sum(axis=2)
    with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = np.nanmean(hist, axis=2)
        sd = np.nanstd(hist, axis=2, ddof=1)
        z = (x[:, targets] - mean) / sd
    z = np.where((count >= min_samples) & (sd > 0), z, np.nan)
    return mean, z


# ---------------------------------------------------------------- single series (NAB evaluation)


def infer_period(interval_seconds: float) -> int:
    """Samples per day for sub-daily data; a week (7) for daily or coarser data."""
    if interval_seconds >= 86400:
        return 7
    return max(2, int(round(86400 / interval_seconds)))


def _hold(flags: np.ndarray, length: int) -> np.ndarray:
    """Keep an alert raised for `length` samples after the last trigger (alert de-duplication)."""
    if length <= 1:
        return flags
    csum = np.concatenate([[0], np.cumsum(flags.astype(np.int64))])
    idx = np.arange(len(flags))
    return (csum[idx + 1] - csum[np.maximum(0, idx - length + 1)]) > 0


def detect_series(values: np.ndarray, period: int, config: AnomalyConfig = AnomalyConfig()) -> np.ndarray:
    """Our detector on one regularly sampled series: a boolean flag per sample.

    A point alert when the robust seasonal z of the sample passes `series_point_z`; a level alert when the
    median of the last eighth of a period passes `series_level_z` (a sustained shift too small for any
    single sample). Seasonal candidates: the period and 7 periods (daily and weekly for sub-daily data).
    """
    x = np.asarray(values, dtype=float)[None, :]
    n = x.shape[1]
    if n == 0:
        return np.zeros(0, dtype=bool)
    period = max(2, int(period))
    res = robust_seasonal_z(
        x,
        np.arange(n),
        periods=(period, 7 * period) if period != 7 else (period,),
        window=config.series_history_periods * period,
        min_samples=period,
        lags=config.seasonal_lags,
        scale_floor_std=config.scale_floor_std,
        level_len=max(3, int(round(period * config.series_level_fraction))),
    )
    with np.errstate(invalid="ignore"):
        raw = (np.abs(res.z[0]) > config.series_point_z) | (np.abs(res.level_z[0]) > config.series_level_z)
    return _hold(raw, int(period * config.series_hold_fraction))


def detect_series_zscore(
    values: np.ndarray, period: int, config: AnomalyConfig = AnomalyConfig()
) -> np.ndarray:
    """The seed's plain z score on one series: mean/std of the same trailing window, |z| > z_threshold."""
    x = np.asarray(values, dtype=float)[None, :]
    n = x.shape[1]
    if n == 0:
        return np.zeros(0, dtype=bool)
    period = max(2, int(period))
    _, z = plain_z(x, np.arange(n), window=config.series_history_periods * period, min_samples=period)
    with np.errstate(invalid="ignore"):
        return np.abs(np.nan_to_num(z[0], nan=0.0)) > config.z_threshold


# ---------------------------------------------------------------- campaign matrices


@dataclass(frozen=True)
class _Matrices:
    keys: pl.DataFrame  # one row per campaign: config_id, campaign_id, inactive, should_deliver
    dates: list[dt.date]  # column dates, oldest first; the last len(targets) are the detection days
    targets: np.ndarray  # column indexes of the detection days
    m: dict[str, np.ndarray]  # metric -> [campaign, day], NaN before the campaign's first day


def _to_matrices(daily: pl.DataFrame, as_of: dt.date, n_days: int, lookback: int) -> _Matrices:
    start = as_of - dt.timedelta(days=n_days - 1)
    frame = daily.filter(pl.col("date").is_between(start, as_of))
    status = pl.col("status").fill_null("").str.to_uppercase()
    effective = pl.col("effective_status").fill_null("").str.to_uppercase()
    inactive = status.is_in(list(INACTIVE_STATUSES)) | effective.is_in(list(INACTIVE_STATUSES))
    keys = (
        frame.group_by(KEY)
        .agg(pl.col("status", "effective_status").sort_by("date").last())
        .sort(KEY)
        .with_columns(inactive=inactive, should_deliver=(status == "ACTIVE") & ~inactive)
        .with_row_index("row")
    )
    frame = frame.join(keys.select([*KEY, "row"]), on=KEY, how="left")
    rows = frame["row"].to_numpy().astype(np.int64)
    cols = (frame["date"].to_numpy().astype("datetime64[D]") - np.datetime64(start, "D")).astype(np.int64)
    m: dict[str, np.ndarray] = {}
    for name in ("spend", "impressions", "clicks", "reach", "leads", "daily_budget"):
        mat = np.full((keys.height, n_days), np.nan)
        mat[rows, cols] = frame[name].cast(pl.Float64).to_numpy()
        m[name] = mat
    exists = np.zeros((keys.height, n_days), dtype=bool)
    exists[rows, cols] = True
    # A null on an existing day is a day whose source row was set aside: unknown, so it stays NaN and
    # never reads as zero delivery. The dense frame already turned days without a row into zeros.
    with np.errstate(invalid="ignore", divide="ignore"):
        m["ctr"] = np.where(m["impressions"] > 0, m["clicks"] / m["impressions"] * 100.0, np.nan)
        m["cpl"] = np.where(m["leads"] > 0, m["spend"] / m["leads"], np.nan)
    m["exists"] = exists.astype(float)
    dates = [start + dt.timedelta(days=i) for i in range(n_days)]
    return _Matrices(keys.drop("row"), dates, np.arange(n_days - lookback, n_days), m)


def _window_sum(x: np.ndarray, targets: np.ndarray, length: int, end_offset: int = 0) -> np.ndarray:
    """Sum of x over the `length` days ending at t - end_offset (inclusive); NaN if any day is missing."""
    hist = _history(x, length, targets + 1 - end_offset)
    return hist.sum(axis=2)  # NaN propagates: a partial window is not a full window


def _rows(
    mats: _Matrices,
    mask: np.ndarray,
    anomaly_type: str,
    metric: str,
    observed: np.ndarray,
    expected: np.ndarray,
    score: np.ndarray,
    severity: np.ndarray,
) -> pl.DataFrame:
    mask = np.asarray(mask, dtype=bool) & np.isfinite(observed) & np.isfinite(expected) & np.isfinite(score)
    r, c = np.nonzero(mask)
    keys = mats.keys[r]
    target_dates = np.array(mats.dates, dtype="datetime64[D]")[mats.targets]
    return pl.DataFrame(
        {
            "config_id": keys["config_id"],
            "entity_type": pl.Series([], dtype=pl.String).extend_constant("campaign", len(r)),
            "entity_id": keys["campaign_id"],
            "anomaly_type": pl.Series([], dtype=pl.String).extend_constant(anomaly_type, len(r)),
            "metric_name": pl.Series([], dtype=pl.String).extend_constant(metric, len(r)),
            "observed_value": observed[r, c],
            "expected_value": expected[r, c],
            "deviation_score": score[r, c],
            "severity": pl.Series(severity[r, c], dtype=pl.String),
            "anomaly_date": pl.Series(target_dates[c]).cast(pl.Date),
        },
        schema=ANOMALY_SCHEMA,
    )


def _finish(parts: list[pl.DataFrame]) -> pl.DataFrame:
    """One row per key, the most severe kept (a tracking break outranks a plain leads drop)."""
    if not parts:
        return pl.DataFrame(schema=ANOMALY_SCHEMA)
    rank = pl.col("severity").replace_strict(list(SEVERITIES), list(range(4)), return_dtype=pl.Int8)
    return (
        pl.concat(parts)
        .sort(rank, pl.col("deviation_score").abs(), descending=True)
        .unique(OUTPUT_KEY, keep="first", maintain_order=True)
        .sort(OUTPUT_KEY)
    )


def _n_days(config: AnomalyConfig, lookback_days: int) -> int:
    # history window + the seasonal lags that the oldest history day needs
    return lookback_days + config.history_days + 7 * config.seasonal_lags


def _pct(observed: np.ndarray, expected: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(expected > 0, (observed - expected) / expected * 100.0, np.nan)


def _z_of_p(p: np.ndarray) -> np.ndarray:
    """One-sided p value as a positive z (finite)."""
    return np.clip(stats.norm.isf(np.clip(p, 1e-300, 1.0)), 0.0, _MAX_SCORE)


# ---------------------------------------------------------------- campaign detectors


def _robust(mats: _Matrices, metric: str, config: AnomalyConfig) -> RobustZ:
    return robust_seasonal_z(
        mats.m[metric],
        mats.targets,
        periods=(7,),
        window=config.history_days,
        min_samples=config.min_history_days,
        lags=config.seasonal_lags,
        scale_floor_std=config.scale_floor_std,
        min_relative_scale=config.min_relative_scale,
        level_len=config.change_recent_days,
    )


def _spend(mats: _Matrices, config: AnomalyConfig, quiet: np.ndarray) -> list[pl.DataFrame]:
    t = mats.targets
    spend = mats.m["spend"][:, t]
    budget = mats.m["daily_budget"][:, t]
    res = _robust(mats, "spend", config)
    pct = _pct(spend, res.expected)
    # Meta may spend up to 125 % of the daily budget on a given day: not an anomaly by itself
    within_budget = np.isfinite(budget) & (budget > 0) & (spend <= config.budget_tolerance * budget)
    spike = (res.z > config.robust_z_threshold) & (pct >= config.min_effect_pct) & ~within_budget
    # spend at 0 is ZERO_SPEND's business, not a drop
    drop = (res.z < -config.robust_z_threshold) & (pct <= -config.min_effect_pct) & (spend > 0) & ~quiet
    sev = severity_from_z(np.nan_to_num(res.z))
    return [
        _rows(mats, spike, "SPEND_SPIKE", "spend", spend, res.expected, res.z, sev),
        _rows(mats, drop, "SPEND_DROP", "spend", spend, res.expected, res.z, sev),
    ]


def _rate(mats: _Matrices, config: AnomalyConfig, quiet: np.ndarray, metric: str) -> list[pl.DataFrame]:
    """CPL against Poisson leads, CTR against binomial clicks; the robust z must agree."""
    t = mats.targets
    res = _robust(mats, metric, config)
    observed = mats.m[metric][:, t]
    if metric == "cpl":
        events = mats.m["leads"][:, t]
        with np.errstate(invalid="ignore", divide="ignore"):
            mu = np.where(res.expected > 0, mats.m["spend"][:, t] / res.expected, np.nan)
        # a high CPL means fewer leads than the spend should buy, and the other way round
        p_high = stats.poisson.cdf(events, mu)
        p_low = stats.poisson.sf(events - 1, mu)
    else:
        events = mats.m["clicks"][:, t]
        n = mats.m["impressions"][:, t]
        p0 = np.clip(res.expected / 100.0, 0.0, 1.0)
        mu = n * p0
        p_high = stats.binom.sf(events - 1, n, p0)
        p_low = stats.binom.cdf(events, n, p0)
    enough = np.fmax(events, mu) >= config.min_count
    shift = _sustained_ctr_shift(mats, config) if metric == "ctr" else None
    out = []
    for side, p, sign in (("SPIKE", p_high, 1.0), ("DROP", p_low, -1.0)):
        with np.errstate(invalid="ignore"):
            material = sign * _pct(observed, res.expected) >= config.min_effect_pct
            significant = (sign * res.z > config.robust_z_threshold) & (p < config.alpha) & enough & material
        if shift is not None:
            significant |= shift[side]
        if side == "DROP":
            significant &= ~quiet
        # the weaker of the two pieces of evidence sets the severity
        score = sign * np.fmin(np.abs(res.z), _z_of_p(np.nan_to_num(p, nan=1.0)))
        out.append(
            _rows(
                mats,
                significant,
                f"{metric.upper()}_{side}",
                metric,
                observed,
                res.expected,
                score,
                severity_from_z(score),
            )
        )
    return out


def _sustained_ctr_shift(mats: _Matrices, config: AnomalyConfig) -> dict[str, np.ndarray]:
    """CTR of the last few days, pooled, against the history's pooled CTR: a quasi-Poisson test on clicks.

    One day of 2 clicks is noise; three days of it after weeks of 10 a day is a collapse. Pooling is what
    makes small campaigns detectable at all, and the dispersion keeps drifting ones quiet.
    """
    t, n = mats.targets, config.change_recent_days
    clicks, imps = mats.m["clicks"], mats.m["impressions"]
    recent_c, recent_i = _window_sum(clicks, t, n), _window_sum(imps, t, n)
    hist_c = np.nansum(_history(clicks, config.history_days, t - n + 1), axis=2)
    hist_i = np.nansum(_history(imps, config.history_days, t - n + 1), axis=2)
    phi = _dispersion(clicks, imps, t - n + 1, config.history_days)
    with np.errstate(invalid="ignore", divide="ignore"):
        mu = np.where(hist_i > 0, recent_i * hist_c / hist_i, np.nan)
        pct = _pct(recent_c, mu)
        enough = (np.fmax(recent_c, mu) >= config.min_count) & (hist_c >= 2 * config.min_count)
        p_low = stats.poisson.cdf(np.floor(recent_c / phi), mu / phi)
        p_high = stats.poisson.sf(np.ceil(recent_c / phi) - 1, mu / phi)
        return {
            "DROP": (pct < -config.sustained_effect_pct) & (p_low < config.alpha) & enough,
            "SPIKE": (pct > config.sustained_effect_pct) & (p_high < config.alpha) & enough,
        }


def _performance(mats: _Matrices, config: AnomalyConfig, quiet: np.ndarray) -> list[pl.DataFrame]:
    """The seed's change point on leads (last 3 days vs the 7 before), Poisson-checked; tracking breaks."""
    t = mats.targets
    leads, spend = mats.m["leads"], mats.m["spend"]
    recent_n, prev_n = config.change_recent_days, config.change_previous_days
    recent = _window_sum(leads, t, recent_n)
    previous = _window_sum(leads, t, prev_n, end_offset=recent_n)
    recent_spend = _window_sum(spend, t, recent_n)
    previous_spend = _window_sum(spend, t, prev_n, end_offset=recent_n)
    # Performance is leads for the money: the expectation scales the previous leads by the spend of the
    # recent days, so a campaign that simply spent less (or stopped: see ZERO_SPEND) is no performance drop.
    with np.errstate(invalid="ignore", divide="ignore"):
        mu = np.where(previous_spend > 0, previous * recent_spend / previous_spend, np.nan)
    pct = _pct(recent, mu)
    enough = np.fmax(recent, np.nan_to_num(mu)) >= config.min_count
    # Real lead counts are overdispersed (conversion rates drift day to day), so the Poisson test runs on
    # counts scaled by the campaign's own Pearson dispersion over its history (quasi-Poisson).
    phi = _dispersion(leads, spend, t - recent_n + 1, config.history_days)
    with np.errstate(invalid="ignore", divide="ignore"):
        p_low = stats.poisson.cdf(np.floor(recent / phi), mu / phi)
        p_high = stats.poisson.sf(np.ceil(recent / phi) - 1, mu / phi)
        drop = (pct < -config.change_pct) & (p_low < config.alpha) & enough & ~quiet
        spike = (pct > config.change_pct) & (p_high < config.alpha) & enough
    obs, exp_ = recent / recent_n, mu / recent_n
    sev = severity_from_pct(np.nan_to_num(pct))
    out = [
        _rows(mats, drop, "PERFORMANCE_DROP", "leads", obs, exp_, pct, sev),
        _rows(mats, spike, "PERFORMANCE_SPIKE", "leads", obs, exp_, pct, sev),
    ]

    # Tracking break: spend goes on while leads sit at 0, for a run of days in which the history says
    # leads were expected (P(0 leads | expected) < alpha). The expectation uses the days before the run.
    dead = np.nan_to_num((leads == 0) & (spend > 0)).astype(bool)
    run = _run_length(dead)[:, t]
    cs_spend = np.concatenate(
        [np.zeros((spend.shape[0], 1)), np.cumsum(np.nan_to_num(spend), axis=1)], axis=1
    )
    cs_leads = np.concatenate(
        [np.zeros((leads.shape[0], 1)), np.cumsum(np.nan_to_num(leads), axis=1)], axis=1
    )
    cs_days = np.concatenate([np.zeros((leads.shape[0], 1)), np.cumsum(mats.m["exists"] > 0, axis=1)], axis=1)
    run_start = t[None, :] - run + 1  # first day of the run (column index)
    hist_start = np.maximum(run_start - config.history_days, 0)
    take = np.take_along_axis
    h_spend = take(cs_spend, run_start, 1) - take(cs_spend, hist_start, 1)
    h_leads = take(cs_leads, run_start, 1) - take(cs_leads, hist_start, 1)
    h_days = take(cs_days, run_start, 1) - take(cs_days, hist_start, 1)
    run_spend = take(cs_spend, t[None, :] + 1, 1) - take(cs_spend, run_start, 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mu_run = np.where(h_spend > 0, run_spend * h_leads / h_spend, np.nan)
    p_zero = np.exp(-np.nan_to_num(mu_run))
    broken = (
        (run >= config.tracking_min_zero_days)
        & (h_days >= config.min_history_days)
        & (p_zero < config.alpha)
        & ~quiet
    )
    zeros = np.zeros_like(mu_run)
    critical = np.full(mu_run.shape, "CRITICAL", dtype=object)
    out.append(_rows(mats, broken, "PERFORMANCE_DROP", "leads", zeros, mu_run, -_z_of_p(p_zero), critical))
    return out


def _dispersion(events: np.ndarray, exposure: np.ndarray, targets: np.ndarray, window: int) -> np.ndarray:
    """Pearson dispersion of daily events (leads, clicks) around an exposure-proportional expectation
    (spend, impressions), over the `window` days before each target; 1 (plain Poisson) when there is too
    little to estimate it, at most 20."""
    hl, hs = _history(events, window, targets), _history(exposure, window, targets)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.nansum(hl, axis=2) / np.nansum(hs, axis=2)
        expected = rate[:, :, None] * hs
        terms = np.where(expected > 0, (hl - expected) ** 2 / expected, np.nan)
        n = np.isfinite(terms).sum(axis=2)
        phi = np.nansum(terms, axis=2) / np.maximum(n - 1, 1)
    return np.clip(np.where(n >= 7, np.nan_to_num(phi, nan=1.0), 1.0), 1.0, 20.0)


def _run_length(flag: np.ndarray) -> np.ndarray:
    """Length of the run of True ending at each column (0 where False)."""
    idx = np.arange(flag.shape[1])[None, :]
    last_false = np.maximum.accumulate(np.where(~flag, idx, -1), axis=1)
    return np.where(flag, idx - last_false, 0)


def _audience(mats: _Matrices, config: AnomalyConfig) -> list[pl.DataFrame]:
    t = mats.targets
    w = config.frequency_window_days
    impr_now = _window_sum(mats.m["impressions"], t, w)
    reach_now = _window_sum(mats.m["reach"], t, w)
    impr_prev = _window_sum(mats.m["impressions"], t, w, end_offset=w)
    reach_prev = _window_sum(mats.m["reach"], t, w, end_offset=w)
    with np.errstate(invalid="ignore", divide="ignore"):
        freq_now = np.where(reach_now > 0, impr_now / reach_now, np.nan)
        freq_prev = np.where(reach_prev > 0, impr_prev / reach_prev, np.nan)
        over = (freq_now / config.frequency_threshold - 1.0) * 100.0
        frequent = (freq_now > config.frequency_threshold) & (impr_now >= config.frequency_min_impressions)
        growth = _pct(freq_now, freq_prev)
        saturated = (
            (freq_now >= config.saturation_min_frequency)
            & (growth >= config.saturation_frequency_growth_pct)
            & (reach_now <= reach_prev * (1.0 + config.saturation_reach_growth_pct / 100.0))
            & (impr_now >= config.frequency_min_impressions)
        )
    threshold = np.full(freq_now.shape, config.frequency_threshold)
    return [
        _rows(
            mats,
            frequent,
            "FREQUENCY_ALERT",
            "frequency_7d",
            freq_now,
            threshold,
            over,
            severity_from_pct(np.nan_to_num(over)),
        ),
        _rows(
            mats,
            saturated,
            "REACH_SATURATION",
            "reach_7d",
            reach_now,
            reach_prev,
            growth,
            severity_from_pct(np.nan_to_num(growth)),
        ),
    ]


def _zero(mats: _Matrices, config: AnomalyConfig) -> list[pl.DataFrame]:
    """Zero delivery, only for campaigns that should deliver and did on most recent days."""
    t = mats.targets
    should = mats.keys["should_deliver"].to_numpy()[:, None]
    out = []
    for metric, anomaly_type in (("spend", "ZERO_SPEND"), ("impressions", "ZERO_IMPRESSIONS")):
        x = mats.m[metric]
        hist = _history(x, config.zero_recent_days, t)
        delivered = (hist > 0).sum(axis=2)
        expected = _nan_median(hist, axis=2)
        zero = (x[:, t] == 0) & should & (delivered >= config.zero_min_delivery_days)
        pct = np.full(zero.shape, -100.0)
        out.append(_rows(mats, zero, anomaly_type, metric, x[:, t], expected, pct, severity_from_pct(pct)))
    return out


def detect_anomalies(
    daily: pl.DataFrame,
    as_of: dt.date,
    config: AnomalyConfig = AnomalyConfig(),
    lookback_days: int = 1,
) -> pl.DataFrame:
    """All 12 anomaly types for the days as_of - lookback_days + 1 .. as_of, for every campaign at once.

    `daily` follows DAILY_SCHEMA; rows after `as_of` are ignored (the provisional day never enters).
    """
    if lookback_days < 1:
        raise ValueError("lookback_days must be >= 1")
    mats = _to_matrices(daily, as_of, _n_days(config, lookback_days), lookback_days)
    if mats.keys.height == 0:
        return pl.DataFrame(schema=ANOMALY_SCHEMA)
    quiet = np.broadcast_to(mats.keys["inactive"].to_numpy()[:, None], (mats.keys.height, lookback_days))
    parts = [
        *_spend(mats, config, quiet),
        *_rate(mats, config, quiet, "cpl"),
        *_rate(mats, config, quiet, "ctr"),
        *_performance(mats, config, quiet),
        *_audience(mats, config),
        *_zero(mats, config),
    ]
    return _finish(parts)


def detect_anomalies_zscore(
    daily: pl.DataFrame,
    as_of: dt.date,
    config: AnomalyConfig = AnomalyConfig(),
    lookback_days: int = 1,
) -> pl.DataFrame:
    """The seed's plain z score (mean/std of the history, |z| > z_threshold) on spend, CPL and CTR.

    The baseline for comparisons: no seasonality, no count awareness, no known non-anomalies.
    """
    if lookback_days < 1:
        raise ValueError("lookback_days must be >= 1")
    mats = _to_matrices(daily, as_of, lookback_days + config.history_days, lookback_days)
    parts = []
    for metric in ("spend", "cpl", "ctr"):
        expected, z = plain_z(
            mats.m[metric], mats.targets, window=config.history_days, min_samples=config.min_history_days
        )
        observed = mats.m[metric][:, mats.targets]
        sev = severity_from_z(np.nan_to_num(z))
        with np.errstate(invalid="ignore"):
            for side, mask in (("SPIKE", z > config.z_threshold), ("DROP", z < -config.z_threshold)):
                parts.append(
                    _rows(mats, mask, f"{metric.upper()}_{side}", metric, observed, expected, z, sev)
                )
    return _finish(parts)
