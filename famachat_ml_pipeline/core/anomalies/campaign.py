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
- Delivery stops and days of spend without leads: see `campaign_delivery`.
- Known non-anomalies stay quiet: spend up to `budget_tolerance` x daily budget, drops and zero delivery of
  paused, archived or deleted campaigns, and zero delivery of campaigns that were not delivering anyway.

`deviation_score` is the number the severity was read from: a z score (z tests, count tests as their
z equivalent) or a percentage (change point, frequency, reach, zero delivery), as in the seed's table.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import polars as pl

from famachat_ml_pipeline.core import tails
from famachat_ml_pipeline.core.anomalies.campaign_delivery import zero_delivery, zero_lead_days
from famachat_ml_pipeline.core.anomalies.campaign_frames import (
    Matrices,
    anomaly_rows,
    finish,
    masked,
    n_days_needed,
    pct_change,
    to_matrices,
    window_sum,
    window_sums_now_and_before,
    z_of_p,
)
from famachat_ml_pipeline.core.anomalies.config import (
    ANOMALY_SCHEMA,
    DEFAULT_CONFIG,
    AnomalyConfig,
    severity_from_pct,
    severity_from_z,
)
from famachat_ml_pipeline.core.anomalies.robust import (
    RobustZ,
    dispersion,
    plain_z,
    robust_seasonal_z,
    window_dispersion,
)

DETECTOR_THREADS = 2


def _robust(mats: Matrices, metric: str, config: AnomalyConfig) -> RobustZ:
    return robust_seasonal_z(
        mats.m[metric],
        mats.targets,
        periods=(7,),
        window=config.history_days,
        min_samples=config.min_history_days,
        lags=config.seasonal_lags,
        scale_floor_std=config.scale_floor_std,
        min_relative_scale=config.min_relative_scale,
    )


def _spend(mats: Matrices, config: AnomalyConfig, quiet: np.ndarray) -> list[pl.DataFrame]:
    t = mats.targets
    spend = mats.m["spend"][:, t]
    budget = mats.m["daily_budget"][:, t]
    res = _robust(mats, "spend", config)
    pct = pct_change(spend, res.expected)
    # Meta may spend up to 125 % of the daily budget on a given day: not an anomaly by itself
    within_budget = np.isfinite(budget) & (budget > 0) & (spend <= config.budget_tolerance * budget)
    spike = (res.z > config.robust_z_threshold) & (pct >= config.min_effect_pct) & ~within_budget
    # spend at 0 is ZERO_SPEND's business, not a drop
    drop = (res.z < -config.robust_z_threshold) & (pct <= -config.min_effect_pct) & (spend > 0) & ~quiet
    return [
        anomaly_rows(mats, spike, "SPEND_SPIKE", "spend", spend, res.expected, res.z, severity_from_z),
        anomaly_rows(mats, drop, "SPEND_DROP", "spend", spend, res.expected, res.z, severity_from_z),
    ]


def _rate(mats: Matrices, config: AnomalyConfig, quiet: np.ndarray, metric: str) -> list[pl.DataFrame]:
    """CPL against Poisson leads, CTR against binomial clicks; the robust z must agree."""
    t = mats.targets
    res = _robust(mats, metric, config)
    observed = mats.m[metric][:, t]
    if metric == "cpl":
        events = mats.m["leads"][:, t]
        with np.errstate(invalid="ignore", divide="ignore"):
            mu = np.where(res.expected > 0, mats.m["spend"][:, t] / res.expected, np.nan)
        # a high CPL means fewer leads than the spend should buy, and the other way round
        tests = {
            "SPIKE": (tails.poisson_cdf, events, mu),
            "DROP": (tails.poisson_sf, events - 1, mu),
        }
    else:
        events = mats.m["clicks"][:, t]
        n = mats.m["impressions"][:, t]
        p0 = np.clip(res.expected / 100.0, 0.0, 1.0)
        mu = n * p0
        tests = {
            "SPIKE": (tails.binom_sf, events - 1, n, p0),
            "DROP": (tails.binom_cdf, events, n, p0),
        }
    enough = np.fmax(events, mu) >= config.min_count
    shift = _sustained_ctr_shift(mats, config) if metric == "ctr" else None
    pct = pct_change(observed, res.expected)
    out = []
    for side, sign in (("SPIKE", 1.0), ("DROP", -1.0)):
        with np.errstate(invalid="ignore"):
            candidate = (
                (sign * res.z > config.robust_z_threshold) & enough & (sign * pct >= config.min_effect_pct)
            )
        test, *args = tests[side]
        p = masked(test, candidate, *args)
        daily = candidate & (p < config.alpha)
        # a sustained shift the day alone does not show is said by the days it pooled: their CTR against
        # the history's, its own p (was the day's CTR, even below expected in a "CTR_SPIKE")
        pooled = shift[side] & ~daily if shift is not None else np.zeros_like(daily)
        significant = daily | pooled
        if side == "DROP":
            significant &= ~quiet
        # the weaker of the two pieces of evidence sets the severity; only the flagged cells are read
        score = np.full(significant.shape, np.nan)
        score[daily] = sign * np.fmin(np.abs(res.z[daily]), z_of_p(np.nan_to_num(p[daily], nan=1.0)))
        obs, exp_ = observed, res.expected
        if shift is not None and pooled.any():
            score[pooled] = sign * z_of_p(np.nan_to_num(shift[f"p_{side}"][pooled], nan=1.0))
            obs, exp_ = np.where(pooled, shift["observed"], obs), np.where(pooled, shift["expected"], exp_)
        out.append(
            anomaly_rows(
                mats, significant, f"{metric.upper()}_{side}", metric, obs, exp_, score, severity_from_z
            )
        )
    return out


def _sustained_ctr_shift(mats: Matrices, config: AnomalyConfig) -> dict[str, np.ndarray]:
    """CTR of the last few days, pooled, against the history's pooled CTR: a quasi-Poisson test on clicks.
    The flags ("DROP", "SPIKE"), their p ("p_DROP", "p_SPIKE") and the two pooled CTRs in %.

    One day of 2 clicks is noise; three days of it after weeks of 10 a day is a collapse. Pooling is what
    makes small campaigns detectable at all, and the dispersion keeps drifting ones quiet.
    """
    t, n = mats.targets, config.change_recent_days
    clicks, imps = mats.m["clicks"], mats.m["impressions"]
    recent_c, recent_i = window_sum(clicks, t, n), window_sum(imps, t, n)
    # the history's pooled clicks and impressions are the sums the dispersion estimate already takes
    pooled = window_dispersion(clicks, imps, t - n + 1, config.history_days)
    hist_c, hist_i, phi = pooled.events, pooled.exposure, pooled.phi
    with np.errstate(invalid="ignore", divide="ignore"):
        mu = np.where(hist_i > 0, recent_i * hist_c / hist_i, np.nan)
        pct = pct_change(recent_c, mu)
        enough = (np.fmax(recent_c, mu) >= config.min_count) & (hist_c >= 2 * config.min_count)
        low = (pct < -config.sustained_effect_pct) & enough
        high = (pct > config.sustained_effect_pct) & enough
        p_low = masked(tails.poisson_cdf, low, np.floor(recent_c / phi), mu / phi)
        p_high = masked(tails.poisson_sf, high, np.ceil(recent_c / phi) - 1, mu / phi)
        return {
            "DROP": low & (p_low < config.alpha),
            "SPIKE": high & (p_high < config.alpha),
            "p_DROP": p_low,
            "p_SPIKE": p_high,
            # the pooled CTRs (%) the test weighed: the recent days' and the history's
            "observed": np.where(recent_i > 0, recent_c / recent_i * 100.0, np.nan),
            "expected": np.where(hist_i > 0, hist_c / hist_i * 100.0, np.nan),
        }


def _performance(mats: Matrices, config: AnomalyConfig, quiet: np.ndarray) -> list[pl.DataFrame]:
    """The seed's change point on leads (last 3 days vs the 7 before), quasi-Poisson-checked."""
    t = mats.targets
    leads, spend = mats.m["leads"], mats.m["spend"]
    recent_n, prev_n = config.change_recent_days, config.change_previous_days
    recent = window_sum(leads, t, recent_n)
    previous = window_sum(leads, t, prev_n, end_offset=recent_n)
    recent_spend = window_sum(spend, t, recent_n)
    previous_spend = window_sum(spend, t, prev_n, end_offset=recent_n)
    # Performance is leads for the money: the expectation scales the previous leads by the spend of the
    # recent days, so a campaign that simply spent less (or stopped: see ZERO_SPEND) is no performance drop.
    with np.errstate(invalid="ignore", divide="ignore"):
        mu = np.where(previous_spend > 0, previous * recent_spend / previous_spend, np.nan)
    pct = pct_change(recent, mu)
    enough = np.fmax(recent, np.nan_to_num(mu)) >= config.min_count
    # Real lead counts are overdispersed (conversion rates drift day to day), so the Poisson test runs on
    # counts scaled by the campaign's own Pearson dispersion over its history (quasi-Poisson).
    phi = dispersion(leads, spend, t - recent_n + 1, config.history_days)
    with np.errstate(invalid="ignore", divide="ignore"):
        drop = (pct < -config.change_pct) & enough & ~quiet
        spike = (pct > config.change_pct) & enough
        drop &= masked(tails.poisson_cdf, drop, np.floor(recent / phi), mu / phi) < config.alpha
        spike &= masked(tails.poisson_sf, spike, np.ceil(recent / phi) - 1, mu / phi) < config.alpha
    obs, exp_ = recent / recent_n, mu / recent_n
    out = [
        anomaly_rows(mats, drop, "PERFORMANCE_DROP", "leads", obs, exp_, pct, severity_from_pct),
        anomaly_rows(mats, spike, "PERFORMANCE_SPIKE", "leads", obs, exp_, pct, severity_from_pct),
    ]

    return out


def _audience(mats: Matrices, config: AnomalyConfig) -> list[pl.DataFrame]:
    t = mats.targets
    w = config.frequency_window_days
    impr_now, impr_prev = window_sums_now_and_before(mats.m["impressions"], t, w)
    reach_now, reach_prev = window_sums_now_and_before(mats.m["reach"], t, w)
    with np.errstate(invalid="ignore", divide="ignore"):
        freq_now = np.where(reach_now > 0, impr_now / reach_now, np.nan)
        freq_prev = np.where(reach_prev > 0, impr_prev / reach_prev, np.nan)
        over = (freq_now / config.frequency_threshold - 1.0) * 100.0
        frequent = (freq_now > config.frequency_threshold) & (impr_now >= config.frequency_min_impressions)
        growth = pct_change(freq_now, freq_prev)
        saturated = (
            (freq_now >= config.saturation_min_frequency)
            & (growth >= config.saturation_frequency_growth_pct)
            & (reach_now <= reach_prev * (1.0 + config.saturation_reach_growth_pct / 100.0))
            & (impr_now >= config.frequency_min_impressions)
        )
    threshold = np.full(freq_now.shape, config.frequency_threshold)
    return [
        anomaly_rows(
            mats,
            frequent,
            "FREQUENCY_ALERT",
            "frequency_7d",
            freq_now,
            threshold,
            over,
            severity_from_pct,
        ),
        anomaly_rows(
            mats,
            saturated,
            "REACH_SATURATION",
            "reach_7d",
            reach_now,
            reach_prev,
            growth,
            severity_from_pct,
        ),
    ]


def detect_anomalies(
    daily: pl.DataFrame,
    as_of: dt.date,
    config: AnomalyConfig = DEFAULT_CONFIG,
    lookback_days: int = 1,
) -> pl.DataFrame:
    """All 12 anomaly types for the days as_of - lookback_days + 1 .. as_of, for every campaign at once.

    `daily` follows DAILY_SCHEMA; rows after `as_of` are ignored (the provisional day never enters).
    """
    if lookback_days < 1:
        raise ValueError("lookback_days must be >= 1")
    mats = to_matrices(daily, as_of, n_days_needed(config, lookback_days), lookback_days)
    if mats.keys.height == 0:
        return pl.DataFrame(schema=ANOMALY_SCHEMA)
    quiet = np.broadcast_to(mats.keys["inactive"].to_numpy()[:, None], (mats.keys.height, lookback_days))
    return finish(detector_parts(mats, config, quiet))


def detector_parts(
    mats: Matrices, config: AnomalyConfig, quiet: np.ndarray, threads: int = DETECTOR_THREADS
) -> list[pl.DataFrame]:
    """Every detector's rows, in a fixed order (`finish` keeps the first of equally severe rows)."""
    detectors: list[Callable[[], list[pl.DataFrame]]] = [
        lambda: _spend(mats, config, quiet),
        lambda: _rate(mats, config, quiet, "cpl"),
        lambda: _rate(mats, config, quiet, "ctr"),
        # a day of spend without leads before the 3-day change point on the same leads
        lambda: [zero_lead_days(mats, config, quiet)],
        lambda: _performance(mats, config, quiet),
        lambda: _audience(mats, config),
        lambda: zero_delivery(mats, config),
    ]
    # The detectors only read the matrices, and numpy's loops and sorts release the GIL: two threads keep
    # both cores busy. `map` hands the parts back in this order, whichever thread finished first.
    with ThreadPoolExecutor(threads, thread_name_prefix="anomalies") as pool:
        return [part for found in pool.map(lambda detect: detect(), detectors) for part in found]


def detect_anomalies_zscore(
    daily: pl.DataFrame,
    as_of: dt.date,
    config: AnomalyConfig = DEFAULT_CONFIG,
    lookback_days: int = 1,
) -> pl.DataFrame:
    """The seed's plain z score (mean/std of the history, |z| > z_threshold) on spend, CPL and CTR.

    The baseline for comparisons: no seasonality, no count awareness, no known non-anomalies.
    """
    if lookback_days < 1:
        raise ValueError("lookback_days must be >= 1")
    mats = to_matrices(daily, as_of, lookback_days + config.history_days, lookback_days)
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
                    anomaly_rows(mats, mask, f"{metric.upper()}_{side}", metric, observed, expected, z, sev)
                )
    return finish(parts)
