"""The CPL rule: a ratio of expected values, Bonferroni bounds, no CPL without expected spend."""

from __future__ import annotations

import numpy as np

from famachat_ml_pipeline.core.forecasting import MatrixForecast, derive_cpl


def test_derive_cpl_rule() -> None:
    def mf(p: float, lo: float, hi: float) -> MatrixForecast:
        a = np.full((1, 1), 1.0)
        return MatrixForecast(a * p, a * lo, a * hi, np.array(["x"]), np.array([False]))

    c = derive_cpl(mf(100, 80, 120), mf(4, 2, 7))
    assert (c.point[0, 0], c.lower[0, 0], c.upper[0, 0]) == (25.0, 80 / 7, 60.0)
    c = derive_cpl(mf(100, 80, 120), mf(0.2, 0, 2))
    assert (c.point[0, 0], c.upper[0, 0], bool(c.low_volume[0, 0])) == (100.0, 120.0, True)
    c = derive_cpl(mf(0, 0, 0), mf(0, 0, 0))
    assert not c.defined[0, 0] and np.isfinite(c.point).all()
