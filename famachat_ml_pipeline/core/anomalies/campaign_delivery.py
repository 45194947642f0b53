"""Delivery and tracking: a campaign that stops delivering, and a day of spend without a single lead.

- One delivery stop is one CRITICAL alert, on its first day: ZERO_SPEND when nothing was delivered (no
  spend, no impressions); ZERO_IMPRESSIONS only when spend is recorded without impressions (a reporting
  fault, not a stop). Only campaigns that should deliver and did on most recent days are checked.
- A day with spend and 0 leads is a PERFORMANCE_DROP on that same day when the campaign's own history
  makes it improbable: the expected leads are the day's spend at the campaign's lead rate, adjusted for the
  weekday, and P(0 leads) comes from a negative binomial with the campaign's own dispersion (a plain
  Poisson for steady campaigns), below `alpha`. A run of such days is tested as a whole: each further
  zero day only makes it less probable, and from the second day on it is CRITICAL (a tracking break).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from famachat_ml_pipeline.core import tails
from famachat_ml_pipeline.core.anomalies.campaign_frames import Matrices, anomaly_rows, z_of_p
from famachat_ml_pipeline.core.anomalies.config import AnomalyConfig, severity_from_pct, severity_from_z
from famachat_ml_pipeline.core.anomalies.robust import dispersion, nan_median, run_length

_WEEKS = 4  # same-weekday days behind the weekday factor (the history is 28 days)
_OVERDISPERSION_LEVEL = 0.05
# Pseudo-leads behind the weekday factor: a weekday's own evidence moves the factor halfway from 1 only
# once it holds 20 expected leads (5 a week), so a quiet weekday in a small campaign is not read as a pattern.
_WEEKDAY_PRIOR_LEADS = 20.0


def zero_delivery(mats: Matrices, config: AnomalyConfig) -> list[pl.DataFrame]:
    """ZERO_SPEND or ZERO_IMPRESSIONS, never both, for campaigns that should deliver and did recently."""
    t = mats.targets
    should = mats.keys["should_deliver"].to_numpy()[:, None]
    spend, impressions = mats.m["spend"][:, t], mats.m["impressions"][:, t]
    with np.errstate(invalid="ignore"):
        cases = {
            # nothing delivered: no spend and no impressions (an unknown impressions count does not
            # contradict a zero spend)
            "ZERO_SPEND": ("spend", (spend == 0) & ~(impressions > 0)),
            # money went out but no impression was recorded: a reporting or delivery fault of its own
            "ZERO_IMPRESSIONS": ("impressions", (spend > 0) & (impressions == 0)),
        }
    out = []
    for anomaly_type, (metric, zero) in cases.items():
        x = mats.m[metric]
        # one alert per stop: on its first day, when the day before still delivered
        started = x[:, t - 1] > 0
        flag = zero & started & should
        # the recent days' windows of those few cells only: each window's statistics are its own
        r, c = np.nonzero(flag)
        hist = _cell_windows(x, r, t[c], config.zero_recent_days)
        flag[r, c] = (hist > 0).sum(axis=1) >= config.zero_min_delivery_days
        expected = np.full(flag.shape, np.nan)
        expected[r, c] = nan_median(hist, axis=1)
        pct = np.full(flag.shape, -100.0)
        out.append(anomaly_rows(mats, flag, anomaly_type, metric, x[:, t], expected, pct, severity_from_pct))
    return out


def _cell_windows(x: np.ndarray, rows: np.ndarray, cols: np.ndarray, window: int) -> np.ndarray:
    """[cell, window] x[row, col - window .. col - 1] for each cell, NaN before the first column: the
    windows `history` gives, for a few cells."""
    padded = np.concatenate([np.full((x.shape[0], window), np.nan), x], axis=1)
    return padded[rows[:, None], cols[:, None] + np.arange(window)[None, :]]


def _cumsum(x: np.ndarray) -> np.ndarray:
    """Column prefix sums with a leading 0 column, NaN as 0: sum over [a, b) is cs[b] - cs[a]."""
    return np.concatenate([np.zeros((x.shape[0], 1)), np.cumsum(np.nan_to_num(x), axis=1)], axis=1)


def weekday_factor(leads: np.ndarray, spend: np.ndarray, rate: np.ndarray, prior: float) -> np.ndarray:
    """[campaign, day] multiplier of the lead rate for that day's weekday, from the same weekday over the
    last `_WEEKS` weeks: (leads + prior) / (expected leads + prior), so thin evidence stays near 1."""
    lag_leads = np.zeros_like(leads)
    lag_spend = np.zeros_like(spend)
    leads, spend = np.nan_to_num(leads), np.nan_to_num(spend)  # once, not once per lag
    for k in range(1, _WEEKS + 1):
        lag_leads[:, 7 * k :] += leads[:, : -7 * k]
        lag_spend[:, 7 * k :] += spend[:, : -7 * k]
    with np.errstate(invalid="ignore"):
        return (lag_leads + prior) / (np.nan_to_num(rate) * lag_spend + prior)


def p_zero(mu: np.ndarray, phi: np.ndarray) -> np.ndarray:
    """P(0 events) for mean mu and variance phi * mu: negative binomial, Poisson at phi = 1."""
    mu = np.nan_to_num(mu)
    over = phi > 1.0 + 1e-9
    with np.errstate(divide="ignore", invalid="ignore"):
        nb = np.power(phi, -mu / np.where(over, phi - 1.0, 1.0))
    return np.where(over, nb, np.exp(-mu))


def zero_lead_days(mats: Matrices, config: AnomalyConfig, quiet: np.ndarray) -> pl.DataFrame:
    """PERFORMANCE_DROP on a day (or run of days) of spend without leads that the history makes improbable."""
    t = mats.targets
    leads, spend = mats.m["leads"], mats.m["spend"]
    dead = np.nan_to_num((leads == 0) & (spend > 0)).astype(bool)
    run = run_length(dead)[:, t]
    run_start = t[None, :] - np.maximum(run, 1) + 1  # first day of the run (column index)
    hist_start = np.maximum(run_start - config.history_days, 0)
    take = np.take_along_axis
    cs_spend, cs_leads = _cumsum(spend), _cumsum(leads)
    cs_days = _cumsum(mats.m["exists"])
    h_spend = take(cs_spend, run_start, 1) - take(cs_spend, hist_start, 1)
    h_leads = take(cs_leads, run_start, 1) - take(cs_leads, hist_start, 1)
    h_days = take(cs_days, run_start, 1) - take(cs_days, hist_start, 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(h_spend > 0, h_leads / h_spend, np.nan)  # leads per unit of spend before the run
    # each day's weekday factor against the lead rate of the 4 weeks ending a week before it: the same
    # span as the weekday lags, and clear of a zero run of up to a week
    cols = np.arange(spend.shape[1])
    hi = np.maximum(cols - 6, 0)
    lo = np.maximum(cols - 6 - 7 * _WEEKS, 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        col_rate = (cs_leads[:, hi] - cs_leads[:, lo]) / (cs_spend[:, hi] - cs_spend[:, lo])
    factor = weekday_factor(leads, spend, col_rate, _WEEKDAY_PRIOR_LEADS)
    adjusted = spend * np.nan_to_num(factor, nan=1.0)  # the day's exposure in "average weekday" spend
    cs_adjusted = _cumsum(adjusted)
    mu = rate * (take(cs_adjusted, t[None, :] + 1, 1) - take(cs_adjusted, run_start, 1))
    # Overdispersion only makes a zero more probable, so the Poisson test picks the candidates and the
    # dispersion (the costly part) is estimated for their campaigns alone.
    flag = (run >= 1) & (h_days >= config.min_history_days) & (p_zero(mu, np.ones_like(mu)) < config.alpha)
    flag &= ~quiet
    phi = np.ones_like(mu)
    rows = np.flatnonzero(flag.any(axis=1))
    if rows.size:
        # around the same weekday- and spend-adjusted expectation, so the weekday pattern the factor
        # already explains is not counted as noise a second time
        est = take(dispersion(leads[rows], adjusted[rows], cols, config.history_days), run_start[rows], 1)
        # A dispersion estimate from a few weeks of small counts is noisy, and only its upward errors
        # survive the clip at 1: keep it where the Pearson statistic shows overdispersion (chi-square, 5 %).
        dof = np.maximum(h_days[rows] - 1, 1)
        phi[rows] = np.where(tails.chi2_sf(est * dof, dof) < _OVERDISPERSION_LEVEL, est, 1.0)
    p = p_zero(mu, phi)
    flag &= p < config.alpha
    # scores and severities of the flagged cells only: the rest is never read
    score = np.full(flag.shape, np.nan)
    severity = np.full(flag.shape, None, dtype=object)
    score[flag] = -z_of_p(p[flag])
    severity[flag] = np.where(run[flag] >= 2, "CRITICAL", severity_from_z(score[flag]))
    # the day's own expectation, as every other row's: a run's is the sum of its days' (the score's test)
    expected = rate * adjusted[:, t]
    return anomaly_rows(mats, flag, "PERFORMANCE_DROP", "leads", np.zeros_like(mu), expected, score, severity)
