"""Exponential smoothing over blocks of series: the same bits as one pass over the whole fleet."""

from __future__ import annotations

import numpy as np

from famachat_ml_pipeline.core.forecasting.ets import (
    ETS_BLOCK_CELLS,
    HW_GRID,
    SES_GRID,
    EtsGrid,
    _ets_block,
    ets_forecasts,
)


def test_blocks_of_series_give_the_one_pass_forecasts_bit_for_bit() -> None:
    rng = np.random.default_rng(13)
    n, T = ETS_BLOCK_CELLS // 7 + 300, 60  # more series than one block of either grid
    Y = np.round(rng.gamma(2.0, 30.0, (n, T)) * (1 + 0.3 * np.sin(np.arange(T) * 2 * np.pi / 7)), 2)
    Y[np.arange(T)[None, :] < rng.integers(0, T, n)[:, None]] = np.nan  # series starting at any day
    Y[rng.random((n, T)) < 0.02] = np.nan  # and a few unknown days
    origins = np.arange(20, T + 1)
    for grid in (SES_GRID, HW_GRID):
        whole, blocked = _ets_block(Y, origins, 7, grid), ets_forecasts(Y, origins, 7, grid)
        assert np.array_equal(np.isnan(whole), np.isnan(blocked))
        assert np.array_equal(whole.view(np.int64), blocked.view(np.int64))


def test_the_reported_alpha_alone_gives_the_chosen_forecast() -> None:
    """`alphas` receives, per origin and series (across blocks), the alpha whose SES is the forecast."""
    rng = np.random.default_rng(21)
    n, T = ETS_BLOCK_CELLS // len(SES_GRID.alphas) + 50, 50  # two blocks
    Y = rng.gamma(2.0, 30.0, (n, T)) + 3.0 * np.arange(T)[None, :] * rng.random((n, 1))
    Y[np.arange(T)[None, :] < rng.integers(0, T // 2, n)[:, None]] = np.nan
    origins = np.arange(20, T + 1, 5)
    chosen = np.zeros((len(origins), n))
    got = ets_forecasts(Y, origins, 7, SES_GRID, chosen)
    assert set(np.unique(chosen)) <= set(SES_GRID.alphas) and len(np.unique(chosen)) > 2
    for a in SES_GRID.alphas:
        alone = ets_forecasts(Y, origins, 7, EtsGrid(alphas=(a,)))
        mask = chosen == a
        assert np.array_equal(got[mask], alone[mask], equal_nan=True)
