"""The CPL upper bound that scaling rules need: exact Poisson/Gamma, null without leads."""

from __future__ import annotations

import math

import polars as pl
import pytest

from famachat_ml_pipeline.core.recommendations.evidence import cpl_upper_bound


def _upper(cpl: list[float | None], leads: list[int | None], alpha: float = 0.05) -> list[float | None]:
    frame = pl.DataFrame({"cpl": cpl, "leads": leads}, schema={"cpl": pl.Float64, "leads": pl.Int64})
    return frame.select(cpl_upper_bound(pl.col("cpl"), pl.col("leads"), alpha))["cpl"].to_list()


def test_one_lead_has_the_closed_form_bound() -> None:
    # With k = 1 the Poisson mean's one-sided lower bound is -ln(1 - alpha) (Gamma(1) is exponential).
    assert _upper([10.0], [1]) == [pytest.approx(10.0 / -math.log(0.95))]
    assert _upper([10.0], [1], alpha=0.2) == [pytest.approx(10.0 / -math.log(0.8))]


def test_more_leads_narrow_the_bound_toward_the_cpl_and_zero_leads_give_none() -> None:
    out = _upper([10.0, 10.0, 10.0, 10.0, None, 10.0], [5, 50, 500, 0, None, None])
    assert out[3:] == [None, None, None]
    assert out[0] > out[1] > out[2] > 10.0
    # Wilson-Hilferty, accurate for large k: lower = k (1 - 1/(9k) - z / (3 sqrt k))^3, z = 1.6449
    k = 500
    lower = k * (1 - 1 / (9 * k) - 1.6449 / (3 * math.sqrt(k))) ** 3
    assert out[2] == pytest.approx(10.0 * k / lower, rel=1e-4)
