"""Statistical evidence for budget moves: bounds on a campaign's CPL from its leads and spend.

Leads given spend are Poisson with mean spend / CPL. With k leads the exact (Garwood) one-sided lower
bound of that mean at level 1 - alpha is the alpha quantile of Gamma(k, 1), so the one-sided upper bound
of the CPL is spend / that quantile. With 0 leads there is no finite bound (null): no evidence.

How much cheaper than the account a campaign must look to pass "upper bound < account CPL":
10 leads -> CPL <= 0.54 x, 20 -> 0.66 x, 30 -> 0.72 x, 100 -> 0.84 x (alpha 0.05).
The lower bound mirrors it (the mean's upper bound is the 1 - alpha quantile of Gamma(k + 1, 1)): how far
above the 1.3 x bar a campaign must look for "lower bound >= 1.3 x account CPL" (a cut without a rising
trend): 5 leads -> CPL >= 2.73 x, 10 -> 2.21 x, 20 -> 1.86 x, 50 -> 1.59 x.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from famachat_ml_pipeline.core import tails


def _poisson_mean_lower(leads: pl.Series, alpha: float) -> pl.Series:
    k = leads.cast(pl.Float64).fill_null(0.0).to_numpy()
    lower = np.where(k > 0, tails.gamma_ppf(alpha, np.where(k > 0, k, 1.0)), np.nan)
    return pl.Series(lower, dtype=pl.Float64).fill_nan(None)


def cpl_upper_value(spend: float, leads: float, alpha: float) -> float | None:
    """Scalar `cpl_upper_bound` from spend and leads (one campaign, said by the agent); None with 0 leads."""
    return spend / float(tails.gamma_ppf(alpha, leads)) if leads > 0 else None


def cpl_lower_value(spend: float, leads: float, alpha: float) -> float | None:
    """Scalar `cpl_lower_bound` from spend and leads (one campaign, said by the agent); None with 0 leads."""
    return spend / float(tails.gamma_ppf(1 - alpha, leads + 1)) if leads > 0 else None


def _poisson_mean_upper(leads: pl.Series, alpha: float) -> pl.Series:
    k = leads.cast(pl.Float64).fill_null(0.0).to_numpy()
    return pl.Series(tails.gamma_ppf(1 - alpha, k + 1), dtype=pl.Float64)


def cpl_lower_bound(cpl: pl.Expr, leads: pl.Expr, alpha: float) -> pl.Expr:
    """One-sided (1 - alpha) lower bound of the CPL under a Poisson lead count; null with 0 leads (no CPL)."""
    upper = leads.map_batches(lambda s: _poisson_mean_upper(s, alpha), return_dtype=pl.Float64)
    return pl.when(leads > 0).then(cpl * leads / upper)


def cpl_upper_bound(cpl: pl.Expr, leads: pl.Expr, alpha: float) -> pl.Expr:
    """One-sided (1 - alpha) upper bound of the CPL (= spend / leads) under a Poisson lead count, from the
    observed CPL and leads (spend = cpl x leads); null with 0 leads."""
    lower = leads.map_batches(lambda s: _poisson_mean_lower(s, alpha), return_dtype=pl.Float64)
    return pl.when(lower > 0).then(cpl * leads / lower)
