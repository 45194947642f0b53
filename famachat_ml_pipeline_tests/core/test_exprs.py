"""The shared expression helpers: division, clipping and trend at their edges (zero, negative, null)."""

from __future__ import annotations

import polars as pl

from famachat_ml_pipeline.core.exprs import clip01, div, trend


def test_div_is_null_unless_the_denominator_is_positive() -> None:
    f = pl.DataFrame({"n": [6.0, 6.0, 6.0, None], "d": [3.0, 0.0, -2.0, 2.0]})
    out = f.select(div(pl.col("n"), pl.col("d")))["n"].to_list()
    assert out == [2.0, None, None, None]
    assert (
        f.with_columns(d=pl.lit(None, pl.Float64)).select(div(pl.col("n"), pl.col("d")))["n"].null_count()
        == 4
    )


def test_clip01_bounds_and_keeps_null() -> None:
    f = pl.DataFrame({"x": [-0.5, 0.25, 1.7, None]})
    assert f.select(clip01(pl.col("x")))["x"].to_list() == [0.0, 0.25, 1.0, None]


def test_trend_is_percent_growth_and_null_from_nothing() -> None:
    f = pl.DataFrame({"cur": [15.0, 5.0, 3.0, 3.0], "prev": [10.0, 10.0, 0.0, None]})
    assert f.select(trend(pl.col("cur"), pl.col("prev")))["cur"].to_list() == [50.0, -50.0, None, None]
