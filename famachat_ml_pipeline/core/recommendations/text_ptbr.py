"""pt-BR formatting (Brazilian numbers, money, percentages) as vectorised polars expressions,
and the small text builders the rules compose their titles and descriptions with."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import polars as pl

from famachat_ml_pipeline.core.frames import ZERO_DECIMAL_CURRENCIES

# Currencies shown with a symbol; others by their code. Minor-unit-1 currencies show no decimals.
CURRENCY_SYMBOLS = {"BRL": "R$", "USD": "US$", "EUR": "€"}
WEEKDAYS_PT = (
    "segunda-feira",
    "terça-feira",
    "quarta-feira",
    "quinta-feira",
    "sexta-feira",
    "sábado",
    "domingo",
)


def number_expr(value: pl.Expr, decimals: int = 2) -> pl.Expr:
    """Brazilian number format: "1.234.567,89". Null stays null."""
    scale = 10**decimals
    total = (value.abs() * scale).round(0).cast(pl.Int64, strict=False)  # NaN / inf -> null, never a crash
    # thousands separators: group the reversed digits by 3 (polars regex has no look-ahead)
    grouped = (
        (total // scale)
        .cast(pl.String)
        .str.reverse()
        .str.replace_all(r"(\d{3})", "${1}.")
        .str.strip_chars_end(".")
        .str.reverse()
    )
    sign = pl.when((value < 0) & (total > 0)).then(pl.lit("-")).otherwise(pl.lit(""))
    if decimals == 0:
        return pl.concat_str([sign, grouped])
    frac = (total % scale).cast(pl.String).str.zfill(decimals)
    return pl.concat_str([sign, grouped, pl.lit(","), frac])


def money_expr(value: pl.Expr, currency: pl.Expr) -> pl.Expr:
    """Money in pt-BR: "R$ 1.234,56", "US$ 10,00", "CLP 5.000" (no decimals for minor-unit-1 currencies)."""
    cur = currency.fill_null("BRL")
    symbol = cur.replace_strict(CURRENCY_SYMBOLS, default=cur, return_dtype=pl.String)
    digits = (
        pl.when(cur.is_in(ZERO_DECIMAL_CURRENCIES))
        .then(number_expr(value.abs(), 0))
        .otherwise(number_expr(value.abs(), 2))
    )
    sign = pl.when(value.round(2) < 0).then(pl.lit("-")).otherwise(pl.lit(""))
    return pl.concat_str([sign, symbol, pl.lit(" "), digits])


def pct_expr(value: pl.Expr, decimals: int = 0) -> pl.Expr:
    """A percentage in pt-BR: "42%", "4,5%" (decimals=1)."""
    return pl.concat_str([number_expr(value, decimals), pl.lit("%")])


def format_money(value: float, currency: str = "BRL") -> str:
    """Scalar form of `money_expr`: format_money(1234.56, "BRL") == "R$ 1.234,56"."""
    return format_values([("money", value)], currency)[0]  # type: ignore[return-value]


def format_pct(value: float, decimals: int = 0) -> str:
    """Scalar form of `pct_expr`: format_pct(42.4) == "42%"."""
    return format_values([(f"pct{decimals}", value)])[0]  # type: ignore[return-value]


def format_number(value: float, decimals: int = 2) -> str:
    """Scalar form of `number_expr`: format_number(1234.5, 1) == "1.234,5"."""
    return format_values([(f"num{decimals}", value)])[0]  # type: ignore[return-value]


def format_expr(kind: str, value: pl.Expr, currency: pl.Expr) -> pl.Expr:
    """`kind`: "money" (in `currency`), "pctN" or "numN" (N decimals)."""
    if kind == "money":
        return money_expr(value, currency)
    if kind.startswith("pct"):
        return pct_expr(value, int(kind[3:]))
    if kind.startswith("num"):
        return number_expr(value, int(kind[3:]))
    raise ValueError(f"unknown format kind {kind!r}")


# The agent formats a few values at a time, mostly the same ones again (an account's figures, question after
# question): a polars pass costs ~1-3 ms whatever its size, a dict lookup microseconds. Every string is still
# the expressions' own; the memo only keeps them, and is emptied when full.
_Key = tuple[str, str, float]  # kind, currency, value
_FORMATTED: dict[_Key, str | None] = {}
_FORMATTED_LIMIT = 1 << 16


def format_values(values: Sequence[tuple[str, float | None]], currency: str = "BRL") -> list[str | None]:
    """Each (kind, value) formatted as `format_expr` does (None and NaN give None), the values not
    formatted before in one polars pass."""
    keys = [None if v is None or math.isnan(v) else (kind, currency, float(v)) for kind, v in values]
    missing = {k for k in keys if k is not None and k not in _FORMATTED}
    if missing:
        done = _format_pass(missing, currency)
        if len(_FORMATTED) + len(done) > _FORMATTED_LIMIT:
            _FORMATTED.clear()
        _FORMATTED.update(done)
    return [None if k is None else _FORMATTED[k] for k in keys]


def _format_pass(keys: Iterable[_Key], currency: str) -> dict[_Key, str | None]:
    by_kind: dict[str, list[float]] = {}
    for kind, _, value in keys:
        by_kind.setdefault(kind, []).append(value)
    size = max(len(v) for v in by_kind.values())
    frame = pl.DataFrame(
        {kind: [*v, *[None] * (size - len(v))] for kind, v in by_kind.items()},
        schema=dict.fromkeys(by_kind, pl.Float64),
    )
    out = frame.select(format_expr(kind, pl.col(kind), pl.lit(currency)).alias(kind) for kind in by_kind)
    return {
        (kind, currency, value): text
        for kind, v in by_kind.items()
        for value, text in zip(v, out[kind].to_list(), strict=False)
    }


def money_of(col: str | pl.Expr) -> pl.Expr:
    return money_expr(pl.col(col) if isinstance(col, str) else col, pl.col("currency"))


def number_of(col: str | pl.Expr, decimals: int = 0) -> pl.Expr:
    return number_expr(pl.col(col) if isinstance(col, str) else col, decimals)


def pct_of(col: str | pl.Expr, decimals: int = 0) -> pl.Expr:
    return pct_expr(pl.col(col) if isinstance(col, str) else col, decimals)


def days_text(count: int) -> str:
    """ "1 dia", "30 dias": a count of days with its noun (was "1 dias", "dia(s)")."""
    return "1 dia" if count == 1 else f"{format_number(count, 0)} dias"


def leads_of(col: str | pl.Expr) -> pl.Expr:
    """A lead count with its noun: "1 lead", "12 leads", "1.234 leads"."""
    n = pl.col(col) if isinstance(col, str) else col
    return pl.concat_str(
        [number_expr(n, 0), pl.when(n == 1).then(pl.lit(" lead")).otherwise(pl.lit(" leads"))]
    )


def join_text(*parts: str | pl.Expr) -> pl.Expr:
    """concat_str where plain strings are literals and null parts read as empty (optional clauses)."""
    return pl.concat_str([pl.lit(p) if isinstance(p, str) else p.fill_null("") for p in parts])


def clause(cond: pl.Expr, *parts: str | pl.Expr) -> pl.Expr:
    """An optional clause: the text when cond holds, else empty."""
    return pl.when(cond.fill_null(False)).then(join_text(*parts)).otherwise(pl.lit(""))
