"""pt-BR number, money and percentage formats, scalar and vectorised."""

from __future__ import annotations

import json

import polars as pl

from famachat_ml_pipeline.core.recommendations import (
    format_money,
    format_number,
    format_pct,
    money_expr,
    pct_expr,
)
from famachat_ml_pipeline_tests.core.recommendations.builders import attrs, one, run, tiers, wide, wide_row


def test_brazilian_formats() -> None:
    assert format_money(1234.56, "BRL") == "R$ 1.234,56"
    assert format_money(0.5, "BRL") == "R$ 0,50"
    assert format_money(1_000_000, "BRL") == "R$ 1.000.000,00"
    assert format_money(999.999, "BRL") == "R$ 1.000,00"
    assert format_money(-12.3, "BRL") == "-R$ 12,30"
    assert format_money(10, "USD") == "US$ 10,00"
    assert format_money(5000, "CLP") == "CLP 5.000"  # minor unit 1: no decimals
    assert format_money(1_234_567, "JPY") == "JPY 1.234.567"
    assert format_pct(42.4) == "42%" and format_pct(4.56, 1) == "4,6%" and format_pct(-7) == "-7%"
    assert format_number(1234.5, 1) == "1.234,5"
    # the vectorised expressions are the same code
    frame = pl.DataFrame({"v": [1234.56, 5000.0, 18.4], "c": ["BRL", "CLP", "BRL"]})
    assert frame.select(money_expr(pl.col("v"), pl.col("c")).alias("m"))["m"].to_list() == [
        "R$ 1.234,56",
        "CLP 5.000",
        "R$ 18,40",
    ]
    assert frame.select(pct_expr(pl.col("v")).alias("p"))["p"].to_list() == ["1.235%", "5.000%", "18%"]


def test_minor_unit_one_currency_is_shown_without_decimals() -> None:
    # CLP 5.000 a day (already major in the daily frame: the source's 5000 was not divided by 100);
    # CPL 490 against the account's 1.000
    w = wide(wide_row("C", spend=34_300.0, leads=70, account_cpl=1_000.0)).with_columns(
        days_with_leads_30d=pl.lit(20, dtype=pl.UInt32)
    )
    recs = run(w, tiers({"C": "HIGH_PERFORMER"}), attrs(("C", "ACTIVE", 5_000.0, "CLP")))
    r = one(recs, "C", "BUDGET_INCREASE")
    assert "CPL de CLP 490, 51% abaixo da média da conta (CLP 1.000)" in r["description"]
    assert "de CLP 5.000 para CLP 6.000 (+20%)" in r["description"]
    action = json.loads(r["suggested_action"])
    assert (action["current"], action["suggested"], action["currency"]) == (5000.0, 6000.0, "CLP")
