"""`core.tails` returns what `scipy.stats` returns, edge cases included: the detector's p-values and the
recommendations' CPL bounds must not move by replacing the import."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy import stats

from famachat_ml_pipeline.core import tails

RNG = np.random.default_rng(7)
COUNTS = np.concatenate([[-3, -1, -0.5, 0, 0.5, 1, 2.7, 9, 10, 11, 1e6, np.nan], RNG.integers(-2, 60, 400)])


def _same(ours: np.ndarray, theirs: np.ndarray) -> None:
    ours, theirs = np.broadcast_arrays(np.asarray(ours, dtype=float), np.asarray(theirs, dtype=float))
    assert np.array_equal(np.isnan(ours), np.isnan(theirs)), (ours, theirs)
    ok = ~np.isnan(theirs)
    assert np.array_equal(ours[ok], theirs[ok]), np.flatnonzero(ours[ok] != theirs[ok])[:5]  # bit for bit


@pytest.mark.parametrize("name", ["cdf", "sf"])
def test_poisson(name: str) -> None:
    k = np.repeat(COUNTS, 5)
    mu = np.tile([0.0, 0.3, 4.0, -1.0, np.nan], len(COUNTS))
    _same(getattr(tails, f"poisson_{name}")(k, mu), getattr(stats.poisson, name)(k, mu))
    mu = RNG.gamma(2.0, 5.0, len(COUNTS))
    _same(getattr(tails, f"poisson_{name}")(COUNTS, mu), getattr(stats.poisson, name)(COUNTS, mu))


@pytest.mark.parametrize("name", ["cdf", "sf"])
def test_binom(name: str) -> None:
    grid = [
        (n, p) for n in (0.0, 1.0, 10.0, 57.0, -1.0, 2.5, np.nan) for p in (0.0, 0.02, 0.5, 1.0, 1.2, np.nan)
    ]
    k = np.repeat(COUNTS, len(grid))
    n, p = (np.tile(a, len(COUNTS)) for a in np.array(grid).T)
    with warnings.catch_warnings():  # scipy.stats warns on a non-integer n; its answer (NaN) is compared
        warnings.simplefilter("ignore")
        theirs = getattr(stats.binom, name)(k, n, p)
    _same(getattr(tails, f"binom_{name}")(k, n, p), theirs)


def test_chi2_sf() -> None:
    x = np.concatenate([[-1.0, 0.0, 1e-300, np.nan, 1e4], RNG.gamma(3.0, 4.0, 200)])
    for dof in (1.0, 2.0, 7.5, 40.0, 0.0, -1.0, np.nan):
        _same(tails.chi2_sf(x, dof), stats.chi2.sf(x, dof))


def test_norm_isf() -> None:
    q = np.concatenate([[0.0, 1e-300, 1e-10, 0.5, 1.0, 1.5, -0.1, np.nan], RNG.random(200)])
    _same(tails.norm_isf(q), stats.norm.isf(q))


def test_gamma_ppf() -> None:
    q = np.array([0.0, 0.025, 0.05, 0.5, 0.95, 0.975, 1.0, -0.1, 1.1, np.nan])
    for a in (1e-3, 0.5, 1.0, 3.0, 250.0, 0.0, -2.0, np.nan):
        _same(tails.gamma_ppf(q, a), stats.gamma.ppf(q, a))
    assert isinstance(float(tails.gamma_ppf(0.05, 4)), float)  # a scalar in, a scalar out
