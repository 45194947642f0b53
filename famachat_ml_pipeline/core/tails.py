"""The few distribution functions the ML core needs, from `scipy.special` instead of `scipy.stats`.

`from scipy import stats` took 0.97 s of the 3.2 s an import of the definitions cost (`python -X importtime`),
and the definitions are imported by every run, every CLI command and the daemon's code server, which Dagster
restarts every minute; `scipy.special` takes 0.29 s. Each function returns what its `scipy.stats` namesake
returns, bit for bit, edge cases included (a count below 0, at or above n, NaN or invalid parameters),
which `famachat_ml_pipeline_tests/core/test_tails.py` checks against `scipy.stats` itself. The binomial is
scipy.stats' own private ufunc (Boost's), as `scipy.special.bdtr` differs from it in the last bits.

`scipy.special` itself is imported on first use (`_ufuncs`): its import (0.25 s, most of it numpy.f2py
pulled in by scipy's array-API layer) is paid only by the processes that compute a tail, not by every CLI
command, the API, the daemon and the code server that import the definitions.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from types import ModuleType

import numpy as np


@functools.cache
def _ufuncs() -> ModuleType:
    """scipy.special's ufunc module: the public ones and scipy.stats' own binomial (Boost's), bit for bit."""
    import scipy.special._ufuncs

    return scipy.special._ufuncs


def _invalid(*conditions: np.ndarray) -> np.ndarray:
    out = np.zeros(np.broadcast(*conditions).shape, dtype=bool)
    for c in conditions:
        out = out | c
    return out


def _poisson(tail: Callable[..., np.ndarray], below: float, k: object, mu: object) -> np.ndarray:
    """`tail` (special.pdtr or pdtrc) with scipy.stats' edges: `below` for k < 0, NaN for a bad mu."""
    k, mu = np.asarray(k, dtype=float), np.asarray(mu, dtype=float)
    with np.errstate(invalid="ignore"):
        out = np.where(k < 0, below, tail(np.floor(np.maximum(k, 0.0)), np.maximum(mu, 0.0)))
        return np.where(_invalid(np.isnan(k), np.isnan(mu), mu < 0), np.nan, out)


def poisson_cdf(k: object, mu: object) -> np.ndarray:
    """P(X <= k), X ~ Poisson(mu) (`scipy.stats.poisson.cdf`)."""
    return _poisson(_ufuncs().pdtr, 0.0, k, mu)


def poisson_sf(k: object, mu: object) -> np.ndarray:
    """P(X > k), X ~ Poisson(mu) (`scipy.stats.poisson.sf`)."""
    return _poisson(_ufuncs().pdtrc, 1.0, k, mu)


def _binom(tail: Callable[..., np.ndarray], below: float, k: object, n: object, p: object) -> np.ndarray:
    """`tail` (scipy.stats' binomial cdf or sf ufunc) with its edges: `below` for k < 0, 1 - `below` for
    k >= n, NaN for a bad n or p."""
    k, n, p = (np.asarray(a, dtype=float) for a in (k, n, p))
    with np.errstate(invalid="ignore"):
        bad = _invalid(np.isnan(k), np.isnan(n), np.isnan(p), n < 0, n != np.floor(n), p < 0, p > 1)
        k = np.floor(k)
        inside = tail(np.clip(k, 0.0, np.maximum(n - 1, 0.0)), np.where(bad, 0.0, n), np.clip(p, 0, 1))
        out = np.where(k < 0, below, np.where(k >= n, 1.0 - below, inside))
    return np.where(bad, np.nan, out)


def binom_cdf(k: object, n: object, p: object) -> np.ndarray:
    """P(X <= k), X ~ Binomial(n, p) (`scipy.stats.binom.cdf`)."""
    return _binom(_ufuncs()._binom_cdf, 0.0, k, n, p)


def binom_sf(k: object, n: object, p: object) -> np.ndarray:
    """P(X > k), X ~ Binomial(n, p) (`scipy.stats.binom.sf`)."""
    return _binom(_ufuncs()._binom_sf, 1.0, k, n, p)


def chi2_sf(x: object, dof: object) -> np.ndarray:
    """P(X > x), X ~ chi-squared with `dof` degrees of freedom (> 0) (`scipy.stats.chi2.sf`)."""
    x, dof = np.asarray(x, dtype=float), np.asarray(dof, dtype=float)
    with np.errstate(invalid="ignore"):
        out = np.where(x < 0, 1.0, _ufuncs().chdtrc(dof, np.maximum(x, 0.0)))
        return np.where(_invalid(np.isnan(x), np.isnan(dof), dof <= 0), np.nan, out)


def norm_isf(q: object) -> np.ndarray:
    """The standard normal's upper q-quantile (`scipy.stats.norm.isf`)."""
    return -_ufuncs().ndtri(np.asarray(q, dtype=float)) + 0.0  # + 0.0: no -0.0 at q = 0.5


def gamma_ppf(q: object, a: object) -> np.ndarray:
    """The q-quantile of a Gamma(a, scale 1) (`scipy.stats.gamma.ppf`)."""
    q, a = np.asarray(q, dtype=float), np.asarray(a, dtype=float)
    with np.errstate(invalid="ignore"):
        out = _ufuncs().gammaincinv(np.where(a > 0, a, 1.0), np.clip(q, 0.0, 1.0))
        return np.where(_invalid(np.isnan(q), np.isnan(a), a <= 0, q < 0, q > 1), np.nan, out)
