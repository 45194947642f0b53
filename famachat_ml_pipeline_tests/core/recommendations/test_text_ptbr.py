"""pt-BR number, money and percentage formats, scalar and vectorised."""

from __future__ import annotations

import json

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from famachat_ml_pipeline.core.recommendations import (
    format_money,
    format_number,
    format_pct,
    money_expr,
    pct_expr,
    text_ptbr,
)
from famachat_ml_pipeline.core.recommendations.text_ptbr import (
    days_text,
    format_expr,
    format_values,
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


# ------------------------------------------------------------ format_values: the expressions' strings, kept
_KINDS = ["money", "pct0", "pct1", "pct2", "num0", "num1", "num2"]
_CURRENCIES = ["BRL", "USD", "EUR", "CLP", "JPY", "ARS"]
_EDGES = [0.0, -0.0, 0.005, -0.005, 2.675, 1.005, 0.125, 267.5, -1234.565, 1e15, 1e19, -1e19]


def _by_expression(kind: str, values: list[float | None], currency: str) -> list[str | None]:
    frame = pl.DataFrame({"v": values}, schema={"v": pl.Float64})
    return frame.select(format_expr(kind, pl.col("v"), pl.lit(currency))).to_series().to_list()


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(
        st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True), st.sampled_from(_EDGES)),
        min_size=1,
        max_size=12,
    ),
    kind=st.sampled_from(_KINDS),
    currency=st.sampled_from(_CURRENCIES),
)
def test_format_values_gives_the_expressions_strings_first_and_again(
    values: list[float | None], kind: str, currency: str
) -> None:
    expected = _by_expression(kind, values, currency)
    pairs = [(kind, v) for v in values]
    assert format_values(pairs, currency) == expected  # formatted now (or kept from an earlier example)
    assert format_values(pairs, currency) == expected  # kept


def test_format_values_mixes_kinds_in_one_call_and_forgets_when_full(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(text_ptbr, "_FORMATTED", {})
    monkeypatch.setattr(text_ptbr, "_FORMATTED_LIMIT", 8)
    values = [("money", 1234.5), ("pct1", 4.25), ("num0", None), ("num2", float("nan")), ("money", -0.004)]
    assert format_values(values, "BRL") == ["R$ 1.234,50", "4,2%", None, None, "R$ 0,00"]
    assert len(text_ptbr._FORMATTED) == 3  # not the None, not the NaN
    many = [("num0", float(i)) for i in range(10)]
    assert format_values(many) == [str(i) for i in range(10)]
    assert len(text_ptbr._FORMATTED) <= 10  # emptied before it went past its limit
    assert format_money(1234.5) == "R$ 1.234,50" and format_pct(4.25, 1) == "4,2%"


@pytest.mark.parametrize(("n", "text"), [(0, "0 dias"), (1, "1 dia"), (2, "2 dias"), (1500, "1.500 dias")])
def test_a_count_of_days_has_its_noun(n: int, text: str) -> None:
    assert days_text(n) == text
